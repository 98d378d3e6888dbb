"""The Digests page's parts: a user's own digest choice, and for admins when each channel last sent or failed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import digests as rules
from core import roles
from db import digests, mail, service
from ui import data, numbers, text, writes


def when(settings: dict[str, float]) -> str:
    """When digests go out, in words: "Daily from 07:00 UTC; weekly on Monday from 07:00 UTC"."""
    hour = f"{int(settings['digest_hour']):02d}:00 UTC"
    return f"Daily from {hour}; weekly on {rules.WEEKDAYS[int(settings['digest_weekday']) - 1]} from {hour}."


def preference_form(actor: service.Actor) -> None:
    """The actor's own digest: off, daily or weekly, saved through the write service."""
    frequency, email = digests.preference(data.engine(), actor.id)
    st.subheader("Your digest")
    st.markdown(
        "Your overdue and new tasks, the accounts of your book that entered the at-risk band and the reference "
        "requests due, by e-mail, with links into the app."
    )
    if not email:
        st.warning("You have no e-mail address, so no digest can reach you: ask an admin to add one.")
    with st.form("digest_preference"):
        choice = st.radio(
            "How often",
            rules.FREQUENCIES,
            index=rules.FREQUENCIES.index(frequency),
            format_func=rules.FREQUENCY_LABELS.get,
            horizontal=True,
        )
        st.caption(f"To {text.literal(email or '—')}. {when(data.settings())}")
        if st.form_submit_button("Save", type="primary"):
            writes.attempt(
                lambda: service.set_digest_frequency(data.engine(), actor, choice),
                lambda stored: f"Digest: {rules.FREQUENCY_LABELS[stored]}.",
            )


def _moment(value: object) -> str:
    return "—" if pd.isna(value) else f"{numbers.day(value)} {pd.Timestamp(value):%H:%M}"


def in_doubt_note(count: int, latest: object) -> str:
    """A channel's sends in doubt in words: "—", or "2 may not have arrived: process stopped while sending at
    7 Dec 2026 08:00"."""
    if not count:
        return "—"
    return f"{count:,} may not have arrived: process stopped while sending at {_moment(latest)}"


def delivery_status(actor: service.Actor) -> None:
    """Where messages go (never a password or a webhook's address) and, per channel, the last send and error."""
    st.subheader("Delivery")
    try:
        target = mail.configured()
    except mail.NotConfigured as problem:
        st.error(text.literal(problem))
        return
    server = "not configured: digests and the weekly review are not sent"
    if target.smtp is not None:
        server = f"{target.smtp.host}:{target.smtp.port} ({target.smtp.tls}), from {target.smtp.sender}"
    teams = ", ".join(map(roles.ROLE_LABELS.get, target.webhooks))
    addresses = len(target.weekly_review_to)
    st.markdown(
        text.literal(
            f"SMTP server: {server}. Weekly review to {addresses:,} {'address' if addresses == 1 else 'addresses'}. "
            f"Team webhooks: {teams or 'none'}. Links point to {target.app_url}."
        )
    )
    status = digests.status(data.engine())
    shown = pd.DataFrame(
        {
            "Channel": status["channel"],
            "Last sent": status["last_sent"].map(_moment),
            "Last error": status["last_error"].map(numbers.text),
            "Error at": status["last_error_at"].map(_moment),
            "Waiting to retry": status["retrying"].map(numbers.count),
            "Given up": status["given_up"].map(numbers.count),
            "In doubt": [
                in_doubt_note(count, latest)
                for count, latest in zip(status["in_doubt"], status["in_doubt_at"], strict=True)
            ],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "Last error": st.column_config.TextColumn(width="large"),
            "In doubt": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        "Sending runs in `python -m jobs`, never in a page. A failed send is tried again after the retry "
        "minutes (Admin → Settings → Schedule), doubling each time, until the most attempts. A message is "
        "never sent twice on its own: one whose sender stopped while handing it to the server is in doubt "
        "until you resend it."
    )
    resend_form(actor)


def resend_form(actor: service.Actor) -> None:
    """The sends in doubt, and an admin's explicit resend of one (the recipient may then get it twice)."""
    doubtful = digests.in_doubt(data.engine(), service.now())
    if doubtful.empty:
        return
    st.markdown("**Sends in doubt** — the process stopped while handing these to the server.")
    st.dataframe(
        pd.DataFrame(
            {
                "Channel": doubtful["kind"].map(rules.CHANNELS),
                "To": doubtful["recipient"],
                "Period": doubtful["period"],
                "Sending at": doubtful["sending_at"].map(_moment),
                "Message-ID": doubtful["message_id"].map(numbers.text),
            }
        ),
        hide_index=True,
    )
    labels = {
        int(row.id): f"{rules.CHANNELS[row.kind]} to {row.recipient}, {row.period}"
        for row in doubtful.itertuples()
    }
    with st.form("resend_delivery"):
        chosen = st.selectbox("Send again", list(labels), format_func=labels.get)
        st.caption(
            "Only if it did not arrive (ask the recipient, or search the mail server's log for its Message-ID): "
            "the next run sends it again while its period lasts."
        )
        if st.form_submit_button("Resend"):
            writes.attempt(
                lambda: service.resend_delivery(data.engine(), actor, chosen),
                f"{labels[chosen]}: the next run sends it again.",
            )
