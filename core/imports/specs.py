"""What each importable kind of record holds: its fields, how a cell is parsed into each, which headers name it."""

from __future__ import annotations

from dataclasses import dataclass

from core import vocabulary as v

# Text columns have no length limit in the schema; a cell longer than this is a pasting accident.
MAX_TEXT = 10_000
# Integer columns are 32-bit on PostgreSQL; money is Numeric(14, 2).
INT_MAX = 2_147_483_647
MONEY_MAX = 999_999_999_999.99
KINDS = ("text", "int", "number", "date", "datetime", "bool", "choice", "ref", "list")


@dataclass(frozen=True)
class FieldSpec:
    """One field an entity's rows carry, how a cell is parsed into it, and which headers name it."""

    name: str
    label: str
    kind: str
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    ref: str | None = None
    max_length: int | None = None
    # When the file gives no column for this field, it takes this other field's cells (an account without a
    # name column is named by its external id).
    default_from: str | None = None
    # When set, rows where this field is blank (a yes/no field: blank or no) are skipped, not refused,
    # and counted under this reason: "412 rows skipped: no score".
    skip: str | None = None
    # False for a field that only steers the import (a churn flag) and has no column of its own.
    stored: bool = True

    @property
    def id_column(self) -> str:
        """The rows' column with the database id a reference resolves to."""
        return f"{self.name}_id"


@dataclass(frozen=True)
class EntitySpec:
    """One importable kind of record: its fields and the fields that identify a row for the upsert."""

    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...]

    def field(self, name: str) -> FieldSpec:
        """The field called name."""
        return next(field for field in self.fields if field.name == name)


# --- the entities ---------------------------------------------------------------------------------


def _text(name: str, label: str, max_length: int, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "text", required, max_length=max_length, aliases=aliases)


def _external_id(*aliases: str) -> FieldSpec:
    return FieldSpec("external_id", "External id", "text", True, max_length=64, aliases=("id", *aliases))


def _ref(name: str, label: str, ref: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "ref", required, ref=ref, aliases=aliases)


def _account(required: bool = True) -> FieldSpec:
    return _ref(
        "account",
        "Account",
        "accounts",
        required,
        "account id",
        "account external id",
        "customer id",
        "customerid",
        "company id",
        "account number",
        "group id",
        "account name",
        "organization",
        "organization name",
        "company",
        "company name",
    )


def _contact(required: bool = False, label: str = "Contact", *aliases: str) -> FieldSpec:
    return _ref("contact", label, "contacts", required, "contact id", "contact external id", *aliases)


def _choice(
    name: str, label: str, choices: tuple[str, ...], required: bool = True, *aliases: str
) -> FieldSpec:
    return FieldSpec(name, label, "choice", required, choices=choices, aliases=aliases)


def _date(name: str, label: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "date", required, aliases=aliases)


def _count(name: str, label: str, required: bool = True, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "int", required, minimum=0, aliases=aliases)


def _money(name: str, label: str, *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "number", True, minimum=0, maximum=MONEY_MAX, aliases=aliases)


