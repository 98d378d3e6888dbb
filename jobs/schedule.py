"""One pass of the scheduler: everything due at a moment, each claimed in the ledger before it runs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from core import digests as rules
from core import roles
from db import digests, mail, service, tasks
from db.reads import accounts as account_reads
from db.reads import settings as settings_reads
from jobs import weekly_review

log = logging.getLogger("jobs")
# Scheduled runs are audited under this name, as the command line's are under "command-line".
SCHEDULER = service.Actor(id=None, username="scheduler", name="Scheduler", role=roles.ADMIN)


def _scoring(engine: Engine) -> str:
    return service.run_scoring(engine, SCHEDULER).sentence()


def _tasks(engine: Engine) -> str:
    return tasks.generate(engine).sentence()


def _weekly_review(
    engine: Engine, destinations: mail.Destinations, sender: mail.Mailer, sending: Callable[[str], None]
) -> str | None:
    weeks = account_reads.scored_weeks(engine, limit=2)
    if len(weeks) < 2:
        return None
    report = weekly_review.review(engine, weeks[0])
    message, attachment = weekly_review.message(report, destinations.app_url, service.now())
    sender.send(destinations.weekly_review_to, message, attachment, handing=sending)
    return f"week of {weeks[0]} to {len(destinations.weekly_review_to):,} addresses"


def _job(
    engine: Engine, kind: str, period: str, moment: dt.datetime, settings, work: Callable[[], str]
) -> str:
    """Run work once for kind and period; any error is kept on its ledger row and retried like a failed send.
    A run sends no message: a crash during one is taken over after the claim timeout, never in doubt."""
    outcome = digests.Outcome()
    digests.attempt(
        engine, kind, "all", period, moment, settings, lambda _sending: work(), outcome, errors=(Exception,)
    )
    return "ran" if outcome.sent else "failed" if outcome.failed else "done for this period already"


def run_due(engine: Engine, destinations: mail.Destinations, moment: dt.datetime) -> list[str]:
    """Run whatever is due at moment (naive UTC) and not yet done for its period; one line per kind."""
    settings = settings_reads.load_settings(engine)
    hour, weekday = int(settings["digest_hour"]), int(settings["digest_weekday"])
    done: list[str] = []
    if moment.hour >= settings["scoring_hour"]:
        # The scoring run generates tasks too (db.scoring), so digests after it see the new ones.
        ran = _job(
            engine, "scoring", rules.period("daily", moment), moment, settings, lambda: _scoring(engine)
        )
        done.append(f"scoring run: {ran}")
    # Between scoring runs, for what changes by the hour: follow-ups and requests falling due.
    period = rules.hourly_period(moment, int(settings["task_generation_hours"]))
    done.append(
        f"task generation: {_job(engine, 'task_generation', period, moment, settings, lambda: _tasks(engine))}"
    )
    if destinations.smtp is None:
        log.warning("no SMTP server configured: digests and the weekly review are not sent")
    else:
        with mail.mailer(destinations) as sender:
            done.append(f"digests: {digests.send_digests(engine, destinations, sender, moment)}")
            if destinations.weekly_review_to and rules.is_due("weekly", moment, hour, weekday):
                outcome = digests.Outcome()
                digests.attempt(
                    engine,
                    "weekly_review",
                    "distribution list",
                    rules.period("weekly", moment),
                    moment,
                    settings,
                    lambda sending: _weekly_review(engine, destinations, sender, sending),
                    outcome,
                )
                done.append(f"weekly review: {outcome}")
    if destinations.webhooks:
        done.append(f"team webhooks: {digests.send_team_digests(engine, destinations, moment)}")
    return done
