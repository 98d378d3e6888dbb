import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core import health, weekly
from core.settings import DEFAULTS

# Monday 4 March 2024: this week is 4–10 March, last week 26 Feb – 3 Mar (2024 is a leap year).
WEEK = dt.date(2024, 3, 4)
NAN = float("nan")

# With the default weights (usage 30, outcomes 15, utilisation 15, feedback 20, support 20 of 100) an
# account with the same sub-score s in every dimension scores s; bands: healthy ≥ 75, at risk < 60.


def subs(rows: dict[int, float | list[float]]) -> pd.DataFrame:
    """Stored sub-scores by account id: one number for all five dimensions, or a list of five."""
    values = {key: value if isinstance(value, list) else [value] * 5 for key, value in rows.items()}
    frame = pd.DataFrame.from_dict(values, orient="index", columns=list(health.DIMENSIONS), dtype=float)
    return frame.rename_axis("account_id")


def account_rows(arr: dict[int, float]) -> pd.DataFrame:
    """Accounts named "A<id>", owned by "O<id>", with the ARR given."""
    frame = pd.DataFrame(
        {
            "name": [f"A{key}" for key in arr],
            "owner": [f"O{key}" for key in arr],
            "segment": "SMB",
            "industry": "Retail",
            "arr": list(arr.values()),
        },
        index=pd.Index(list(arr), name="account_id"),
    )
    return frame


