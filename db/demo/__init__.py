"""Deterministic demo data: a realistic, internally consistent advocacy and customer-health history.

`generate` fills an empty, migrated database; `build` lays out the stages, one module per table family:
people (users), accounts and churn (the latent fates every signal follows), contacts, usage, signals
(surveys, milestones, tickets, triggers), advocates (outreach, stages, thank-yous, rewards), assets,
references (requests, asset usage), referrals, purchases (and acquisition spend).
"""

from db.demo.build import TABLE_ORDER
from db.demo.load import generate, reset_sequences
from db.demo.people import DEMO_PASSWORD, DEMO_USERS
from db.demo.timeline import HISTORY_WEEKS

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "HISTORY_WEEKS", "TABLE_ORDER", "generate", "reset_sequences"]
