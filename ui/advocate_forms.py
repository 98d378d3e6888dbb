"""The advocate-program forms the pipeline page shares: each calls one service write and reports back."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core import pipeline
from core import vocabulary as v
from core.outreach import CHANNEL_LABELS, OWNER_ROLE_LABELS
from db import service
from db.service import Actor
from ui import data
from ui.writes import attempt

OUTCOME_LABELS = {
    "no_response": "No response yet",
    "responded": "Responded, undecided",
    "agreed": "Agreed",
    "declined": "Declined",
}
REASON_LABELS = {
    "agreement": "Agreement",
    "reference_fulfilled": "Reference fulfilled",
    "referral_converted": "Referral converted",
}


def _label(code: str) -> str:
    return code.replace("_", " ").capitalize()


def outreach_form(actor: Actor, advocate_id: int, name: str, key: str, follow_up: bool, channel: str) -> None:
    """Log an ask (or a follow-up) with channel, owner role, date and outcome."""
    what = "follow-up" if follow_up else "ask"
    with st.form(f"{key}_outreach", clear_on_submit=True):
        left, middle, right = st.columns(3)
        chosen_channel = left.selectbox(
            "Channel",
            v.CHANNELS,
            index=v.CHANNELS.index(channel),
            format_func=CHANNEL_LABELS.get,
            key=f"{key}_channel",
        )
        owner_role = middle.selectbox(
            "Owner", v.OWNER_ROLES, format_func=OWNER_ROLE_LABELS.get, key=f"{key}_owner_role"
        )
        purpose = right.selectbox("Purpose", v.OUTREACH_PURPOSES, format_func=_label, key=f"{key}_purpose")
        left, middle, right = st.columns(3)
        sent_on = left.date_input(
            "Sent on", value=dt.date.today(), max_value=dt.date.today(), key=f"{key}_sent_on"
        )
        outcome = middle.selectbox(
            "Outcome", v.OUTREACH_OUTCOMES, format_func=OUTCOME_LABELS.get, key=f"{key}_outcome"
        )
        responded_on = right.date_input(
            "Answered on (default: sent on)", value=None, max_value=dt.date.today(), key=f"{key}_answered_on"
        )
        note = st.text_input("Note", max_chars=service.MAX_NOTE_LENGTH, key=f"{key}_outreach_note")
        if st.form_submit_button(f"Log {what}", type="primary"):
            attempt(
                lambda: service.log_outreach(
                    data.engine(),
                    actor,
                    advocate_id,
                    follow_up=follow_up,
                    purpose=purpose,
                    channel=chosen_channel,
                    owner_role=owner_role,
                    sent_on=sent_on,
                    outcome=outcome,
                    responded_on=(responded_on or sent_on) if outcome != "no_response" else None,
                    note=note,
                ),
                f"Logged the {what} to {name} ({CHANNEL_LABELS[chosen_channel]}, {OUTCOME_LABELS[outcome].lower()}).",
            )


def answer_form(actor: Actor, waiting: pd.Series, name: str, key: str) -> None:
    """Record the answer to an ask or follow-up that had none; agreeing or declining moves the stage."""
    what = "follow-up" if waiting["follow_up_number"] else "ask"
    st.caption(
        f"The {what} of {waiting['sent_on']:%d %b %Y} by {CHANNEL_LABELS[waiting['channel']].lower()}."
    )
    with st.form(f"{key}_answer", clear_on_submit=True):
        left, right = st.columns(2)
        outcome = left.selectbox(
            "Answer", v.OUTREACH_OUTCOMES[1:], format_func=OUTCOME_LABELS.get, key=f"{key}_answer_outcome"
        )
        answered_on = right.date_input(
            "Answered on", value=dt.date.today(), max_value=dt.date.today(), key=f"{key}_answered"
        )
        if st.form_submit_button("Record the answer", type="primary"):
            attempt(
                lambda: service.record_response(
                    data.engine(), actor, int(waiting["id"]), outcome, answered_on
                ),
                f"Recorded {name}'s answer: {OUTCOME_LABELS[outcome].lower()}.",
            )


def stage_form(actor: Actor, advocate: dict, key: str) -> None:
    """Move an advocate to another stage (refused if someone else changed the record meanwhile)."""
    with st.form(f"{key}_stage"):
        others = [stage for stage in v.ADVOCATE_STAGES if stage != advocate["stage"]]
        to_stage = st.selectbox(
            "Move to", others, format_func=pipeline.STAGE_LABELS.get, key=f"{key}_to_stage"
        )
        if st.form_submit_button("Move stage"):
            attempt(
                lambda: service.move_stage(
                    data.engine(), actor, advocate["id"], to_stage, advocate["version"]
                ),
                f"Moved {advocate['contact_name']} to {pipeline.STAGE_LABELS[to_stage]}.",
            )


def reward_form(actor: Actor, advocate_id: int, name: str, key: str) -> None:
    """Record a reward given as a thank-you."""
    with st.form(f"{key}_reward", clear_on_submit=True):
        left, middle, right = st.columns(3)
        kind = left.selectbox("Reward", v.REWARD_KINDS, format_func=_label, key=f"{key}_reward_kind")
        value = middle.number_input(
            "Value ($, optional)", min_value=0.0, value=None, step=50.0, key=f"{key}_reward_value"
        )
        given_on = right.date_input(
            "Given on", value=dt.date.today(), max_value=dt.date.today(), key=f"{key}_given_on"
        )
        note = st.text_input("Note", max_chars=service.MAX_NOTE_LENGTH, key=f"{key}_reward_note")
        if st.form_submit_button("Record reward"):
            attempt(
                lambda: service.record_reward(data.engine(), actor, advocate_id, kind, value, given_on, note),
                f"Recorded a {_label(kind).lower()} for {name}.",
            )


def thank_you_form(actor: Actor, advocate_id: int, name: str, key: str, reason: str = "agreement") -> None:
    """Record a thank-you sent for an agreement, a fulfilled reference or a converted referral."""
    with st.form(f"{key}_thanks", clear_on_submit=True):
        left, middle, right = st.columns(3)
        chosen_reason = left.selectbox(
            "For",
            v.THANK_YOU_REASONS,
            index=v.THANK_YOU_REASONS.index(reason),
            format_func=REASON_LABELS.get,
            key=f"{key}_thanks_reason",
        )
        channel = middle.selectbox(
            "Channel", v.CHANNELS, format_func=CHANNEL_LABELS.get, key=f"{key}_thanks_channel"
        )
        sent_on = right.date_input(
            "Sent on", value=dt.date.today(), max_value=dt.date.today(), key=f"{key}_thanks_sent_on"
        )
        note = st.text_input("Note", max_chars=service.MAX_NOTE_LENGTH, key=f"{key}_thanks_note")
        if st.form_submit_button("Record thank-you"):
            attempt(
                lambda: service.record_thank_you(
                    data.engine(), actor, advocate_id, chosen_reason, channel, sent_on, note
                ),
                f"Recorded the thank-you to {name}.",
            )