def dated(rows: list[tuple], columns: list[str], dates: list[str], index: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    if index:
        frame.index = pd.Index(range(1, len(frame) + 1), name=index)
    return frame


# ---- the scenario: every input of one review --------------------------------------------

LAST_SUBS = subs({1: 80, 2: 50, 4: NAN, 5: 70, 6: 95})
THIS_SUBS = subs({1: 50, 2: 40, 3: [40, 40, 40, 40, 0], 4: NAN, 5: 55, 6: 90})
ACCOUNTS = account_rows({1: 100_000, 2: 50_000, 3: 300_000, 4: 10_000, 5: 200_000, 6: 80_000})

SURVEY_COLUMNS = ["account_id", "account", "contact", "kind", "score", "responded_on", "comment"]
SURVEYS = dated(
    [
        (1, "A1", "Ann", "nps", 10, "2024-03-04 09:00", "Great"),  # promoter, Monday
        (2, "A2", "Bob", "nps", 9, "2024-03-10 23:59", None),  # promoter, Sunday
        (3, "A3", None, "nps", 8, "2024-03-05", None),  # passive
        (4, "A4", "Dan", "nps", 7, "2024-03-05", None),  # passive
        (5, "A5", "Eve", "nps", 6, "2024-03-05", "Slow"),  # detractor
        (6, "A6", "Fay", "nps", 0, "2024-03-07", "Bad"),  # detractor
        (1, "A1", "Ann", "csat", 2, "2024-03-06", None),  # CSAT: ignored
        (2, "A2", "Bob", "nps", 3, "2024-03-03 23:00", None),  # last week's detractor
        (3, "A3", "Cy", "nps", 9, "2024-02-26", None),  # last week's promoter (its Monday 00:00)
        (4, "A4", "Dan", "nps", 5, "2024-02-25", None),  # the week before last
        (5, "A5", "Eve", "nps", 10, "2024-03-11", None),  # next week
    ],
    SURVEY_COLUMNS,
    ["responded_on"],
)

CHANGE_COLUMNS = ["advocate_id", "advocate", "account", "from_stage", "to_stage", "changed_at"]
STAGE_CHANGES = dated(
    [
        (1, "Ann", "A1", None, "candidate", "2024-03-05"),  # new this week
        (2, "Bob", "A2", "candidate", "nominated", "2024-03-06"),
        (3, "Cy", "A3", "asked", "agreed", "2024-03-08"),
        (4, "Dan", "A4", None, "candidate", "2024-02-28"),  # new last week
        (5, "Eve", "A5", "nominated", "asked", "2024-03-01"),  # moved last week
        (6, "Fay", "A6", None, "candidate", "2024-03-11"),  # next week
    ],
    CHANGE_COLUMNS,
    ["changed_at"],
)

OUTREACH = dated(
    [
        ("2024-03-04", None, "no_response", 0),  # ask this week
        ("2024-03-05", None, "no_response", 1),  # a follow-up, not an ask
        ("2024-02-27", "2024-03-06", "agreed", 0),  # ask last week, agreement this week
        ("2024-02-26", "2024-02-28", "declined", 0),  # ask last week
        ("2024-02-20", "2024-02-29", "agreed", 2),  # agreement last week
        ("2024-03-08", None, "no_response", 0),  # ask this week
        ("2024-03-10", "2024-03-11", "agreed", 0),  # ask this week, agreement next week
    ],
    ["sent_on", "responded_on", "outcome", "follow_up_number"],
    ["sent_on", "responded_on"],
)


def asset_rows(rows: list[tuple]) -> pd.DataFrame:
    """(title, approval_status, published_on, review_by, account_churned[, approval_until]) of case studies; ids 1,
    2, …; no approval_until: the approval holds without end."""
    frame = dated(
        [(*row, None)[:6] for row in rows],
        ["title", "approval_status", "published_on", "review_by", "account_churned", "approval_until"],
        ["published_on", "review_by", "approval_until"],
        index="id",
    )
    return frame.assign(
        asset_type="case_study", account_score=90.0, segment="SMB", account_band="healthy", contact_left=False
    )


# The age limit is 2 years = 730.5 days: a day D is too old at moment T when D ≤ T − 731 days.
# T = 11 Mar 2024 → D ≤ 11 Mar 2022; T = 4 Mar 2024 → D ≤ 4 Mar 2022; T = 26 Feb 2024 → D ≤ 25 Feb 2022.
ASSETS = asset_rows(
    [
        ("P1", "approved", "2024-03-06", None, False),  # published this week
        ("P2", "pending", "2024-03-05", None, False),  # not approved: not counted
        ("P3", "approved", "2024-02-27", None, False),  # published last week
        ("P4", "approved", "2024-03-10 23:00", None, False),  # published this week (Sunday night)
        ("S1", "approved", "2022-03-11", None, False),  # too old from 11 Mar 2024: stale this week
        ("S2", "approved", "2022-03-04", None, False),  # too old from 4 Mar 2024: stale last week
        ("S3", "approved", "2023-06-01", "2024-03-10", False),  # past review on 11 Mar: this week
        ("S4", "approved", "2023-06-01", "2024-03-03", False),  # past review on 4 Mar: last week
        ("S5", "approved", "2023-06-01", "2024-03-05", True),  # churned customer: stale all along
        ("S6", "approved", "2021-01-01", None, False),  # too old long ago
        ("S7", "pending", "2023-06-01", "2024-03-04", False),  # past review on 5 Mar: this week
    ]
)

# T = week end: 11 Mar 00:00 this week, 4 Mar 00:00 last week.
REQUESTS = dated(
    [
        ("R1", "call", "2024-03-01", "2024-03-03", "2024-03-05", "done"),  # fulfilled this; overdue at 4 Mar
        (
            "R2",
            "call",
            "2024-03-06",
            "2024-03-08",
            "2024-03-12",
            "done",
        ),  # fulfilled after T: overdue (3 days)
        ("R3", "visit", "2024-03-06", "2024-03-08", None, "declined"),  # declined: never overdue
        ("R4", "call", "2024-03-07", "2024-03-09", None, "open"),  # overdue at 11 Mar (2 days)
        ("R5", "call", "2024-03-09", "2024-03-12", None, "open"),  # needed after T
        ("R6", "call", "2024-02-26", "2024-02-28", "2024-02-29", "done"),  # fulfilled last week, on time
        ("R7", "call", "2024-03-10 12:00", "2024-03-11", None, "open"),  # needed exactly at T: not yet
        (
            "R8",
            "call",
            "2024-03-01",
            "2024-03-02",
            "2024-03-11",
            "done",
        ),  # fulfilled at T: overdue at 4 Mar only
        (
            "R9",
            "asset",
            "2024-03-01",
            "2024-03-10",
            "2024-03-04",
            "done",
        ),  # fulfilled this week (Monday 00:00)
        (
            "R10",
            "call",
            "2024-02-20",
            "2024-02-22",
            None,
            "assigned",
        ),  # overdue both weeks (18 days at 11 Mar)
        ("R11", "webinar", "2024-03-04", "2024-03-06", None, "open"),  # overdue at 11 Mar (5 days)
    ],
    ["prospect", "kind", "requested_at", "needed_by", "fulfilled_at", "status"],
    ["requested_at", "needed_by", "fulfilled_at"],
    index="id",
)

REFERRALS = dated(
    [("C1", "Ann", "X", "2024-03-04"), ("C2", "Bob", "Y", "2024-03-10"), ("C3", "Cy", "Z", "2024-02-29")],
    ["code", "advocate", "referred_company", "created_on"],
    ["created_on"],
)

PURCHASES = dated(
    [
        (1, "2024-03-05", 1000.0, 7.0),
        (2, "2024-03-06", 500.0, NAN),
        (3, "2024-02-27", 2000.0, NAN),
        (4, "2024-03-11", 900.0, 8.0),  # next week
    ],
    ["account_id", "purchased_on", "amount", "referral_id"],
    ["purchased_on"],
)


def scenario_review() -> weekly.WeeklyReview:
    return weekly.review(
        WEEK,
        THIS_SUBS,
        LAST_SUBS,
        ACCOUNTS,
        SURVEYS,
        STAGE_CHANGES,
        OUTREACH,
        ASSETS,
        REQUESTS,
        REFERRALS,
        PURCHASES,
        DEFAULTS,
        {},
    )


# ---- health --------------------------------------------------------------------------


def scored(subs: pd.DataFrame) -> pd.DataFrame:
    """A week's scores under the global settings (every account SMB, no profiles)."""
    return weekly.scored(subs, ACCOUNTS["segment"], DEFAULTS, {})


def test_scored_without_profiles_is_health_combine():
    pd.testing.assert_frame_equal(scored(THIS_SUBS), health.combine(THIS_SUBS, DEFAULTS))


def test_entered_at_risk():
    this, last = scored(THIS_SUBS), scored(LAST_SUBS)
    result = weekly.entered_at_risk(this, last, ACCOUNTS)
    # 1: 80 healthy → 50 at risk; 3: not scored last week → 32; 5: 70 watch → 55.
    # Not: 2 was already at risk (50 → 40); 4 has insufficient data; 6 stays healthy (95 → 90).
    # Order by ARR: 3 (300k), 5 (200k), 1 (100k).
    assert result.index.name == "account_id"
    assert result.index.tolist() == [3, 5, 1]
    assert result.columns.tolist() == weekly.ENTERED_COLUMNS
    assert result["name"].tolist() == ["A3", "A5", "A1"]
    assert result["owner"].tolist() == ["O3", "O5", "O1"]
    assert result["arr"].tolist() == [300_000, 200_000, 100_000]
    assert math.isnan(result.loc[3, "score_last"])
    assert pd.isna(result.loc[3, "band_last"])
    assert result.loc[[5, 1], "score_last"].tolist() == pytest.approx([70, 80])
    assert result.loc[[5, 1], "band_last"].tolist() == ["watch", "healthy"]
    # 3: (30·40 + 15·40 + 15·40 + 20·40 + 20·0) ÷ 100 = 32.
    assert result["score_this"].tolist() == pytest.approx([32, 55, 50])
    # 3: support costs 20·100 = 2000 points per 100 of weight, usage 30·60 = 1800: support is the top reason.
    # 5 and 1: every sub-score equal, so the heaviest weight (usage) costs the most.
    assert result["top_reason"].tolist() == ["Support & operations", "Product usage", "Product usage"]


def test_biggest_drops_order_and_reasons():
    last = scored(subs({1: 100, 2: 60, 3: 80, 4: 70, 6: 90}))
    this = scored(
        subs(
            {
                1: [80, 99.8, 100, 100, 90],
                2: [60, NAN, 60, 60, 43],
                3: [79, 80, 80, 80, 80],
                4: 75,
                5: 40,
                6: [90, 89.8, 90, 90, 90],
            }
        )
    )
    result = weekly.biggest_drops(this, last, account_rows({n: 1000.0 * n for n in range(1, 7)}))
    # 1: 100 → (2400 + 1497 + 1500 + 2000 + 1800) ÷ 100 = 91.97, change −8.03. Contributions fell:
    #    usage 30 → 24 (6.0), support 20 → 18 (2.0), outcomes 15 → 14.97 (0.03, under 0.05: not named).
    # 2: 60 → outcomes has no data, weights 85: (1800 + 900 + 1200 + 860) ÷ 85 = 56, change −4.
    #    Contributions were 18, 9, 9, 12, 12; now 21.18, none (0), 10.59, 14.12, 10.12:
    #    outcomes fell 9.0, support 1.88; the others rose (together −4, the change).
    # 3: 80 → 79.7 (usage 24 → 23.7), change −0.3.
    # 6: 90 → 89.97, change −0.03: a fall, though too small a one for any dimension to be named.
    # 4 rose; 5 was not scored last week.
    assert result.index.tolist() == [1, 2, 3, 6]
    assert result.columns.tolist() == weekly.DROP_COLUMNS
    assert result["name"].tolist() == ["A1", "A2", "A3", "A6"]
    assert result["arr"].tolist() == [1000, 2000, 3000, 6000]
    assert result["score_last"].tolist() == pytest.approx([100, 60, 80, 90])
    assert result["score_this"].tolist() == pytest.approx([91.97, 56, 79.7, 89.97])
    assert result["change"].tolist() == pytest.approx([-8.03, -4, -0.3, -0.03])
    assert result["reasons"].tolist() == [
        "Product usage −6.0, Support & operations −2.0",
        "Business outcomes −9.0, Support & operations −1.9",
        "Product usage −0.3",
        "",
    ]
    assert weekly.biggest_drops(this, last, ACCOUNTS, limit=2).index.tolist() == [1, 2]


# ---- feedback and advocates ----------------------------------------------------------


def test_promoters_and_detractors():
    promoters, detractors = weekly.new_promoters_and_detractors(SURVEYS, WEEK)
    # This week's NPS answers 10, 9 (promoters), 8, 7 (passives), 6, 0 (detractors); CSAT 2 and the other
    # weeks' answers are left out. Newest first.
    assert promoters.columns.tolist() == weekly.ANSWER_COLUMNS
    assert promoters["score"].tolist() == [9, 10]
    assert promoters["account"].tolist() == ["A2", "A1"]
    assert promoters["comment"].tolist()[1] == "Great"
    assert detractors["score"].tolist() == [0, 6]
    assert detractors["contact"].tolist() == ["Fay", "Eve"]
    assert detractors["responded_on"].tolist() == [pd.Timestamp("2024-03-07"), pd.Timestamp("2024-03-05")]


def test_stage_moves():
    new, moves = weekly.stage_moves(STAGE_CHANGES, WEEK)
    assert new.columns.tolist() == weekly.NEW_ADVOCATE_COLUMNS
    assert new["advocate"].tolist() == ["Ann"]
    assert new["to_stage"].tolist() == ["candidate"]
    assert moves.columns.tolist() == weekly.MOVE_COLUMNS
    # Newest first: Cy on 8 Mar, Bob on 6 Mar; last week's and next week's changes left out.
    assert moves["advocate_id"].tolist() == [3, 2]
    assert moves["from_stage"].tolist() == ["asked", "candidate"]
    assert moves["to_stage"].tolist() == ["agreed", "nominated"]


# ---- assets and references -----------------------------------------------------------


def test_assets_published():
    result = weekly.assets_published(ASSETS, WEEK)
    # P4 (Sunday 23:00) and P1 (Wednesday) are approved; P2 is pending; P3 was last week.
    assert result.columns.tolist() == weekly.PUBLISHED_COLUMNS
    assert result["title"].tolist() == ["P4", "P1"]


def test_assets_gone_stale_this_week():
    result = weekly.assets_gone_stale(ASSETS, WEEK, DEFAULTS)
    # Fresh at 4 Mar, stale at 11 Mar: S1 crosses the age limit, S3 and S7 pass their review-by dates.
    # S2 and S4 went stale last week; S5 (churned customer) and S6 (old) were stale already.
    assert result.index.name == "asset_id"
    assert result.columns.tolist() == weekly.STALE_COLUMNS
    assert result["title"].tolist() == ["S1", "S3", "S7"]
    assert result["too_old"].tolist() == [True, False, False]
    assert result["past_review"].tolist() == [False, True, True]
    assert (
        not result[["approval_expired", "customer_churned", "customer_at_risk", "contact_left"]].any().any()
    )
    assert result["stale_reasons"].tolist() == [
        "older than 2 years",
        "past its review-by date (10 Mar 2024)",
        "past its review-by date (04 Mar 2024)",
    ]
    last_week = weekly.assets_gone_stale(ASSETS, WEEK - dt.timedelta(days=7), DEFAULTS)
    assert last_week["title"].tolist() == ["S2", "S4"]


def test_an_asset_goes_stale_the_week_its_approval_runs_out():
    approvals = asset_rows(
        [
            ("A1", "approved", "2023-06-01", None, False, "2024-03-08"),  # held until Fri 8 Mar: this week
            ("A2", "approved", "2023-06-01", None, False, "2024-03-03"),  # held until Sun 3 Mar: last week
            ("A3", "approved", "2023-06-01", None, False, "2024-03-11"),  # holds on into next week
        ]
    )
    result = weekly.assets_gone_stale(approvals, WEEK, DEFAULTS)
    assert result["title"].tolist() == ["A1"]
    assert result["stale_reasons"].tolist() == ["customer's approval ran out (held until 08 Mar 2024)"]
    assert weekly.assets_gone_stale(approvals, WEEK - dt.timedelta(days=7), DEFAULTS)["title"].tolist() == [
        "A2"
    ]


def test_requests_fulfilled():
    result = weekly.requests_fulfilled(REQUESTS, WEEK)
    # R9 on Monday 00:00, R1 on 5 Mar; R2 (12 Mar) and R8 (11 Mar 00:00) fall in the next week.
    assert result.columns.tolist() == weekly.FULFILLED_COLUMNS
    assert result["prospect"].tolist() == ["R9", "R1"]


def test_requests_overdue_at_week_end():
    result = weekly.requests_overdue(REQUESTS, WEEK)
    # At 11 Mar 00:00: R10 18 days, R11 5 days, R2 3 days (fulfilled on 12 Mar, after T), R4 2 days.
    # Not: R3 declined, R5 and R7 not needed before T, R1, R6 and R9 fulfilled in time, R8 fulfilled at T.
    assert result.index.name == "request_id"
    assert result.columns.tolist() == weekly.OVERDUE_COLUMNS
    assert result["prospect"].tolist() == ["R10", "R11", "R2", "R4"]
    assert result["days_overdue"].tolist() == pytest.approx([18, 5, 3, 2])
    # At 4 Mar 00:00: R10 (11 days), R8 (2 days, fulfilled 11 Mar) and R1 (1 day, fulfilled 5 Mar).
    last_week = weekly.requests_overdue(REQUESTS, WEEK - dt.timedelta(days=7))
    assert last_week["prospect"].tolist() == ["R10", "R8", "R1"]
    assert last_week["days_overdue"].tolist() == pytest.approx([11, 2, 1])


# ---- summary and the whole review ----------------------------------------------------


def test_summary_rows():
    table = scenario_review().summary
    assert table.columns.tolist() == weekly.SUMMARY_COLUMNS
    expected = [
        # Last week only 2 is at risk; this week 1, 2, 3 and 5. Entered: 1, 3, 5. Fell: 1, 2, 5, 6.
        ("Health", "Accounts at risk", 1, 4, 3),
        ("Health", "Entered the at-risk band", NAN, 3, NAN),
        ("Health", "Accounts whose score fell", NAN, 4, NAN),
        # Last week: 9 (26 Feb, promoter) and 3 (3 Mar, detractor); this week 10, 9, 8, 7, 6, 0.
        ("Feedback", "NPS responses", 2, 6, 4),
        ("Feedback", "New promoters", 1, 2, 1),
        ("Feedback", "New detractors", 1, 2, 1),
        ("Advocates", "New advocates", 1, 1, 0),
        ("Advocates", "Stage moves", 1, 2, 1),
        # Asks sent 26 and 27 Feb; 4, 8 and 10 Mar. Agreed 29 Feb; 6 Mar (11 Mar is next week).
        ("Advocates", "Asks", 2, 3, 1),
        ("Advocates", "Agreements", 1, 1, 0),
        ("Assets", "Assets published", 1, 2, 1),
        ("Assets", "Assets gone stale", 2, 3, 1),
        # Fulfilled: R6; R9 and R1. Overdue: R10, R8, R1 at 4 Mar; R10, R11, R2, R4 at 11 Mar.
        ("References", "Requests fulfilled", 1, 2, 1),
        ("References", "Requests overdue at week end", 3, 4, 1),
        ("Referrals", "Referrals sent", 1, 2, 1),
        # Last week 2000 (not referred); this week 1000 (referred) + 500; 900 on 11 Mar is next week's.
        ("Referrals", "Purchases", 1, 2, 1),
        ("Referrals", "Purchase revenue", 2000, 1500, -500),
        ("Referrals", "Referral purchases", 0, 1, 1),
    ]
    assert list(zip(table["section"], table["measure"], strict=True)) == [row[:2] for row in expected]
    for column, position in (("last_week", 2), ("this_week", 3), ("change", 4)):
        np.testing.assert_array_equal(table[column].to_numpy(), [row[position] for row in expected])


def test_the_review_bands_each_account_under_its_segments_profile():
    # Accounts 1 and 5 are Enterprise, whose profile draws at risk below 50 and healthy from 60; the rest (SMB)
    # follow the global 60 and 75. Last week: 1 scored 80 and 5 70, both healthy under Enterprise's 60; 2 (50)
    # is at risk, 6 (95) healthy. This week: 1 (50) and 5 (55) are watch (not below 50), where the global
    # thresholds would put both at risk; 2 (40) and 3 (32) are at risk; only 3 entered the band (2 was in it).
    accounts = ACCOUNTS.assign(segment=["Enterprise", "SMB", "SMB", "SMB", "Enterprise", "SMB"])
    profiles = {"Enterprise": {"band_at_risk_below": 50.0, "band_healthy_min": 60.0}}
    result = weekly.review(
        WEEK,
        THIS_SUBS,
        LAST_SUBS,
        accounts,
        SURVEYS,
        STAGE_CHANGES,
        OUTREACH,
        ASSETS,
        REQUESTS,
        REFERRALS,
        PURCHASES,
        DEFAULTS,
        profiles,
    )
    health_rows = result.summary.set_index("measure").loc[["Accounts at risk", "Entered the at-risk band"]]
    np.testing.assert_array_equal(health_rows["last_week"].to_numpy(), [1, NAN])
    np.testing.assert_array_equal(health_rows["this_week"].to_numpy(), [2, 1])
    assert result.entered_at_risk.index.tolist() == [3]


def test_an_assets_customer_band_follows_its_segments_profile():
    # Scores 55 and 72: SMB (global: at risk < 60, healthy ≥ 75) → at risk and watch; Enterprise (at risk < 50,
    # healthy ≥ 70) → watch and healthy; no score → no band.
    assets = pd.DataFrame(
        {
            "account_score": [55.0, 55.0, 72.0, 72.0, NAN],
            "segment": ["SMB", "Enterprise", "SMB", "Enterprise", "SMB"],
        }
    )
    profiles = {"Enterprise": {"band_at_risk_below": 50.0, "band_healthy_min": 70.0}}
    bands = weekly.account_bands(assets, DEFAULTS, profiles)
    assert bands.tolist()[:4] == ["at_risk", "watch", "watch", "healthy"]
    assert pd.isna(bands.iloc[4])


def test_review_holds_the_detail_lists():
    result = scenario_review()
    assert result.week == WEEK
    assert result.entered_at_risk.index.tolist() == [3, 5, 1]
    assert result.biggest_drops.index.tolist() == [1, 5, 2, 6]  # −30, −15, −10, −5
    assert result.promoters["score"].tolist() == [9, 10]
    assert result.detractors["score"].tolist() == [0, 6]
    assert result.new_advocates["advocate"].tolist() == ["Ann"]
    assert result.stage_moves["advocate"].tolist() == ["Cy", "Bob"]
    assert result.assets_published["title"].tolist() == ["P4", "P1"]
    assert result.assets_gone_stale["title"].tolist() == ["S1", "S3", "S7"]
    assert result.requests_fulfilled["prospect"].tolist() == ["R9", "R1"]
    assert result.requests_overdue["prospect"].tolist() == ["R10", "R11", "R2", "R4"]


def test_export_table_stacks_every_detail_list():
    result = scenario_review()
    table = weekly.export_table(result)
    assert table.columns[0] == "section"
    assert {"account_id", "asset_id", "request_id", "advocate_id", "reasons", "days_overdue"} <= set(
        table.columns
    )
    assert table["section"].value_counts().to_dict() == {
        "Entered the at-risk band": 3,
        "Biggest score drops": 4,
        "New promoters": 2,
        "New detractors": 2,
        "New advocates": 1,
        "Stage moves": 2,
        "Assets published": 2,
        "Assets gone stale": 3,
        "Requests fulfilled": 2,
        "Requests overdue at week end": 4,
    }
    assert table["section"].iloc[0] == "Entered the at-risk band"
    assert table["account_id"].iloc[:3].tolist() == [3, 5, 1]
    stale = table[table["section"] == "Assets gone stale"]
    assert stale["asset_id"].tolist() == [5, 7, 11]
    assert stale["stale_reasons"].iloc[0] == "older than 2 years"


def test_a_week_is_named_by_its_monday():
    with pytest.raises(ValueError, match="Monday"):
        weekly.stage_moves(STAGE_CHANGES, dt.date(2024, 3, 5))


# ---- empty inputs --------------------------------------------------------------------


DATE_SUFFIXES = ("_on", "_at", "_by", "_until")


def empty(columns: list[str], index: str | None = None) -> pd.DataFrame:
    """No rows, as a read without results returns them: dates (…_on, …_at, …_by, …_until) datetime64, the rest
    untyped."""
    frame = pd.DataFrame(columns=columns).astype(
        {column: "datetime64[us]" for column in columns if column.endswith(DATE_SUFFIXES)}
    )
    return frame.rename_axis(index) if index else frame


def test_empty_inputs():
    result = weekly.review(
        WEEK,
        empty(list(health.DIMENSIONS), "account_id"),
        empty(list(health.DIMENSIONS), "account_id"),
        empty(["name", "owner", "segment", "industry", "arr"], "account_id"),
        empty(SURVEY_COLUMNS),
        empty(CHANGE_COLUMNS),
        empty(["sent_on", "responded_on", "outcome", "follow_up_number"]),
        empty(
            [
                "title",
                "asset_type",
                "approval_status",
                "published_on",
                "review_by",
                "approval_until",
                "account_churned",
                "account_score",
                "segment",
                "contact_left",
            ],
            "id",
        ),
        empty(["prospect", "kind", "requested_at", "needed_by", "fulfilled_at", "status"], "id"),
        empty(["code", "advocate", "referred_company", "created_on"]),
        empty(["account_id", "purchased_on", "amount", "referral_id"]),
        DEFAULTS,
        {},
    )
    unknowable = {"Entered the at-risk band", "Accounts whose score fell"}
    known = ~result.summary["measure"].isin(unknowable)
    assert len(result.summary) == 18
    assert (result.summary.loc[known, ["last_week", "this_week", "change"]] == 0).all().all()
    assert result.summary.loc[~known, "this_week"].tolist() == [0, 0]
    assert result.summary.loc[~known, ["last_week", "change"]].isna().all().all()
    details = {
        "entered_at_risk": weekly.ENTERED_COLUMNS,
        "biggest_drops": weekly.DROP_COLUMNS,
        "promoters": weekly.ANSWER_COLUMNS,
        "detractors": weekly.ANSWER_COLUMNS,
        "new_advocates": weekly.NEW_ADVOCATE_COLUMNS,
        "stage_moves": weekly.MOVE_COLUMNS,
        "assets_published": weekly.PUBLISHED_COLUMNS,
        "assets_gone_stale": weekly.STALE_COLUMNS,
        "requests_fulfilled": weekly.FULFILLED_COLUMNS,
        "requests_overdue": weekly.OVERDUE_COLUMNS,
    }
    for name, columns in details.items():
        frame = getattr(result, name)
        assert frame.empty, name
        assert frame.columns.tolist() == columns, name
    table = weekly.export_table(result)
    assert table.empty
    assert table.columns[0] == "section"
    assert "account_id" in table.columns
