import datetime as dt

import pandas as pd

from core import advocates as advocate_rules
from core import assets as library
from core import matching
from core.matching import Prospect
from core.settings import DEFAULTS
from tests.core.test_assets import asset_rows

TODAY = dt.date(2026, 11, 25)
PROSPECT = Prospect("Retail", "SMB", "EMEA", "Analytics", "Slow onboarding and poor adoption")


def test_pain_words_are_distinct_lower_case_words_of_four_letters_or_more():
    # "and" (3 letters) and "at" are too short; "slow" and "adoption" are counted once.
    assert matching.pain_words("Slow onboarding, and poor ADOPTION at scale; slow!") == [
        "slow",
        "onboarding",
        "poor",
        "adoption",
        "scale",
    ]
    assert matching.pain_words("") == []


# ---- assets ---------------------------------------------------------------------------

ASSETS = [
    {  # 1: 40 industry + 15 size + 10 region + 15 product + 20 × 2/4 pain words = 90
        "title": "Retail analytics rollout",
        "summary": "Faster onboarding and adoption",
        "published_on": "2026-06-01",
        "tags_industry": ["Retail"],
        "tags_product": ["Analytics"],
    },
    {  # 2: 40 industry + 10 region = 50, newer than 5
        "title": "Retail automation",
        "company_size": "Enterprise",
        "published_on": "2026-09-01",
        "tags_industry": ["Retail"],
        "tags_product": ["Automation"],
    },
    {  # 3: 40 + 15 + 15 − 25 stale (review date passed) = 45
        "title": "Retail APAC",
        "region": "APAC",
        "review_by": "2026-11-01",
        "tags_industry": ["Retail"],
        "tags_product": ["Analytics"],
    },
    {  # 4: "Retail banking" is not Retail: 15 size + 10 region = 25
        "title": "Bank",
        "tags_industry": ["Retail banking"],
    },
    {  # 5: 40 + 10 = 50, older than 2
        "title": "Retail enterprise",
        "company_size": "Enterprise",
        "published_on": "2026-03-01",
        "tags_industry": ["Retail"],
    },
    {  # 6: pending: 40 + 15 + 10 + 15 = 80, excluded
        "title": "Pending retail",
        "approval_status": "pending",
        "tags_industry": ["Retail"],
        "tags_product": ["Analytics"],
    },
    {  # 7: rejected and 0 points: neither ranked nor excluded
        "title": "Apparel",
        "approval_status": "rejected",
        "company_size": "Enterprise",
        "region": "APAC",
        "tags_industry": ["Apparel"],
    },
    {  # 8: 10 region − 25 stale (customer churned) = −15, floored to 0: neither ranked nor excluded
        "title": "Churned apparel",
        "company_size": "Enterprise",
        "account_churned": True,
        "tags_industry": ["Apparel"],
    },
    {  # 9: rejected: 40 industry − 25 stale (contact left) = 15, excluded
        "title": "Rejected retail",
        "approval_status": "rejected",
        "company_size": "Mid-Market",
        "region": "North America",
        "contact_left": True,
        "tags_industry": ["Retail"],
    },
]


