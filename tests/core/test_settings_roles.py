from dataclasses import dataclass

import pytest

from core import passwords, roles
from core import settings as rules


def test_every_brief_default_is_a_setting():
    expected = {
        "nps_ask_floor": 5,
        "new_customer_days": 90,
        "complaint_days": 30,
        "recircle_days": 75,
        "max_follow_ups": 3,
        "reference_sla_hours": 48,
        "band_healthy_min": 75,
        "band_at_risk_below": 60,
    }
    for key, value in expected.items():
        assert rules.DEFAULTS[key] == value
    assert sum(rules.DEFAULTS[k] for k in rules.WEIGHT_KEYS) == 100


def test_validate_names_setting_and_range():
    assert rules.validate("recircle_days", "60") == 60
    with pytest.raises(rules.SettingError, match=r"recircle_days.*outside 1–365"):
        rules.validate("recircle_days", 0)
    with pytest.raises(rules.SettingError, match="not a number"):
        rules.validate("recircle_days", "soon")
    with pytest.raises(rules.SettingError, match="whole number"):
        rules.validate("max_follow_ups", 2.5)
    with pytest.raises(rules.SettingError, match="Unknown setting"):
        rules.validate("nope", 1)


def test_consistency():
    with pytest.raises(rules.SettingError, match="at-risk below"):
        rules.check_consistency({**rules.DEFAULTS, "band_at_risk_below": 80})
    with pytest.raises(rules.SettingError, match="weight"):
        rules.check_consistency({**rules.DEFAULTS, **{k: 0 for k in rules.WEIGHT_KEYS}})


def test_resolve_overlays_stored_values():
    resolved = rules.resolve({"recircle_days": 60, "unknown": 1})
    assert resolved["recircle_days"] == 60 and "unknown" not in resolved
    assert resolved["max_follow_ups"] == 3


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (
            "admin",
            [
                "home",
                "task",
                "overview",
                "health",
                "account",
                "score-check",
                "advocates",
                "outreach",
                "kpis",
                "referrals",
                "weekly",
                "library",
                "references",
                "playbooks",
                "digests",
                "import",
                "admin",
            ],
        ),
        (
            "account_manager",
            [
                "home",
                "task",
                "overview",
                "health",
                "account",
                "score-check",
                "advocates",
                "outreach",
                "kpis",
                "referrals",
                "weekly",
                "library",
                "playbooks",
                "digests",
            ],
        ),
        (
            "marketing",
            [
                "home",
                "task",
                "overview",
                "health",
                "account",
                "score-check",
                "advocates",
                "outreach",
                "kpis",
                "referrals",
                "weekly",
                "library",
                "references",
                "playbooks",
                "digests",
            ],
        ),
        ("sales", ["home", "library", "references", "digests"]),
        ("intruder", []),
        (None, []),
    ],
)
def test_pages_per_role(role, pages):
    assert [page.key for page in roles.pages_for(role)] == pages


def test_the_advocate_program_is_worked_by_marketing_and_account_teams_not_sales():
    for action in ("nominate", "log_outreach", "record_response", "move_stage", "record_thank_you"):
        assert [r for r in roles.ROLES if roles.may_do(r, action)] == [
            "admin",
            "account_manager",
            "marketing",
        ]
    assert [r for r in roles.ROLES if roles.may_do(r, "record_reward")] == ["admin", "marketing"]


def test_only_admin_changes_settings():
    assert roles.may_do("admin", "update_settings")
    assert not any(roles.may_do(r, "update_settings") for r in ("account_manager", "marketing", "sales"))
    assert not roles.may_do("admin", "no_such_action")


@dataclass(frozen=True)
class Someone:
    id: int | None
    role: str


@pytest.mark.parametrize(
    ("role", "may_upkeep", "may_assign", "may_sentiment"),
    [
        ("admin", True, True, True),
        ("account_manager", False, False, True),
        ("marketing", True, True, False),
        ("sales", False, False, False),
    ],
)
def test_may_answers_writes_and_sections_from_the_matrix(role, may_upkeep, may_assign, may_sentiment):
    someone = Someone(7, role)
    assert roles.may(someone, "library_upkeep") is may_upkeep
    assert roles.may(someone, "assign_reference") is may_assign
    assert roles.may(someone, "record_sentiment") is may_sentiment
    assert not roles.may(someone, "no_such_action")


def test_only_an_account_manager_is_bound_to_a_book():
    amy, ada = Someone(7, "account_manager"), Someone(8, "admin")
    assert (roles.book_owner(amy), roles.book_owner(ada)) == (7, None)
    assert roles.in_book(amy, 7) and not roles.in_book(amy, 8) and not roles.in_book(amy, None)
    assert roles.in_book(ada, 7) and roles.in_book(ada, None)


def test_password_rules():
    assert passwords.password_problem("short") is not None
    assert passwords.password_problem("eight ch") is None
    assert passwords.password_problem("correct horse battery staple") is None
    assert passwords.password_problem("é" * 37) is not None  # 74 bytes
