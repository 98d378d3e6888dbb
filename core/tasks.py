"""The work queue's vocabulary: why a task exists, where it stands and how it ended."""

from __future__ import annotations

# Why a task exists. An account task is about the account; the others about one advocate, request or asset.
TASK_REASONS = (
    "at_risk",
    "score_drop",
    "renewal_at_risk",
    "promoter_ask",
    "follow_up_due",
    "thank_you_owed",
    "request_overdue",
    "request_unassigned",
    "asset_stale",
)
REASON_LABELS = {
    "at_risk": "Entered at risk",
    "score_drop": "Sharp score drop",
    "renewal_at_risk": "At-risk renewal",
    "promoter_ask": "Promoter to ask",
    "follow_up_due": "Follow-up due",
    "thank_you_owed": "Thank-you owed",
    "request_overdue": "Reference request overdue",
    "request_unassigned": "Reference request needs an advocate",
    "asset_stale": "Asset stale",
}
SUBJECT_KINDS = ("account", "advocate", "reference_request", "asset")
REASON_SUBJECT = {
    "at_risk": "account",
    "score_drop": "account",
    "renewal_at_risk": "account",
    "promoter_ask": "advocate",
    "follow_up_due": "advocate",
    "thank_you_owed": "advocate",
    "request_overdue": "reference_request",
    "request_unassigned": "reference_request",
    "asset_stale": "asset",
}
# open and snoozed tasks are the live ones (one per subject and reason); closed and dismissed are history.
TASK_STATUSES = ("open", "snoozed", "closed", "dismissed")
LIVE_STATUSES = ("open", "snoozed")
# How a closed task ended; "done" is for tasks that save nothing (an ask, a thank-you, a stale asset).
TASK_OUTCOMES = ("saved", "churned", "not_needed", "done", "other")
OUTCOME_LABELS = {
    "saved": "Saved",
    "churned": "Churned",
    "not_needed": "Not needed",
    "done": "Done",
    "other": "Other",
}