def _note(name: str = "note", label: str = "Note", *aliases: str) -> FieldSpec:
    return FieldSpec(name, label, "text", False, max_length=MAX_TEXT, aliases=aliases)


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec(
            "accounts",
            "Accounts",
            (
                _external_id(
                    "account",
                    "account id",
                    "account external id",
                    "customer id",
                    "customerid",
                    "company id",
                    "record id",
                    "account number",
                ),
                FieldSpec(
                    "name",
                    "Name",
                    "text",
                    True,
                    max_length=200,
                    default_from="external_id",
                    aliases=("account name", "company", "company name", "customer", "customer name"),
                ),
                # Free text like the schema's column; the library's filters use vocabulary.INDUSTRIES.
                _text("industry", "Industry", 60, False, "vertical", "sector"),
                _choice("segment", "Segment", v.SEGMENTS, False, "company size", "size", "customer segment"),
                _choice(
                    "region",
                    "Region",
                    v.REGIONS,
                    False,
                    "country",
                    "billing country",
                    "country/region",
                    "geo",
                    "territory",
                    "sales region",
                ),
                _text("product", "Product", 60, False, "product line", "product name"),
                _count(
                    "employees",
                    "Employees",
                    False,
                    "employee count",
                    "headcount",
                    "number of employees",
                    "company size employees",
                ),
                FieldSpec(
                    "arr",
                    "ARR",
                    "number",
                    minimum=0,
                    maximum=MONEY_MAX,
                    aliases=("annual recurring revenue", "annual revenue arr", "arr usd", "current arr"),
                ),
                _count(
                    "seats_purchased", "Seats purchased", False, "seats", "licenses", "licences", "seat count"
                ),
                _date(
                    "customer_since",
                    "Customer since",
                    False,
                    "start date",
                    "signup date",
                    "sign up date",
                    "customer start date",
                    "became a customer date",
                ),
                _date("renewal_date", "Renewal date", False, "renewal", "renews on", "contract end date"),
                _ref(
                    "owner",
                    "Owner",
                    "users",
                    False,
                    "owner username",
                    "account owner",
                    "csm",
                    "company owner",
                    "customer success manager",
                ),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "contacts",
            "Contacts",
            (
                _external_id("contact id", "contact external id"),
                _account(),
                _text("name", "Name", 120, True, "contact name", "full name"),
                _text("email", "Email", 200, False, "email address", "e-mail"),
                _text("title", "Title", 120, False, "job title", "role"),
                FieldSpec(
                    "relationship_strength",
                    "Relationship strength",
                    "int",
                    minimum=1,
                    maximum=5,
                    aliases=("relationship",),
                ),
                _date("left_company_on", "Left company on", False, "left on", "left company"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "usage",
            "Weekly product usage",
            (
                _account(),
                _date("week_start", "Week start", True, "week", "week of", "week starting"),
                _count("active_users", "Active users", False, "users", "mau", "wau", "unique users"),
                _count("logins", "Logins", False, "sessions", "log ins"),
                _count("key_feature_events", "Key feature events", False, "key features", "feature events"),
                _count("seats_used", "Seats used", False, "licenses used", "assigned seats"),
            ),
            ("account", "week_start"),
        ),
        EntitySpec(
            "usage_events",
            "Product usage events (aggregated into weekly usage)",
            (
                _account(required=False),
                _ref("subscription", "Subscription", "subscription_accounts", False, "subscription id"),
                _text(
                    "user",
                    "User",
                    200,
                    False,
                    "user id",
                    "distinct id",
                    "distinct_id",
                    "visitor id",
                    "person id",
                    "anonymous id",
                    "member id",
                ),
                FieldSpec(
                    "at",
                    "Time",
                    "datetime",
                    True,
                    aliases=(
                        "timestamp",
                        "time",
                        "date",
                        "day",
                        "event time",
                        "event date",
                        "usage date",
                        "occurred at",
                        "created at",
                        "received at",
                    ),
                ),
                _text(
                    "feature",
                    "Event or feature",
                    120,
                    False,
                    "event",
                    "event name",
                    "event type",
                    "feature name",
                    "action",
                ),
                _count("count", "Count", False, "usage count", "event count", "events", "quantity", "times"),
            ),
            (),
        ),
        EntitySpec(
            "subscriptions",
            "Subscriptions (ARR, seats, renewal and churn derive from them)",
            (
                _external_id("subscription id", "subscription", "contract id", "contract", "line item id"),
                _account(),
                _date(
                    "started_on",
                    "Start date",
                    True,
                    "start",
                    "started on",
                    "subscription start",
                    "contract start",
                    "contract start date",
                ),
                _date(
                    "ended_on",
                    "End date",
                    False,
                    "end",
                    "ended on",
                    "subscription end",
                    "contract end",
                    "contract end date",
                    "cancelled on",
                    "expires on",
                ),
                FieldSpec(
                    "arr",
                    "ARR",
                    "number",
                    minimum=0,
                    maximum=MONEY_MAX,
                    aliases=(
                        "arr amount",
                        "annual recurring revenue",
                        "annual amount",
                        "acv",
                        "annual value",
                    ),
                ),
                FieldSpec(
                    "mrr",
                    "MRR",
                    "number",
                    minimum=0,
                    maximum=MONEY_MAX,
                    aliases=("mrr amount", "monthly recurring revenue", "monthly amount", "monthly price"),
                ),
                _count("seats", "Seats", False, "seat count", "licenses", "licences", "quantity"),
                _text("plan", "Plan", 60, False, "plan tier", "plan name", "tier", "edition", "package"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "surveys",
            "NPS / CSAT answers",
            (
                _external_id("survey id", "response id"),
                _account(),
                _contact(),
                _choice("kind", "Kind", v.SURVEY_KINDS, True, "survey", "survey kind", "type", "survey type"),
                FieldSpec(
                    "score",
                    "Score",
                    "int",
                    True,
                    minimum=0,
                    maximum=10,
                    aliases=(
                        "nps",
                        "csat",
                        "rating",
                        "nps score",
                        "csat score",
                        "satisfaction score",
                        "satisfaction rating",
                        "how likely are you to recommend",
                    ),
                    skip="no score",
                ),
                _date(
                    "responded_on",
                    "Responded on",
                    True,
                    "date",
                    "answered on",
                    "response date",
                    "submitted at",
                    "survey date",
                    "responded at",
                    "created at",
                ),
                _note("comment", "Comment", "comments", "verbatim"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "tickets",
            "Support tickets",
            (
                _external_id("ticket id", "ticket", "ticket number", "case id", "case number"),
                _account(),
                FieldSpec(
                    "opened_at",
                    "Opened at",
                    "datetime",
                    True,
                    aliases=("opened", "created at", "created", "submitted at", "date opened", "opened date"),
                ),
                FieldSpec(
                    "closed_at",
                    "Closed at",
                    "datetime",
                    False,
                    aliases=("closed", "resolved at", "solved at", "date closed", "closed date"),
                ),
                _choice("severity", "Severity", v.TICKET_SEVERITIES, False, "priority"),
                _choice(
                    "category", "Category", v.TICKET_CATEGORIES, False, "type", "ticket type", "case reason"
                ),
                FieldSpec(
                    "sla_breached", "SLA breached", "bool", aliases=("sla breach", "sla breached flag")
                ),
                FieldSpec(
                    "escalated",
                    "Escalated",
                    "bool",
                    aliases=("escalation", "escalation flag", "is escalated"),
                ),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "milestones",
            "Milestones",
            (
                _external_id("milestone id"),
                _account(),
                _text("name", "Name", 200, True, "milestone"),
                _date("planned_on", "Planned on", True, "planned", "due on"),
                _date("achieved_on", "Achieved on", False, "achieved", "reached on"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "triggers",
            "Engagement triggers",
            (
                _external_id("trigger id"),
                _account(),
                _contact(),
                _choice("kind", "Kind", v.TRIGGER_KINDS, True, "trigger", "type"),
                _date("occurred_on", "Occurred on", True, "date"),
                _note(),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "outreach",
            "Outreach (asks and follow-ups)",
            (
                _external_id("outreach id"),
                _contact(True, "Contact", "advocate", "advocate contact"),
                _choice("purpose", "Purpose", v.OUTREACH_PURPOSES),
                _choice("channel", "Channel", v.CHANNELS),
                _choice("owner_role", "Owner role", v.OWNER_ROLES),
                _ref("owner", "Owner", "users", False, "owner username"),
                FieldSpec(
                    "follow_up_number",
                    "Follow-up number",
                    "int",
                    minimum=0,
                    maximum=10,
                    aliases=("follow up", "follow-up"),
                ),
                _date("sent_on", "Sent on", True, "sent", "asked on"),
                _date("responded_on", "Responded on", False, "responded"),
                _choice("outcome", "Outcome", v.OUTREACH_OUTCOMES),
                _note(),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "assets",
            "Marketing assets",
            (
                _external_id("asset id"),
                _text("title", "Title", 200),
                _choice("asset_type", "Asset type", v.ASSET_TYPES, True, "type"),
                _account(required=False),
                _contact(),
                _note("summary", "Summary"),
                _note("quote", "Quote"),
                _choice("company_size", "Company size", v.SEGMENTS, True, "segment", "size"),
                _choice("region", "Region", v.REGIONS),
                _choice("approval_status", "Approval status", v.APPROVAL_STATUSES, True, "approval"),
                _date("published_on", "Published on", False, "published"),
                _date("review_by", "Review by", False, "review"),
                _text("url", "URL", 500, True, "link"),
                FieldSpec("industries", "Industries", "list", max_length=60, aliases=("industry",)),
                FieldSpec("products", "Products", "list", max_length=60, aliases=("product",)),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "purchases",
            "Purchases",
            (
                _external_id("purchase id", "order id"),
                _account(),
                _date("purchased_on", "Purchased on", True, "date", "purchase date"),
                _money("amount", "Amount", "value"),
                _ref("referral", "Referral code", "referrals", False, "referral", "code"),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "spend",
            "Acquisition spend",
            (
                _date("month", "Month", True, "month start"),
                _choice("channel", "Channel", v.SPEND_CHANNELS),
                _money("amount", "Amount", "spend"),
            ),
            ("month", "channel"),
        ),
        EntitySpec(
            "referrals",
            "Referrals",
            (
                _text("code", "Code", 40, True, "referral code"),
                _contact(True, "Advocate contact", "advocate", "contact"),
                _text("referred_company", "Referred company", 200, True, "company", "prospect"),
                _text("campaign", "Campaign", 60),
                _date("created_on", "Created on", True, "created", "date"),
            ),
            ("code",),
        ),
        EntitySpec(
            "referral_events",
            "Referral events",
            (
                _external_id("event id"),
                _ref("referral", "Referral code", "referrals", True, "referral", "code"),
                _choice("event", "Event", v.REFERRAL_EVENTS),
                FieldSpec("occurred_at", "Occurred at", "datetime", True, aliases=("at", "time", "date")),
            ),
            ("external_id",),
        ),
        EntitySpec(
            "churn",
            "Churn events",
            (
                _account(),
                _date("churned_on", "Churned on", True, "churn date", "date", "churned at", "cancelled on"),
                _text("reason", "Reason", 200, False, "churn reason", "reason code", "cancellation reason"),
                FieldSpec(
                    "arr_lost", "ARR lost", "number", minimum=0, maximum=MONEY_MAX, aliases=("lost arr",)
                ),
                FieldSpec(
                    "churned",
                    "Churned (yes/no)",
                    "bool",
                    aliases=(
                        "churn",
                        "churn flag",
                        "churn label",
                        "churn value",
                        "is churned",
                        "churned flag",
                    ),
                    skip="not churned",
                    stored=False,
                ),
            ),
            ("account", "churned_on"),
        ),
    )
}


def entity_spec(entity: str) -> EntitySpec:
    """The spec of entity, or a ValueError naming the importable ones."""
    if entity not in ENTITIES:
        raise ValueError(f"'{entity}' is not one of {', '.join(ENTITIES)}.")
    return ENTITIES[entity]
