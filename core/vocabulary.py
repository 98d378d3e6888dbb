"""The domain's fixed vocabularies (from the domain brief), shared by the schema, the demo data and the pages."""

ROLES = ("admin", "account_manager", "marketing", "sales")

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Apparel",
    "Sports",
    "Electronics",
    "Education",
    "Logistics",
)
PRODUCTS = ("Analytics", "Automation", "Collaboration")

SURVEY_KINDS = ("nps", "csat")

TICKET_SEVERITIES = ("low", "medium", "high", "urgent")
TICKET_CATEGORIES = ("technical", "how_to", "billing", "complaint", "feature_request")

# The eight engagement triggers of the brief (step 2).
TRIGGER_KINDS = (
    "positive_feedback",
    "improved_vs_previous_provider",
    "personal_relationship",
    "great_support_experience",
    "overcame_challenge_together",
    "attended_local_event",
    "raised_in_qbr_or_call",
    "contract_negotiation",
)

ADVOCATE_STAGES = (
    "candidate",
    "nominated",
    "asked",
    "agreed",
    "reference_ready",
    "paused",
    "declined",
    "retired",
)

CHANNELS = ("email", "phone", "video_call", "in_person", "social_dm")
OWNER_ROLES = ("csm", "ae", "marketing")
OUTREACH_PURPOSES = ("reference", "referral", "ambassador")
OUTREACH_OUTCOMES = ("no_response", "responded", "agreed", "declined")

REWARD_KINDS = (
    "discount",
    "exclusive_feature",
    "community_recognition",
    "store_credit",
    "subscription_content",
    "personalised_swag",
)
THANK_YOU_REASONS = ("agreement", "reference_fulfilled", "referral_converted")

ASSET_TYPES = (
    "case_study",
    "video_testimonial",
    "written_testimonial",
    "reference_call",
    "webinar",
    "site_visit",
)
APPROVAL_STATUSES = ("pending", "approved", "rejected")

REQUEST_KINDS = ("call", "visit", "webinar", "asset")
REQUEST_STATUSES = ("open", "assigned", "done", "declined")
DEAL_STAGES = ("discovery", "evaluation", "proposal", "negotiation")
DEAL_OUTCOMES = ("won", "lost")

# Referral events in funnel order: email sent → opened → clicked → page view → lead → opportunity → purchase.
REFERRAL_EVENTS = ("email_sent", "opened", "clicked", "page_view", "lead", "opportunity", "purchase")

SPEND_CHANNELS = ("paid_search", "events", "content", "outbound", "referral_rewards")

HEALTH_BANDS = ("healthy", "watch", "at_risk")

BILLING_PERIODS = ("month", "year")
# The types a custom account attribute can have.
ATTRIBUTE_KINDS = ("text", "number", "date", "bool")
