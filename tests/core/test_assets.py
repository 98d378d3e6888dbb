import datetime as dt

import pandas as pd
import pytest

from core import assets as library
from core.assets import LibraryFilter
from core.settings import DEFAULTS
from core.vocabulary import ASSET_TYPES

TODAY = dt.date(2026, 11, 25)
FLAG_COLUMNS = [
    "past_review",
    "approval_expired",
    "too_old",
    "customer_churned",
    "customer_at_risk",
    "contact_left",
    "stale",
]


def asset_rows(rows: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assets, tags) as the db layer returns them; ids 1, 2, … in the order given.

    Unspecified columns describe a fresh, approved SMB case study from EMEA published 15 Jan 2026,
    due for review 15 Jan 2027, whose customer and contact are fine. `tags_industry` / `tags_product`
    (lists) become the long tags frame and the joined `industries` / `products` strings.
    """
    defaults = {
        "title": "Asset",
        "asset_type": "case_study",
        "summary": "",
        "quote": None,
        "company_size": "SMB",
        "region": "EMEA",
        "approval_status": "approved",
        "published_on": "2026-01-15",
        "review_by": "2027-01-15",
        "approval_until": None,
        "url": "https://example.com/asset",
        "account_id": 1,
        "account_name": "Acme",
        "contact_name": "Ann",
        "account_churned": False,
        "account_band": "healthy",
        "contact_left": False,
        "tags_industry": [],
        "tags_product": [],
    }
    full = [{**defaults, **row} for row in rows]
    tags = pd.DataFrame(
        [
            {"asset_id": number, "kind": kind, "value": value}
            for number, row in enumerate(full, start=1)
            for kind in ("industry", "product")
            for value in row[f"tags_{kind}"]
        ],
        columns=["asset_id", "kind", "value"],
    )
    frame = pd.DataFrame(full, columns=list(defaults)).drop(columns=["tags_industry", "tags_product"])
    frame["industries"] = [", ".join(sorted(row["tags_industry"])) for row in full]
    frame["products"] = [", ".join(sorted(row["tags_product"])) for row in full]
    frame.index = pd.Index(range(1, len(frame) + 1), name="id")
    for column in ("published_on", "review_by", "approval_until"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    frame["account_id"] = frame["account_id"].astype("Int64")
    return frame, tags


def flags_of(rows: list[dict], settings: dict | None = None) -> pd.DataFrame:
    assets, _ = asset_rows(rows)
    return library.freshness(assets, TODAY, settings or DEFAULTS)


def raised(flags: pd.DataFrame) -> list[list[str]]:
    return [[flag for flag in FLAG_COLUMNS if row[flag]] for _, row in flags.iterrows()]


# ---- freshness ------------------------------------------------------------------------


def test_a_fresh_asset_raises_no_flag():
    flags = flags_of([{}])
    assert list(flags.columns) == FLAG_COLUMNS
    assert raised(flags) == [[]]
    assert flags.index.tolist() == [1]


def test_past_review_is_strictly_before_today_and_never_without_a_date():
    flags = flags_of([{"review_by": "2026-11-24"}, {"review_by": "2026-11-25"}, {"review_by": None}])
    assert raised(flags) == [["past_review", "stale"], [], []]


def test_too_old_boundary_is_two_years_of_365_25_days():
    # 2 × 365.25 = 730.5 days before 25 Nov 2026 is 24 Nov 2024 12:00:
    # published 24 Nov 2024 (731 days ago) is too old, 25 Nov 2024 (730 days ago) is not.
    flags = flags_of([{"published_on": "2024-11-24"}, {"published_on": "2024-11-25"}])
    assert raised(flags) == [["too_old", "stale"], []]


def test_too_old_follows_the_setting():
    # 1 × 365.25 days before 25 Nov 2026 is 24 Nov 2025 18:00: 366 days ago is too old, 365 is not.
    settings = {**DEFAULTS, "asset_max_age_years": 1}
    flags = flags_of([{"published_on": "2025-11-24"}, {"published_on": "2025-11-25"}], settings)
    assert raised(flags) == [["too_old", "stale"], []]


def test_an_approval_that_held_until_yesterday_makes_the_asset_stale():
    # today is 25 Nov 2026: held until 24 Nov has run out, until today still holds, no end never runs out
    flags = flags_of(
        [{"approval_until": "2026-11-24"}, {"approval_until": "2026-11-25"}, {"approval_until": None}]
    )
    assert raised(flags) == [["approval_expired", "stale"], [], []]


def test_an_unpublished_asset_is_neither_too_old_nor_past_review():
    flags = flags_of([{"published_on": None, "review_by": None}])
    assert raised(flags) == [[]]


def test_customer_and_contact_flags():
    flags = flags_of(
        [
            {"account_churned": True},
            {"account_band": "at_risk"},
            {"account_band": "watch"},
            {"account_band": None},
            {"contact_left": True},
        ]
    )
    assert raised(flags) == [
        ["customer_churned", "stale"],
        ["customer_at_risk", "stale"],
        [],
        [],
        ["contact_left", "stale"],
    ]


# ---- stale reasons --------------------------------------------------------------------


def test_stale_reasons_word_every_cause_in_order():
    rows = [
        {
            "review_by": "2026-03-01",
            "approval_until": "2026-06-30",
            "published_on": "2023-05-01",
            "account_churned": True,
            "account_band": "at_risk",
            "contact_left": True,
        },
        {},
        {"contact_left": True},
    ]
    assets, _ = asset_rows(rows)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    assert library.stale_reasons(assets, flags, DEFAULTS).tolist() == [
        "past its review-by date (01 Mar 2026); customer's approval ran out (held until 30 Jun 2026); "
        "older than 2 years; customer has churned; "
        "customer is at risk; featured contact has left",
        "",
        "featured contact has left",
    ]


def test_stale_reasons_say_one_year_in_the_singular():
    settings = {**DEFAULTS, "asset_max_age_years": 1}
    assets, _ = asset_rows([{"published_on": "2025-01-01"}])
    flags = library.freshness(assets, TODAY, settings)
    assert library.stale_reasons(assets, flags, settings).tolist() == ["older than 1 year"]


# ---- search ---------------------------------------------------------------------------

SEARCHABLE = [
    {"title": "Retail rollout", "summary": "Faster onboarding for stores", "quote": None},
    {"title": "Bank story", "summary": "", "quote": "Our ONBOARDING took days, not weeks."},
    {"title": "C++ migration (phase 1)", "summary": "Retail systems", "quote": None},
    {"title": "Apparel", "summary": "cpp and phase", "quote": "Retail"},
]


def search(text: str) -> list[int]:
    assets, _ = asset_rows(SEARCHABLE)
    found = library.search(assets, text)
    assert found.index.equals(assets.index)
    return found[found].index.tolist()


def test_search_is_case_insensitive_over_title_summary_and_quote():
    assert search("onboarding") == [1, 2]
    assert search("RETAIL") == [1, 3, 4]


def test_search_needs_every_term():
    assert search("retail onboarding") == [1]
    assert search("retail   migration") == [3]
    assert search("retail bank") == []


def test_search_takes_regex_characters_literally():
    assert search("c++") == [3]
    assert search("(phase") == [3]
    assert search("c..") == []
    assert search("weeks.") == [2]


def test_empty_search_finds_everything():
    assert search("") == [1, 2, 3, 4]
    assert search("   ") == [1, 2, 3, 4]


# ---- filters --------------------------------------------------------------------------

# In library order already (all fresh and approved except 5 and 6, newest first): 1, 2, 3, 4, then 5, 6.
LIBRARY = [
    {
        "title": "Retail rollout",
        "published_on": "2026-09-01",
        "tags_industry": ["Retail"],
        "tags_product": ["Analytics"],
    },
    {
        "title": "Bank onboarding",
        "asset_type": "video_testimonial",
        "company_size": "Enterprise",
        "region": "North America",
        "published_on": "2026-08-01",
        "tags_industry": ["Retail banking"],
        "tags_product": ["Automation"],
    },
    {
        "title": "Apparel and retail",
        "asset_type": "written_testimonial",
        "company_size": "Mid-Market",
        "region": "APAC",
        "published_on": "2026-07-01",
        "tags_industry": ["Apparel", "Retail"],
        "tags_product": ["Analytics", "Collaboration"],
    },
    {
        "title": "Software call",
        "asset_type": "reference_call",
        "region": "LATAM",
        "published_on": "2026-06-01",
        "tags_industry": ["Software"],
        "tags_product": ["Automation"],
    },
    {
        "title": "Pending webinar",
        "asset_type": "webinar",
        "approval_status": "pending",
        "published_on": None,
        "tags_industry": ["Retail"],
    },
    {
        "title": "Churned site visit",
        "asset_type": "site_visit",
        "approval_status": "rejected",
        "account_churned": True,
        "tags_industry": ["Sports"],
    },
]


def filtered(chosen: LibraryFilter, rows: list[dict] | None = None) -> list[int]:
    assets, tags = asset_rows(rows or LIBRARY)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    return library.filter_library(assets, tags, flags, chosen).index.tolist()


def test_no_filter_shows_everything_in_library_order_with_stale():
    assets, tags = asset_rows(LIBRARY)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    shown = library.filter_library(assets, tags, flags, LibraryFilter())
    assert shown.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert shown["stale"].tolist() == [False, False, False, False, False, True]
    assert list(shown.columns) == [*assets.columns, "stale"]


def test_industry_filter_matches_whole_tags_not_substrings():
    # "Retail banking" (2) is not "Retail".
    assert filtered(LibraryFilter(industries=("Retail",))) == [1, 3, 5]
    assert filtered(LibraryFilter(industries=("Retail banking",))) == [2]
    assert filtered(LibraryFilter(industries=("Retai",))) == []


def test_industry_filter_matches_any_chosen_tag():
    assert filtered(LibraryFilter(industries=("Apparel", "Software"))) == [3, 4]


def test_product_filter_matches_any_chosen_tag():
    assert filtered(LibraryFilter(products=("Analytics",))) == [1, 3]
    assert filtered(LibraryFilter(products=("Collaboration", "Automation"))) == [2, 3, 4]


def test_column_filters():
    assert filtered(LibraryFilter(types=("video_testimonial", "webinar"))) == [2, 5]
    assert filtered(LibraryFilter(sizes=("SMB",))) == [1, 4, 5, 6]
    assert filtered(LibraryFilter(regions=("APAC", "LATAM"))) == [3, 4]
    assert filtered(LibraryFilter(approvals=("pending", "rejected"))) == [5, 6]


def test_freshness_filter():
    assert filtered(LibraryFilter(freshness="stale")) == [6]
    assert filtered(LibraryFilter(freshness="fresh")) == [1, 2, 3, 4, 5]
    assert filtered(LibraryFilter(freshness="any")) == [1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="freshness"):
        filtered(LibraryFilter(freshness="old"))


def test_text_filter_and_filters_combine_with_and():
    assert filtered(LibraryFilter(text="ONBOARDING")) == [2]
    assert filtered(LibraryFilter(industries=("Retail",), sizes=("SMB",), approvals=("approved",))) == [1]
    assert filtered(LibraryFilter(industries=("Retail",), text="retail")) == [1, 3]
    assert filtered(LibraryFilter(products=("Analytics",), regions=("EMEA",), types=("webinar",))) == []


def test_library_order():
    rows = [
        {"title": "stale approved new", "published_on": "2026-10-01", "contact_left": True},  # 1
        {"title": "pending new", "approval_status": "pending", "published_on": "2026-10-01"},  # 2
        {"title": "Beta", "published_on": "2026-05-01"},  # 3
        {"title": "unpublished", "published_on": None},  # 4
        {"title": "alpha", "published_on": "2026-05-01"},  # 5
        {"title": "newest", "published_on": "2026-11-01"},  # 6
        {"title": "rejected old", "approval_status": "rejected", "published_on": "2026-01-01"},  # 7
    ]
    # Fresh approved by newest (6; then 5 "alpha" before 3 "Beta" on the same day, ignoring case;
    # unpublished 4 last), then fresh unapproved by newest (2, 7), then stale (1).
    assert filtered(LibraryFilter(), rows) == [6, 5, 3, 4, 2, 7, 1]


# ---- export ---------------------------------------------------------------------------


def test_export_table_carries_the_filtered_rows_in_words():
    assets, tags = asset_rows(LIBRARY)
    flags = library.freshness(assets, TODAY, DEFAULTS)
    found = library.filter_library(assets, tags, flags, LibraryFilter(industries=("Retail",)))
    frame = library.export_table(found)
    assert list(frame.columns) == list(library.EXPORT_COLUMNS.values())
    assert frame["asset_id"].tolist() == [1, 3, 5]
    assert frame["type"].tolist() == ["Case study", "Written testimonial", "Joint webinar"]
    assert frame["industries"].tolist() == ["Retail", "Apparel, Retail", "Retail"]
    assert frame["published_on"].tolist() == [dt.date(2026, 9, 1), dt.date(2026, 7, 1), None]
    assert frame["approval"].tolist() == ["approved", "approved", "pending"]


def test_every_asset_type_has_a_label():
    assert set(library.TYPE_LABELS) == set(ASSET_TYPES)


# ---- nearest searches ------------------------------------------------------------------


def test_a_search_without_hits_suggests_fewer_words_and_neighbouring_industries():
    assets, tags = asset_rows(
        [
            {"title": "Faster onboarding", "tags_industry": ["Retail"]},  # 1
            {"title": "Onboarding at scale", "summary": "global rollout", "tags_industry": ["Retail"]},  # 2
            {"title": "Global rollout", "tags_industry": ["Apparel"]},  # 3
            {"title": "Faster rollout", "tags_industry": ["Sports"]},  # 4
        ]
    )
    flags = library.freshness(assets, TODAY, DEFAULTS)
    chosen = LibraryFilter(industries=("Retail",), text="faster onboarding rollout")
    assert library.filter_library(assets, tags, flags, chosen).empty
    found = library.nearest_searches(assets, tags, flags, chosen)
    # Two of three words: "faster onboarding" finds 1, "onboarding rollout" finds 2, "faster rollout" nothing
    # in Retail. Then Retail's neighbours Apparel (none with all three words) and Sports (none either).
    assert [(s.label, s.chosen.text, s.chosen.industries, s.hits) for s in found] == [
        ("Search for “faster onboarding”", "faster onboarding", ("Retail",), 1),
        ("Search for “onboarding rollout”", "onboarding rollout", ("Retail",), 1),
    ]
    # One word, in an industry without it: its neighbour Sports has "faster".
    chosen = LibraryFilter(industries=("Apparel",), text="faster")
    found = library.nearest_searches(assets, tags, flags, chosen)
    assert [(s.label, s.chosen.industries, s.hits) for s in found] == [
        ("Retail, next to Apparel", ("Retail",), 1),
        ("Sports, next to Apparel", ("Sports",), 1),
    ]


def test_nearest_searches_of_a_filter_without_words_or_industries_is_empty():
    assets, tags = asset_rows([{"region": "EMEA"}])
    flags = library.freshness(assets, TODAY, DEFAULTS)
    assert library.nearest_searches(assets, tags, flags, LibraryFilter(regions=("APAC",))) == []


# ---- coverage -------------------------------------------------------------------------


def test_coverage_counts_approved_case_studies_per_industry_and_flags_gaps():
    assets, tags = asset_rows(
        [
            {"tags_industry": ["Retail"]},  # 1: counts for Retail
            {"tags_industry": ["Apparel", "Retail"]},  # 2: counts for Apparel and Retail
            {"approval_status": "pending", "tags_industry": ["Sports"]},  # 3: not approved
            {"asset_type": "video_testimonial", "tags_industry": ["Sports"]},  # 4: not a case study
            {"tags_industry": ["Retail banking"]},  # 5: not Retail
            {"account_churned": True, "tags_industry": ["Logistics", "Retail"]},  # 6: stale
            {"review_by": "2026-01-01", "tags_industry": ["Logistics"]},  # 7: stale
        ]
    )
    customers = pd.DataFrame(
        {
            "industry": ["Retail", "Apparel", "Software", "Sports", "Healthcare", "Logistics"],
            "customers": [5, 3, 0, 2, 4, 1],
        }
    )
    stale = library.freshness(assets, TODAY, DEFAULTS)["stale"]
    table = library.coverage(customers, assets, tags, stale)
    # Gaps (customers but no approved case study) first, most customers first: Healthcare 4, Sports 2; then
    # Logistics, whose two approved case studies (6, 7) are both stale; then Retail 5 (case studies 1, 2 and the
    # stale 6), Apparel 3 (2), Software 0 (no customers, so no gap).
    columns = ["industry", "customers", "approved_case_studies", "fresh_case_studies", "gap", "all_stale"]
    assert table[columns].values.tolist() == [
        ["Healthcare", 4, 0, 0, True, False],
        ["Sports", 2, 0, 0, True, False],
        ["Logistics", 1, 2, 0, False, True],
        ["Retail", 5, 3, 2, False, False],
        ["Apparel", 3, 1, 1, False, False],
        ["Software", 0, 0, 0, False, False],
    ]


def test_a_precomputed_searchable_column_is_used_as_it_is():
    frame = pd.DataFrame({"title": ["A"], "summary": ["b"], "quote": [None], "searchable": ["precomputed"]})
    assert library.searchable_text(frame).tolist() == ["precomputed"]
    assert library.search(frame, "precomputed").tolist() == [True]
