"""Scheduled work: the scoring run, task generation, digests, team webhooks and the weekly review e-mail.

`python -m jobs` runs them on the schedule in settings (a plain loop, one pass a minute); `python -m jobs
--once` makes one pass, for cron. Each run claims its row in `deliveries` first, so replicas never repeat one.
"""
