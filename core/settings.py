"""Admin settings: every threshold and weight of the domain brief, with the brief's defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingSpec:
    key: str
    label: str
    default: float
    minimum: float
    maximum: float
    group: str
    integer: bool = True


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("nps_ask_floor", "Never ask when latest NPS is at or below", 5, 0, 10, "Who to ask"),
    SettingSpec(
        "new_customer_days", "Too new to ask: customer for fewer than (days)", 90, 0, 730, "Who to ask"
    ),
    SettingSpec(
        "complaint_days", "Recent complaint or escalation blocks asks for (days)", 30, 0, 365, "Who to ask"
    ),
    SettingSpec("recircle_days", "Re-circle an advocate after (days)", 75, 1, 365, "Who to ask"),
    SettingSpec("max_follow_ups", "Follow-ups after no response, at most", 3, 0, 10, "Outreach"),
    SettingSpec("follow_up_due_days", "Follow-up due after no answer for (days)", 7, 1, 60, "Outreach"),
    SettingSpec("reference_sla_hours", "Reference request needed-by SLA (hours)", 48, 1, 720, "References"),
    SettingSpec(
        "fatigue_max_activities",
        "Reference activities per advocate in 90 days, at most",
        2,
        1,
        20,
        "References",
    ),
    SettingSpec(
        "fatigue_window_days", "Window for counting reference activities (days)", 90, 1, 730, "References"
    ),
    SettingSpec(
        "fatigue_cooldown_days", "Cool-down after a reference activity (days)", 30, 0, 365, "References"
    ),
    SettingSpec("asset_max_age_years", "Asset is stale when older than (years)", 2, 1, 10, "References"),
    SettingSpec("thank_you_due_days", "Thank-you overdue after (days)", 7, 1, 90, "Outreach"),
    SettingSpec("program_deep", "Program mode: 1 = deep (top advocates only), 0 = wide", 0, 0, 1, "Program"),
    SettingSpec("deep_pool_size", "Deep program: active advocate pool size", 100, 1, 10_000, "Program"),
    SettingSpec("band_healthy_min", "Healthy band: score at least", 75, 0, 100, "Health bands"),
    SettingSpec("band_at_risk_below", "At-risk band: score below", 60, 0, 100, "Health bands"),
    SettingSpec("drop_points", "Sharp drop: points lost in 4 weeks", 15, 1, 100, "Health bands"),
    SettingSpec("renewal_window_days", "Renewal window for at-risk flag (days)", 90, 1, 365, "Health bands"),
    SettingSpec(
        "usage_gap_is_zero",
        "A week without usage after an account's first counts as zero use (1 = yes, 0 = no data)",
        1,
        0,
        1,
        "Health inputs",
    ),
    SettingSpec(
        "task_cooldown_days",
        "A closed task's condition raises no new task for (days)",
        30,
        0,
        365,
        "Work queue",
    ),
    SettingSpec(
        "task_lookback_days", "Tasks for events (thank-yous) of the last (days)", 90, 1, 730, "Work queue"
    ),
    SettingSpec(
        "churn_horizon_days", "Churn model: churned within (days) after a week", 90, 7, 365, "Churn model"
    ),
    SettingSpec(
        "churn_test_weeks", "Churn model: newest labelled weeks held out to test it", 13, 4, 52, "Churn model"
    ),
    SettingSpec(
        "scoring_hour", "Scoring run and task generation daily from (hour, UTC)", 5, 0, 23, "Schedule"
    ),
    SettingSpec(
        "task_generation_hours", "Task generation between scoring runs every (hours)", 1, 1, 24, "Schedule"
    ),
    SettingSpec("digest_hour", "Digests and the weekly review sent from (hour, UTC)", 7, 0, 23, "Schedule"),
    SettingSpec(
        "digest_weekday", "Weekly digest and weekly review on (1 = Monday … 7 = Sunday)", 1, 1, 7, "Schedule"
    ),
    SettingSpec(
        "delivery_retry_minutes",
        "Failed send: first retry after (minutes), doubling each time",
        5,
        1,
        1440,
        "Schedule",
    ),
    SettingSpec("delivery_max_attempts", "Failed send: give up after (attempts)", 5, 1, 20, "Schedule"),
    SettingSpec(
        "delivery_claim_timeout_minutes",
        "A send started but never finished is tried again after (minutes)",
        30,
        5,
        1440,
        "Schedule",
    ),
    SettingSpec("weight_usage", "Weight: product usage", 30, 0, 100, "Health weights"),
    SettingSpec("weight_outcomes", "Weight: business outcomes", 15, 0, 100, "Health weights"),
    SettingSpec("weight_utilisation", "Weight: service utilisation", 15, 0, 100, "Health weights"),
    SettingSpec("weight_feedback", "Weight: customer feedback", 20, 0, 100, "Health weights"),
    SettingSpec("weight_support", "Weight: support & operations", 20, 0, 100, "Health weights"),
    SettingSpec("target_nps", "Target NPS", 40, -100, 100, "KPI targets"),
    SettingSpec("target_csat", "Target CSAT (% satisfied)", 85, 0, 100, "KPI targets"),
    SettingSpec("target_rcr", "Target repeat customer rate (%)", 70, 0, 100, "KPI targets"),
    SettingSpec("target_ltv_cac", "Target LTV:CAC (×)", 3, 0, 50, "KPI targets", integer=False),
    # The brief's benchmark: referral programs reach ~7.5 % of sales from referrals.
    SettingSpec(
        "target_referral_rate", "Target referral rate (% of purchases)", 7.5, 0, 100, "KPI targets", False
    ),
    SettingSpec(
        "target_on_time", "Target reference requests fulfilled on time (%)", 90, 0, 100, "KPI targets"
    ),
)

BY_KEY = {spec.key: spec for spec in SPECS}
DEFAULTS: dict[str, float] = {spec.key: spec.default for spec in SPECS}


class SettingError(ValueError):
    """A setting value that the rules refuse; the message names the setting."""


def validate(key: str, value: object) -> float:
    """The value as a number if it is allowed for key, else SettingError naming key and range."""
    spec = BY_KEY.get(key)
    if spec is None:
        raise SettingError(f"Unknown setting '{key}'.")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingError(f"{spec.label} ({key}): '{value}' is not a number.") from None
    if spec.integer and not number.is_integer():
        raise SettingError(f"{spec.label} ({key}): {value} must be a whole number.")
    if not spec.minimum <= number <= spec.maximum:
        raise SettingError(f"{spec.label} ({key}): {value:g} is outside {spec.minimum:g}–{spec.maximum:g}.")
    return number


def resolve(stored: dict[str, float]) -> dict[str, float]:
    """Defaults overlaid with the stored values (unknown stored keys are ignored)."""
    return {**DEFAULTS, **{k: val for k, val in stored.items() if k in BY_KEY}}


def check_consistency(settings: dict[str, float]) -> None:
    """Refuse combinations that make no sense together (bands overlapping, all weights zero)."""
    if settings["band_at_risk_below"] > settings["band_healthy_min"]:
        raise SettingError("Health bands: 'at-risk below' must not be higher than 'healthy at least'.")
    if sum(settings[k] for k in WEIGHT_KEYS) <= 0:
        raise SettingError("Health weights: at least one weight must be above zero.")


WEIGHT_KEYS = ("weight_usage", "weight_outcomes", "weight_utilisation", "weight_feedback", "weight_support")