def match(prospect: Prospect = PROSPECT, limit: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    assets, tags = asset_rows(ASSETS)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    return matching.match_assets(prospect, assets, tags, flags, limit=limit)


def test_asset_scores_and_order():
    ranked, _ = match()
    # 90; 50 and 50 (newest first: 2 on 1 Sep before 5 on 1 Mar); 45; 25.
    assert ranked.index.tolist() == [1, 2, 5, 3, 4]
    assert ranked["match_score"].tolist() == [90.0, 50.0, 50.0, 45.0, 25.0]


def test_asset_reasons():
    ranked, _ = match()
    assert ranked["reasons"].to_dict() == {
        1: [
            "same industry (Retail)",
            "same size (SMB)",
            "same region (EMEA)",
            "covers Analytics",
            "mentions: onboarding, adoption",
        ],
        2: ["same industry (Retail)", "same region (EMEA)"],
        5: ["same industry (Retail)", "same region (EMEA)"],
        3: [
            "same industry (Retail)",
            "same size (SMB)",
            "covers Analytics",
            "stale: past its review-by date",
        ],
        4: ["same size (SMB)", "same region (EMEA)"],
    }


def test_each_match_says_what_differs_from_the_prospect():
    ranked, _ = match()
    assert ranked["differs"].to_dict() == {
        1: [],
        2: ["another size (Enterprise)", "does not cover Analytics"],
        5: ["another size (Enterprise)", "does not cover Analytics"],
        3: ["another region (APAC)"],
        4: ["another industry (Retail banking)", "does not cover Analytics"],
    }


def test_a_prospect_without_an_asset_from_its_industry_gets_the_neighbouring_industries_nearest():
    # No Sports asset. Without neighbours only size and region count: 1 and 4 (newer first) 15 + 10 = 25; 2 and 5
    # 10; 3 (15 − 25) and 8 (10 − 25) nothing. With Sports' neighbours Apparel and Retail, those earn 20 more:
    # 1: 45; 2 and 5: 30 (2 newer); 4 (Retail banking): 25; 3: 20 + 15 − 25 = 10; 8 (Apparel): 20 + 10 − 25 = 5.
    prospect = Prospect("Sports", "SMB", "EMEA")
    ranked, _ = match(prospect)
    assert ranked.index.tolist() == [1, 4, 2, 5]
    assets, tags = asset_rows(ASSETS)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    ranked, _ = matching.match_assets(prospect, assets, tags, flags, neighbours=("Apparel", "Retail"))
    assert ranked.index.tolist() == [1, 2, 5, 4, 3, 8]
    assert ranked["match_score"].tolist() == [45.0, 30.0, 30.0, 25.0, 10.0, 5.0]
    assert ranked.loc[1, "reasons"] == [
        "same size (SMB)",
        "same region (EMEA)",
        "neighbouring industry (Retail)",
    ]
    assert ranked.loc[1, "differs"] == ["another industry (Retail)"]
    assert ranked.loc[8, "differs"] == ["another industry (Apparel)", "another size (Enterprise)"]
    assert not ranked["same_industry"].any()
    # The same, found by the one call the page makes: no approved Sports asset, so the neighbours count.
    nearest, _ = matching.match_assets_or_nearest(prospect, assets, tags, flags)
    assert nearest.index.tolist() == [1, 2, 5, 4, 3, 8]


def test_neighbours_count_only_when_no_approved_asset_shares_the_industry():
    # Apparel has approved asset 8 (stale, but approved): its neighbours Retail and Sports earn nothing.
    assets, tags = asset_rows(ASSETS)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    ranked, _ = matching.match_assets_or_nearest(Prospect("Apparel", "SMB", "EMEA"), assets, tags, flags)
    # 1 and 4: 15 + 10 = 25; 8: 40 + 10 − 25 = 25 (newest first: 1 Jun, then 15 Jan twice, by title); 2 and 5: 10
    assert ranked.index.tolist() == [1, 4, 8, 2, 5]
    assert ranked["same_industry"].tolist() == [False, False, True, False, False]


def test_unapproved_assets_are_excluded_with_their_status():
    ranked, excluded = match()
    assert not set(ranked.index) & {6, 7, 8, 9}
    # 6 scores 80, 9 scores 15; 7 and 8 score 0 and are not worth mentioning.
    assert excluded.index.tolist() == [6, 9]
    assert excluded["match_score"].tolist() == [80.0, 15.0]
    assert excluded["reason"].tolist() == [
        "not approved by the customer (pending)",
        "not approved by the customer (rejected)",
    ]


def test_limit_cuts_the_ranked_list_only():
    ranked, excluded = match(limit=2)
    assert ranked.index.tolist() == [1, 2]
    assert excluded.index.tolist() == [6, 9]


def test_only_the_industry_counts_when_nothing_else_is_known():
    ranked, excluded = match(Prospect("Retail"))
    # 40 each for 1, 2, 5 (newest first: 2 Sep, 1 Jun, 5 Mar); 3: 40 − 25 stale = 15; 4 scores 0.
    assert ranked.index.tolist() == [2, 1, 5, 3]
    assert ranked["match_score"].tolist() == [40.0, 40.0, 40.0, 15.0]
    assert ranked.loc[2, "reasons"] == ["same industry (Retail)"]
    # 6: 40; 9: 40 − 25 = 15.
    assert excluded["match_score"].tolist() == [40.0, 15.0]


def test_pain_fit_is_the_share_of_pain_words_found():
    # Words: onboarding, adoption, stores, dashboards. 1 mentions onboarding and adoption: 20 × 2/4 = 10
    # on top of its 40 + 15 + 10 + 15 = 80; "stores" is nowhere, "dashboards" nowhere.
    ranked, _ = match(Prospect("Retail", "SMB", "EMEA", "Analytics", "onboarding adoption stores dashboards"))
    assert ranked.loc[1, "match_score"] == 90.0
    # Only one of the four words found: 20 × 1/4 = 5.
    ranked, _ = match(Prospect("Apparel", pain="ONBOARDING of stores, dashboards and reports"))
    assert ranked.loc[1, "match_score"] == 5.0
    assert ranked.loc[1, "reasons"] == ["mentions: onboarding"]


def test_empty_library_matches_nothing():
    assets, tags = asset_rows([])
    flags = library.freshness(assets, TODAY, DEFAULTS)
    ranked, excluded = matching.match_assets(PROSPECT, assets, tags, flags)
    assert ranked.empty
    assert excluded.empty


# ---- advocates ------------------------------------------------------------------------


def advocate_rows(rows: list[dict]) -> pd.DataFrame:
    """Advocates as the db layer returns them; advocate ids 1, 2, … in the order given.

    Unspecified columns describe a reference-ready promoter (NPS 9) in Retail, SMB, EMEA, using
    Analytics, a long-time customer with a healthy account and no complaint or ask:
    40 + 15 + 10 + 15 + 20 = 100 points against PROSPECT, and nothing against offering them.
    """
    defaults = {
        "contact_name": "Ann",
        "title": "VP Operations",
        "account_name": "Acme",
        "industry": "Retail",
        "segment": "SMB",
        "region": "EMEA",
        "product": "Analytics",
        "stage": "reference_ready",
        "nps_latest": 9,
        "customer_since": "2024-01-01",
        "last_complaint_on": None,
        "last_asked_on": None,
        "health_band": "healthy",
    }
    frame = pd.DataFrame([{**defaults, **row} for row in rows], columns=list(defaults))
    frame.index = pd.Index(range(1, len(frame) + 1), name="advocate_id")
    for column in ("customer_since", "last_complaint_on", "last_asked_on"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame.astype({"nps_latest": float})


ADVOCATES = [
    {"contact_name": "Ann"},  # 1: 100, offered
    {"contact_name": "Bob", "nps_latest": 8, "region": "APAC"},  # 2: 40 + 15 + 15 = 70, offered
    {"contact_name": "Cy", "stage": "agreed"},  # 3: 100, not reference-ready
    {"contact_name": "Dee"},  # 4: 100, cooling down after a reference on 10 Nov
    {"contact_name": "Eve"},  # 5: 100, two references in 90 days
    {"contact_name": "Fay", "nps_latest": 4},  # 6: 40 + 15 + 10 + 15 = 80, NPS too low
    {"contact_name": "Gus", "last_complaint_on": "2026-11-10"},  # 7: 100, complained 15 days ago
    {"contact_name": "Hal", "health_band": "at_risk"},  # 8: 100, account at risk
    # 9: 100; too new a customer and asked 5 days ago, which do not matter for a reference.
    {"contact_name": "Ivy", "customer_since": "2026-10-01", "last_asked_on": "2026-11-20"},
    # 10: 80; every exclusion at once.
    {"contact_name": "Jo", "stage": "agreed", "nps_latest": 3, "health_band": "at_risk"},
    # 11: nothing in common and NPS 7: 0 points, neither offered nor excluded.
    {
        "contact_name": "Kim",
        "industry": "Apparel",
        "segment": "Enterprise",
        "region": "APAC",
        "product": "Automation",
        "nps_latest": 7,
        "stage": "agreed",
    },
    {"contact_name": "Lee", "stage": "paused"},  # 12: 100, paused
]
ACTIVITIES = pd.DataFrame(
    {
        "advocate_id": [4, 5, 5, 10],
        "on": pd.to_datetime(["2026-11-10", "2026-09-01", "2026-10-01", "2026-11-20"]),
    }
)


def match_people(
    prospect: Prospect = PROSPECT, settings: dict | None = None, limit: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame]:
    settings = settings or DEFAULTS
    fatigue = advocate_rules.fatigue(ACTIVITIES, TODAY, settings)
    return matching.match_advocates(prospect, advocate_rows(ADVOCATES), fatigue, settings, TODAY, limit=limit)


def test_advocate_scores_order_and_reasons():
    ranked, _ = match_people()
    # 100 (Ann, Ivy by name), 70 (Bob).
    assert ranked["contact_name"].tolist() == ["Ann", "Ivy", "Bob"]
    assert ranked.index.tolist() == [1, 9, 2]
    assert ranked["match_score"].tolist() == [100.0, 100.0, 70.0]
    assert ranked.loc[1, "reasons"] == [
        "same industry (Retail)",
        "same size (SMB)",
        "same region (EMEA)",
        "uses Analytics",
        "promoter (NPS 9)",
    ]
    assert ranked.loc[2, "reasons"] == ["same industry (Retail)", "same size (SMB)", "uses Analytics"]


def test_too_new_and_asked_recently_do_not_exclude():
    ranked, excluded = match_people()
    assert 9 in ranked.index
    assert 9 not in excluded.index


def test_each_exclusion_reason():
    _, excluded = match_people()
    # 100 points by name (Cy, Dee, Eve, Gus, Hal, Lee), then 80 (Fay, Jo); Kim scores 0.
    assert excluded["contact_name"].tolist() == ["Cy", "Dee", "Eve", "Gus", "Hal", "Lee", "Fay", "Jo"]
    assert excluded["match_score"].tolist() == [100.0] * 6 + [80.0] * 2
    assert excluded["reason"].to_dict() == {
        3: "not reference-ready (stage: agreed)",
        # One activity on 10 Nov: cool-down until 10 Nov + 30 days = 10 Dec.
        4: "fatigued: cool-down of 30 days after 10 Nov 2026; available again on 10 Dec 2026",
        # Two activities in 90 days (1 Sep, 1 Oct): the count drops when 1 Sep + 90 days = 30 Nov passes.
        5: "fatigued: 2 reference activities in the last 90 days (at most 2); available again on 30 Nov 2026",
        7: "complaint or escalated ticket on 10 Nov 2026 (within 30 days)",
        8: "account health is at risk",
        # Paused is said once, by the stage.
        12: "not reference-ready (stage: paused)",
        6: "latest NPS 4 is 5 or below",
        10: "not reference-ready (stage: agreed); "
        "fatigued: cool-down of 30 days after 20 Nov 2026; available again on 20 Dec 2026; "
        "latest NPS 3 is 5 or below; account health is at risk",
    }


def test_exclusions_follow_the_settings():
    # A complaint 15 days ago no longer blocks with a 10-day window; NPS 4 is above a floor of 3.
    settings = {**DEFAULTS, "complaint_days": 10, "nps_ask_floor": 3}
    ranked, excluded = match_people(settings=settings)
    assert {7, 6} <= set(ranked.index)
    assert excluded.loc[10, "reason"].endswith("latest NPS 3 is 3 or below; account health is at risk")


def test_advocate_limit_applies_to_the_ranked_and_the_excluded():
    ranked, excluded = match_people(limit=1)
    assert ranked.index.tolist() == [1]
    everyone_excluded = match_people(limit=20)[1]
    assert len(everyone_excluded) == 8
    assert excluded.index.tolist() == everyone_excluded.index[:1].tolist()


def test_no_advocates_match_nothing():
    fatigue = advocate_rules.fatigue(ACTIVITIES.iloc[0:0], TODAY, DEFAULTS)
    ranked, excluded = matching.match_advocates(PROSPECT, advocate_rows([]), fatigue, DEFAULTS, TODAY)
    assert ranked.empty
    assert excluded.empty
