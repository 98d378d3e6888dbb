import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import advocates
from core.settings import DEFAULTS

TODAY = dt.date(2026, 11, 25)
RULES = ["low_nps", "too_new", "recent_complaint", "asked_recently", "at_risk", "stopped"]


def candidate_rows(rows: list[dict]) -> pd.DataFrame:
    """Contacts as advocacy.candidates returns them, plus the health_band ui.data adds; one row each.

    Unspecified columns describe a long-time customer with a latest NPS of 9, a healthy account and
    no complaint or ask: eligible today, with 40 (promoter) + 10 (healthy) = 50 points.
    """
    defaults = {
        "account_id": 1,
        "account_name": "Acme",
        "contact_name": "Ann",
        "title": "VP Operations",
        "relationship_strength": 1,
        "customer_since": "2024-01-01",
        "owner_id": 1,
        "nps_latest": 9,
        "nps_latest_on": "2026-10-01",
        "csat_mean": None,
        "csat_count": 0,
        "trigger_kinds": 0,
        "triggers": 0,
        "health_score": 80.0,
        "last_complaint_on": None,
        "last_asked_on": None,
        "past_advocacy": 0,
        "advocate_id": None,
        "stage": None,
        "health_band": "healthy",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=list(defaults))
    frame.index = pd.Index(range(1, len(frame) + 1), name="contact_id")
    for column in ("customer_since", "nps_latest_on", "last_complaint_on", "last_asked_on"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    frame["advocate_id"] = frame["advocate_id"].astype("Int64")
    return frame.astype({"nps_latest": float, "csat_mean": float, "health_score": float})


def check(rows: list[dict], settings: dict | None = None) -> pd.DataFrame:
    return advocates.eligibility(candidate_rows(rows), TODAY, settings or DEFAULTS)


def broken_rules(rules: pd.DataFrame) -> list[list[str]]:
    return [[rule for rule in RULES if row[rule]] for _, row in rules.iterrows()]


# ---- NPS class and score --------------------------------------------------------------


def test_nps_class_per_latest_answer():
    latest = pd.Series([10, 9, 8.0, 7, 6, 0, np.nan], index=list("abcdefg"))
    assert advocates.nps_class(latest).to_dict() == {
        "a": "promoter",
        "b": "promoter",
        "c": "passive",
        "d": "passive",
        "e": "detractor",
        "f": "detractor",
        "g": "unknown",
    }


def test_score_parts_of_a_promoter_and_a_passive():
    parts = advocates.score_parts(
        candidate_rows(
            [
                {
                    "nps_latest": 10,
                    "csat_mean": 4.6,
                    "csat_count": 3,
                    "trigger_kinds": 3,
                    "health_band": "healthy",
                    "relationship_strength": 4,
                    "past_advocacy": 2,
                },
                {
                    "nps_latest": 7,
                    "csat_mean": 4.2,
                    "csat_count": 2,
                    "trigger_kinds": 6,
                    "health_band": "watch",
                    "relationship_strength": 1,
                    "past_advocacy": 0,
                },
            ]
        )
    )
    # Promoter: 40 + 15 (CSAT 4.6 ≥ 4.5 over 3) + 3·4 + 10 (healthy) + (4 − 1)·2.5 + 5 = 89.5
    assert parts.loc[1].to_dict() == {
        "nps_points": 40.0,
        "csat_points": 15.0,
        "trigger_points": 12.0,
        "health_points": 10.0,
        "relationship_points": 7.5,
        "advocacy_points": 5.0,
        "advocate_score": 89.5,
    }
    # Passive: 20 + 8 (CSAT 4.2 ≥ 4.0 over 2) + min(6·4, 20) + 5 (watch) + 0 + 0 = 53
    assert parts.loc[2].to_dict() == {
        "nps_points": 20.0,
        "csat_points": 8.0,
        "trigger_points": 20.0,
        "health_points": 5.0,
        "relationship_points": 0.0,
        "advocacy_points": 0.0,
        "advocate_score": 53.0,
    }


def test_score_parts_edges():
    parts = advocates.score_parts(
        candidate_rows(
            [
                # one CSAT answer is not enough; no NPS answer; strength clipped to 5
                {"nps_latest": None, "csat_mean": 5.0, "csat_count": 1, "relationship_strength": 7},
                # CSAT exactly 4.5 over 2 → 15; at risk → 0; strength clipped up to 1
                {"nps_latest": 6, "csat_mean": 4.5, "csat_count": 2, "health_band": "at_risk"},
                # CSAT exactly 4.0 → 8; no health band (no snapshot) → 0
                {"nps_latest": 3, "csat_mean": 4.0, "csat_count": 5, "health_band": None},
                # CSAT 3.99 → 0; strength 0 clipped to 1 → 0
                {"nps_latest": 9, "csat_mean": 3.99, "csat_count": 9, "relationship_strength": 0},
            ]
        )
    )
    assert parts["nps_points"].tolist() == [0, 0, 0, 40]
    assert parts["csat_points"].tolist() == [0, 15, 8, 0]
    assert parts["health_points"].tolist() == [10, 0, 0, 10]
    assert parts["relationship_points"].tolist() == [10, 0, 0, 0]
    # 0+0+10+10 | 0+15+0+0 | 0+8+0+0 | 40+0+10+0
    assert parts["advocate_score"].tolist() == [20, 15, 8, 50]


def test_why_in_words():
    text = advocates.why(
        candidate_rows(
            [
                {
                    "nps_latest": 10,
                    "csat_mean": 4.6,
                    "csat_count": 3,
                    "trigger_kinds": 3,
                    "relationship_strength": 4,
                    "past_advocacy": 2,
                },
                {
                    "nps_latest": 7,
                    "csat_mean": 4.2,
                    "csat_count": 2,
                    "trigger_kinds": 1,
                    "health_band": "watch",
                },
                # detractor, CSAT below 4, weak relationship, at risk: nothing to say
                {
                    "nps_latest": 3,
                    "csat_mean": 3.0,
                    "csat_count": 4,
                    "relationship_strength": 3,
                    "health_band": "at_risk",
                },
                {"nps_latest": None, "trigger_kinds": 2, "health_band": None},
            ]
        )
    )
    assert text.tolist() == [
        "Promoter (NPS 10); CSAT 4.6 over 3 answers; 3 kinds of engagement trigger; healthy account; "
        "strong relationship (4/5); advocated 2× before",
        "Passive (NPS 7); CSAT 4.2 over 2 answers; 1 kind of engagement trigger; watch account",
        "No positive signal yet",
        "2 kinds of engagement trigger",
    ]
    assert text.index.tolist() == [1, 2, 3, 4]


# ---- eligibility, one rule at a time --------------------------------------------------


def test_a_clean_contact_is_eligible_today():
    rules = check([{}])
    assert broken_rules(rules) == [[]]
    assert bool(rules.loc[1, "eligible"]) is True
    assert rules.loc[1, "available_on"] == pd.Timestamp(TODAY)


def test_low_nps_at_the_floor_is_open_ended():
    rules = check([{"nps_latest": 5}, {"nps_latest": 6}, {"nps_latest": 0}, {"nps_latest": None}])
    assert rules["low_nps"].tolist() == [True, False, True, False]
    assert rules["eligible"].tolist() == [False, True, False, True]
    assert pd.isna(rules.loc[1, "available_on"]) and pd.isna(rules.loc[3, "available_on"])
    assert rules.loc[2, "available_on"] == pd.Timestamp(TODAY)


def test_low_nps_follows_the_setting():
    rules = check([{"nps_latest": 6}, {"nps_latest": 7}], {**DEFAULTS, "nps_ask_floor": 6})
    assert rules["low_nps"].tolist() == [True, False]


def test_too_new_boundary_89_vs_90_days():
    # 25 Nov 2026 − 89 days = 28 Aug 2026; − 90 days = 27 Aug 2026
    rules = check([{"customer_since": "2026-08-28"}, {"customer_since": "2026-08-27"}])
    assert broken_rules(rules) == [["too_new"], []]
    # 28 Aug + 90 days = 26 Nov: the first day as a customer of 90 days
    assert rules["available_on"].tolist() == [pd.Timestamp("2026-11-26"), pd.Timestamp(TODAY)]


def test_too_new_follows_the_setting():
    rules = check([{"customer_since": "2026-10-26"}], {**DEFAULTS, "new_customer_days": 30})
    # 26 Oct + 30 = 25 Nov = today: clear
    assert bool(rules.loc[1, "eligible"]) is True
    rules = check([{"customer_since": "2026-10-27"}], {**DEFAULTS, "new_customer_days": 30})
    assert rules.loc[1, "available_on"] == pd.Timestamp("2026-11-26")


def test_recent_complaint_boundary_29_vs_30_days():
    # Complaints are ticket opening times; only the day counts.
    rules = check([{"last_complaint_on": "2026-10-27 09:00"}, {"last_complaint_on": "2026-10-26 16:30"}])
    assert broken_rules(rules) == [["recent_complaint"], []]
    # 27 Oct + 30 days = 26 Nov (a day, not 26 Nov 09:00); 26 Oct + 30 = 25 Nov = today
    assert rules["available_on"].tolist() == [pd.Timestamp("2026-11-26"), pd.Timestamp(TODAY)]


def test_asked_recently_boundary_74_vs_75_days():
    # 25 Nov 2026 − 74 days = 12 Sep 2026; − 75 days = 11 Sep 2026
    rules = check([{"last_asked_on": "2026-09-12"}, {"last_asked_on": "2026-09-11"}])
    assert broken_rules(rules) == [["asked_recently"], []]
    assert rules["available_on"].tolist() == [pd.Timestamp("2026-11-26"), pd.Timestamp(TODAY)]


def test_at_risk_is_open_ended_watch_is_not():
    rules = check([{"health_band": "at_risk"}, {"health_band": "watch"}, {"health_band": None}])
    assert broken_rules(rules) == [["at_risk"], [], []]
    assert pd.isna(rules.loc[1, "available_on"])
    assert rules["eligible"].tolist() == [False, True, True]


def test_paused_and_retired_are_stopped_other_stages_are_not():
    stages = ["paused", "retired", "declined", "candidate", "nominated", "asked", None]
    rules = check([{"stage": stage} for stage in stages])
    assert rules["stopped"].tolist() == [True, True, False, False, False, False, False]
    assert rules["available_on"].isna().tolist() == [True, True, False, False, False, False, False]


# ---- eligibility, rules combined ------------------------------------------------------


def test_available_on_is_the_latest_of_the_waits():
    rules = check(
        [
            {
                "customer_since": "2026-09-11",  # + 90 = 10 Dec
                "last_complaint_on": "2026-11-01 10:00",  # + 30 = 1 Dec
                "last_asked_on": "2026-09-21",  # + 75 = 5 Dec
            },
            # a time-bound wait plus an open-ended rule: no date
            {"customer_since": "2026-09-11", "nps_latest": 4},
            {"last_asked_on": "2026-09-21", "stage": "paused"},
            # a time-bound rule that already cleared does not count
            {
                "customer_since": "2020-01-01",
                "last_asked_on": "2026-09-21",
                "last_complaint_on": "2026-01-01",
            },
        ]
    )
    assert broken_rules(rules) == [
        ["too_new", "recent_complaint", "asked_recently"],
        ["low_nps", "too_new"],
        ["asked_recently", "stopped"],
        ["asked_recently"],
    ]
    assert rules["eligible"].tolist() == [False, False, False, False]
    assert rules.loc[1, "available_on"] == pd.Timestamp("2026-12-10")
    assert pd.isna(rules.loc[2, "available_on"]) and pd.isna(rules.loc[3, "available_on"])
    assert rules.loc[4, "available_on"] == pd.Timestamp("2026-12-05")


# ---- reasons --------------------------------------------------------------------------


def test_reasons_name_every_rule_with_its_numbers():
    candidates = candidate_rows(
        [
            {
                "nps_latest": 4,
                "customer_since": "2026-08-28",
                "last_complaint_on": "2026-10-27 09:00",
                "last_asked_on": "2026-09-12",
                "health_band": "at_risk",
                "stage": "paused",
            },
            {"stage": "retired"},
            {},
        ]
    )
    text = advocates.reasons(candidates, advocates.eligibility(candidates, TODAY, DEFAULTS), DEFAULTS)
    assert text.tolist() == [
        [
            "latest NPS 4 is 5 or below",
            "customer for under 90 days (since 28 Aug 2026)",
            "complaint or escalated ticket on 27 Oct 2026 (within 30 days)",
            "asked on 12 Sep 2026 (re-circle after 75 days)",
            "account health is at risk",
            "paused by the program",
        ],
        ["retired from the program"],
        [],
    ]


def test_reasons_follow_the_settings():
    settings = {**DEFAULTS, "nps_ask_floor": 6, "recircle_days": 90}
    candidates = candidate_rows([{"nps_latest": 6, "last_asked_on": "2026-09-01"}])
    text = advocates.reasons(candidates, advocates.eligibility(candidates, TODAY, settings), settings)
    assert text.tolist() == [["latest NPS 6 is 6 or below", "asked on 01 Sep 2026 (re-circle after 90 days)"]]


# ---- rank and shortlist ---------------------------------------------------------------

# name → row; scores from the defaults: promoter 40 + healthy 10 = 50.
RANK_ROWS = {
    "A": {},  # eligible promoter, 50
    "B": {  # eligible passive, 20 + 15 + 20 + 10 + 10 + 5 = 80
        "nps_latest": 8,
        "csat_mean": 4.8,
        "csat_count": 3,
        "trigger_kinds": 5,
        "relationship_strength": 5,
        "past_advocacy": 1,
    },
    "C": {"trigger_kinds": 5, "last_asked_on": "2026-10-01"},  # asked recently, promoter, 70
    "D": {"nps_latest": None},  # eligible, no NPS answer, 10
    "E": {"nps_latest": 6, "relationship_strength": 5},  # eligible detractor (6 > floor 5), 20
    "F": {"trigger_kinds": 2},  # eligible promoter, 58
    "G": {"stage": "agreed", "trigger_kinds": 5},  # already in the program
    "H": {"stage": "reference_ready", "trigger_kinds": 5},  # already in the program
    "I": {"stage": "nominated", "relationship_strength": 3},  # eligible promoter, 55
    "J": {"nps_latest": 7, "customer_since": "2026-10-01"},  # too new, passive, 30
    "K": {"stage": "paused"},  # paused, promoter, 50
}


def ranked(settings: dict | None = None) -> pd.DataFrame:
    rows = [{"contact_name": name, **row} for name, row in RANK_ROWS.items()]
    return advocates.rank(candidate_rows(rows), TODAY, settings or DEFAULTS)


def test_rank_order_eligible_then_nps_tier_then_score():
    table = ranked()
    assert table["contact_name"].tolist() == ["F", "I", "A", "B", "D", "E", "C", "K", "J"]
    assert table["rank"].tolist() == list(range(1, 10))
    assert table["advocate_score"].tolist() == [58, 55, 50, 80, 10, 20, 70, 50, 30]
    assert table["nps_class"].tolist() == [
        "promoter",
        "promoter",
        "promoter",
        "passive",
        "unknown",
        "detractor",
        "promoter",
        "promoter",
        "passive",
    ]
    assert table["eligible"].tolist() == [True] * 6 + [False] * 3
    # the contact's own columns travel along, indexed by contact_id
    assert table.index.tolist() == [6, 9, 1, 2, 4, 5, 3, 11, 10]
    assert table.loc[3, "available_on"] == pd.Timestamp("2026-12-15")  # 1 Oct + 75
    assert table["in_pool"].all()


def test_deep_mode_pools_only_the_top_n():
    table = ranked({**DEFAULTS, "program_deep": 1, "deep_pool_size": 3})
    assert table.loc[table["in_pool"], "contact_name"].tolist() == ["F", "I", "A"]
    assert advocates.shortlist(table, "eligible")["contact_name"].tolist() == ["F", "I", "A"]
    assert advocates.shortlist(table, "not_now").empty
    assert advocates.shortlist(table, "all")["contact_name"].tolist() == ["F", "I", "A"]


def test_shortlist_views():
    table = ranked()
    assert advocates.shortlist(table, "eligible")["contact_name"].tolist() == ["F", "I", "A", "B", "D", "E"]
    assert advocates.shortlist(table, "not_now")["contact_name"].tolist() == ["C", "K", "J"]
    assert len(advocates.shortlist(table, "all")) == 9
    deep = ranked({**DEFAULTS, "program_deep": 1, "deep_pool_size": 7})
    assert advocates.shortlist(deep, "not_now")["contact_name"].tolist() == ["C"]


# ---- reference fatigue ----------------------------------------------------------------

FATIGUE_TODAY = dt.date(2025, 11, 25)


def activity_rows(rows: list[tuple[int, str]]) -> pd.DataFrame:
    """Reference activities as advocacy.reference_activities returns them (advocate_id, on)."""
    return pd.DataFrame(
        {"advocate_id": [a for a, _ in rows], "on": pd.to_datetime([on for _, on in rows], format="ISO8601")}
    )


def fatigue_table() -> pd.DataFrame:
    return advocates.fatigue(
        activity_rows(
            [
                (1, "2025-09-01"),
                (1, "2025-11-01"),
                (2, "2025-10-16"),  # 40 days ago
                (2, "2025-12-10"),  # future: ignored
                (3, "2025-12-01"),  # only a future activity: not listed
                (4, "2025-09-01"),
                (4, "2025-09-20"),
                (4, "2025-10-10"),
                (5, "2025-10-27"),  # 29 days ago
                (6, "2025-10-26"),  # 30 days ago
                (7, "2025-06-01"),
                (7, "2025-07-01"),
                (8, "2025-08-27"),  # exactly 90 days ago: out of the window
                (8, "2025-10-20"),
                (9, "2025-08-28"),  # 89 days ago: in the window
                (9, "2025-10-20"),
            ]
        ),
        FATIGUE_TODAY,
        DEFAULTS,
    )


def test_fatigue_after_two_activities_in_ninety_days():
    table = fatigue_table()
    assert table.index.tolist() == [1, 2, 4, 5, 6, 7, 8, 9]
    assert table.index.name == "advocate_id"
    # 1: 1 Sep and 1 Nov both after 27 Aug (today − 90): 2 in window; 1 Sep leaves it on 1 Sep + 90 = 30 Nov,
    #    the cool-down ends 1 Nov + 30 = 1 Dec → available on the later one, 1 Dec.
    assert table.loc[1].to_dict() == {
        "activities_in_window": 2,
        "last_activity_on": pd.Timestamp("2025-11-01"),
        "available_on": pd.Timestamp("2025-12-01"),
        "fatigued": True,
    }
    # 4: 3 in window; the count drops below 2 when the second newest (20 Sep) leaves: 20 Sep + 90 = 19 Dec;
    #    the cool-down (10 Oct + 30 = 9 Nov) is over.
    assert table.loc[4, "activities_in_window"] == 3
    assert table.loc[4, "available_on"] == pd.Timestamp("2025-12-19")
    # 9: 28 Aug + 90 = 26 Nov; cool-down 20 Oct + 30 = 19 Nov is over.
    assert table.loc[9, "activities_in_window"] == 2
    assert table.loc[9, "available_on"] == pd.Timestamp("2025-11-26")


def test_no_fatigue_below_the_limit_and_after_the_cool_down():
    table = fatigue_table()
    # 2: one activity 40 days ago (the future one does not count)
    assert table.loc[2].to_dict() == {
        "activities_in_window": 1,
        "last_activity_on": pd.Timestamp("2025-10-16"),
        "available_on": pd.Timestamp(FATIGUE_TODAY),
        "fatigued": False,
    }
    assert not table.loc[6, "fatigued"]  # 26 Oct + 30 = today
    assert table.loc[7, "activities_in_window"] == 0 and not table.loc[7, "fatigued"]
    assert table.loc[8, "activities_in_window"] == 1 and not table.loc[8, "fatigued"]
    # 5: cool-down only: 27 Oct + 30 = 26 Nov
    assert table.loc[5, "activities_in_window"] == 1
    assert table.loc[5, "available_on"] == pd.Timestamp("2025-11-26")
    assert table["fatigued"].tolist() == [True, False, True, True, False, False, False, True]


def test_fatigue_follows_the_settings():
    settings = {**DEFAULTS, "fatigue_max_activities": 3, "fatigue_cooldown_days": 0}
    table = advocates.fatigue(activity_rows([(1, "2025-09-01"), (1, "2025-11-01")]), FATIGUE_TODAY, settings)
    assert not table.loc[1, "fatigued"]
    assert table.loc[1, "available_on"] == pd.Timestamp(FATIGUE_TODAY)


def test_fatigue_reason_names_the_cause_and_the_day():
    table = fatigue_table()
    assert (
        advocates.fatigue_reason(table.loc[1], DEFAULTS)
        == "Fatigued: 2 reference activities in the last 90 days (at most 2); available again on 01 Dec 2025."
    )
    assert (
        advocates.fatigue_reason(table.loc[5], DEFAULTS)
        == "Fatigued: cool-down of 30 days after 27 Oct 2025; available again on 26 Nov 2025."
    )


@pytest.mark.parametrize("rows", [[], [(1, "2025-12-01")]])
def test_fatigue_without_past_activities_is_empty(rows):
    table = advocates.fatigue(activity_rows(rows), FATIGUE_TODAY, DEFAULTS)
    assert table.empty
