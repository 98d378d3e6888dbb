"""The customer asset library: freshness, search, filters and case-study coverage (brief, steps 4–5)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

FLAGS = ("past_review", "approval_expired", "too_old", "customer_churned", "customer_at_risk", "contact_left")
# Short words for each stale flag, where a whole sentence with dates does not fit (a match's reasons).
STALE_LABELS = {
    "past_review": "past its review-by date",
    "approval_expired": "customer's approval has run out",
    "too_old": "too old",
    "customer_churned": "customer has churned",
    "customer_at_risk": "customer is at risk",
    "contact_left": "featured contact has left",
}
FRESHNESS_OPTIONS = ("any", "fresh", "stale")
TYPE_LABELS = {
    "case_study": "Case study",
    "video_testimonial": "Video testimonial",
    "written_testimonial": "Written testimonial",
    "reference_call": "Reference call",
    "webinar": "Joint webinar",
    "site_visit": "Site visit",
}
# Library columns a CSV export carries, and their names in it.
EXPORT_COLUMNS = {
    "id": "asset_id",
    "title": "title",
    "asset_type": "type",
    "industries": "industries",
    "products": "products",
    "company_size": "company_size",
    "region": "region",
    "approval_status": "approval",
    "account_name": "customer",
    "contact_name": "contact",
    "published_on": "published_on",
    "review_by": "review_by",
    "stale": "stale",
    "summary": "summary",
    "quote": "quote",
    "url": "url",
}
DAYS_PER_YEAR = 365.25
# Industries whose customers buy for similar reasons: where a search finds nothing in one, the library offers its
# neighbours' assets. Our own reading of the vocabulary's industries, not the domain brief's.
NEIGHBOURING_INDUSTRIES = {
    "Software": ("Electronics", "Financial Services"),
    "Financial Services": ("Software",),
    "Healthcare": ("Education",),
    "Manufacturing": ("Electronics", "Logistics"),
    "Retail": ("Apparel", "Sports"),
    "Apparel": ("Retail", "Sports"),
    "Sports": ("Apparel", "Retail"),
    "Electronics": ("Manufacturing", "Software"),
    "Education": ("Healthcare", "Software"),
    "Logistics": ("Manufacturing", "Retail"),
}
# A search of more words than this is not tried word by word for a nearest search (2^words searches).
MAX_SEARCH_WORDS = 6


def _true(values: pd.Series) -> pd.Series:
    """True where the value is true; missing counts as false."""
    return values.fillna(False).astype(bool)


def freshness(assets: pd.DataFrame, today: dt.date, settings: dict[str, float]) -> pd.DataFrame:
    """Why each asset may be stale: one boolean column per cause and `stale` = any of them. The one freshness rule:
    every page, export and count of stale assets reads it.

    past_review: review_by < today; approval_expired: the customer's approval holds until a day before today
    (approval_until < today; no end date never runs out); too_old: published_on < today − asset_max_age_years ×
    365.25 days; customer_churned; customer_at_risk (account band at_risk); contact_left. Unpublished is neither
    dated flag.
    """
    today_ts = pd.Timestamp(today)
    oldest = today_ts - pd.Timedelta(days=settings["asset_max_age_years"] * DAYS_PER_YEAR)
    flags = pd.DataFrame(
        {
            # NaT compares false, so unpublished or undated assets are never past review nor too old.
            "past_review": assets["review_by"].dt.normalize() < today_ts,
            "approval_expired": assets["approval_until"].dt.normalize() < today_ts,
            "too_old": assets["published_on"].dt.normalize() < oldest,
            "customer_churned": _true(assets["account_churned"]),
            "customer_at_risk": _true(assets["account_band"] == "at_risk"),
            "contact_left": _true(assets["contact_left"]),
        },
        index=assets.index,
    )
    flags["stale"] = flags.any(axis=1)
    return flags


def join_texts(pieces: list[pd.Series], index: pd.Index, separator: str) -> pd.Series:
    """Per row, the non-empty strings of pieces (aligned on index) joined with separator, in order."""
    joined = pd.Series("", index=index, dtype=object)
    for piece in pieces:
        glue = np.where((joined != "") & (piece != ""), separator, "")
        joined = joined + glue + piece.astype(object)
    return joined


def _day_text(dates: pd.Series) -> pd.Series:
    """Each date as "01 Mar 2026", "" when missing."""
    days = dates.dt.normalize()
    # Formatting dates one by one is slow: word each distinct day once and spread it.
    distinct = days.dropna().unique()
    words = dict(zip(distinct, pd.DatetimeIndex(distinct).strftime("%d %b %Y"), strict=True))
    return days.map(words).astype(object).fillna("")


def stale_reasons(assets: pd.DataFrame, flags: pd.DataFrame, settings: dict[str, float]) -> pd.Series:
    """Each asset's stale causes (flags from freshness()) as one sentence joined with "; ", "" when fresh."""
    years = settings["asset_max_age_years"]
    review_by = _day_text(assets["review_by"].where(flags["past_review"]))
    approval_until = _day_text(assets["approval_until"].where(flags["approval_expired"]))
    sentences = {
        **{key: pd.Series(label, index=assets.index, dtype=object) for key, label in STALE_LABELS.items()},
        "past_review": f"{STALE_LABELS['past_review']} (" + review_by + ")",
        "approval_expired": "customer's approval ran out (held until " + approval_until + ")",
        "too_old": pd.Series(f"older than {years:g} year{'' if years == 1 else 's'}", index=assets.index),
    }
    pieces = [sentences[key].where(flags[key], "") for key in FLAGS]
    return join_texts(pieces, assets.index, "; ").rename("stale_reasons")


@dataclass(frozen=True)
class LibraryFilter:
    """What the library page asks for; an empty tuple or "" filters nothing."""

    industries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    approvals: tuple[str, ...] = ()
    freshness: str = "any"
    text: str = ""


def searchable_text(assets: pd.DataFrame) -> pd.Series:
    """Title, summary and quote of each asset as one lower-case text, for search and matching (the loader's
    precomputed `searchable` column when there is one: building it costs more than a search)."""
    if "searchable" in assets:
        return assets["searchable"]
    # A newline between fields: search terms hold no whitespace, so a term never spans two fields.
    return (
        assets["title"].fillna("")
        + "\n"
        + assets["summary"].fillna("")
        + "\n"
        + assets["quote"].fillna("").astype(str)
    ).str.lower()


def search(assets: pd.DataFrame, text: str) -> pd.Series:
    """True where every whitespace-separated term of text is in title, summary or quote (any case, literal)."""
    terms = text.lower().split()
    found = pd.Series(True, index=assets.index)
    if not terms:
        return found
    haystack = searchable_text(assets)
    for term in terms:
        found &= haystack.str.contains(term, regex=False)
    return found


def tagged(assets: pd.DataFrame, tags: pd.DataFrame, kind: str, values: tuple[str, ...]) -> pd.Series:
    """True where the asset has at least one `kind` tag (industry or product) equal to one of values."""
    hit = tags.loc[(tags["kind"] == kind) & tags["value"].isin(list(values)), "asset_id"]
    return pd.Series(assets.index.isin(hit.to_numpy()), index=assets.index)


def filter_library(
    assets: pd.DataFrame, tags: pd.DataFrame, flags: pd.DataFrame, chosen: LibraryFilter
) -> pd.DataFrame:
    """The assets matching every chosen filter, with `stale`, in library order.

    Library order: fresh before stale, approved before others, newest published first (unpublished last),
    then title. Industry and product filters match on exact tags: any of the asset's tags among the chosen.
    """
    if chosen.freshness not in FRESHNESS_OPTIONS:
        raise ValueError(f"freshness must be one of {FRESHNESS_OPTIONS}, not {chosen.freshness!r}")
    keep = pd.Series(True, index=assets.index)
    if chosen.industries:
        keep &= tagged(assets, tags, "industry", chosen.industries)
    if chosen.products:
        keep &= tagged(assets, tags, "product", chosen.products)
    for column, values in (
        ("asset_type", chosen.types),
        ("company_size", chosen.sizes),
        ("region", chosen.regions),
        ("approval_status", chosen.approvals),
    ):
        if values:
            keep &= assets[column].isin(list(values))
    stale = flags["stale"].reindex(assets.index, fill_value=False).astype(bool)
    if chosen.freshness != "any":
        keep &= stale if chosen.freshness == "stale" else ~stale
    # Search last, on the few text columns only: the text scan is the costliest filter.
    texts = assets.loc[keep, ["title", "summary", "quote"]]
    texts = texts[search(texts, chosen.text)]
    order = np.lexsort(
        (
            alphabetical(texts["title"]),
            newest_first(assets.loc[texts.index, "published_on"]),
            (assets.loc[texts.index, "approval_status"] != "approved").to_numpy(),
            stale[texts.index].to_numpy(),
        )
    )
    shown = texts.index[order]
    return assets.loc[shown].assign(stale=stale[shown])


@dataclass(frozen=True)
class Suggestion:
    """A nearby filter that finds assets where the chosen one found none: what changes, in words, and its hits."""

    label: str
    chosen: LibraryFilter
    hits: int


def nearest_searches(
    assets: pd.DataFrame, tags: pd.DataFrame, flags: pd.DataFrame, chosen: LibraryFilter
) -> list[Suggestion]:
    """For a filter that finds nothing: the search with fewer words (the most words that still find something, every
    such choice of words), then each neighbouring industry of the chosen ones in place of them
    (NEIGHBOURING_INDUSTRIES), each with the assets it finds; only those that find some."""
    suggestions = []
    terms = list(dict.fromkeys(chosen.text.split()))
    if 1 < len(terms) <= MAX_SEARCH_WORDS:
        for size in range(len(terms) - 1, 0, -1):
            for kept in itertools.combinations(terms, size):
                nearer = replace(chosen, text=" ".join(kept))
                hits = len(filter_library(assets, tags, flags, nearer))
                if hits:
                    suggestions.append(Suggestion(f"Search for “{nearer.text}”", nearer, hits))
            if suggestions:
                break
    neighbours = dict.fromkeys(
        neighbour
        for industry in chosen.industries
        for neighbour in NEIGHBOURING_INDUSTRIES.get(industry, ())
        if neighbour not in chosen.industries
    )
    for neighbour in neighbours:
        nearer = replace(chosen, industries=(neighbour,))
        hits = len(filter_library(assets, tags, flags, nearer))
        if hits:
            suggestions.append(
                Suggestion(f"{neighbour}, next to {', '.join(chosen.industries)}", nearer, hits)
            )
    return suggestions


def newest_first(published: pd.Series) -> np.ndarray:
    """Ascending sort key putting the newest publication first and the unpublished (NaT) last."""
    unpublished = published.isna().to_numpy()
    ticks = published.to_numpy(dtype="datetime64[ns]").view("int64")
    return np.where(unpublished, np.iinfo(np.int64).max, -np.where(unpublished, 0, ticks))


def alphabetical(texts: pd.Series) -> np.ndarray:
    """Ascending sort key for texts in alphabetical order, ignoring case."""
    return pd.factorize(texts.fillna("").str.lower(), sort=True)[0]


def export_table(found: pd.DataFrame) -> pd.DataFrame:
    """filter_library()'s rows with the columns a CSV export carries: type in words, dates without a time."""
    frame = found.reset_index()[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
    frame["type"] = frame["type"].map(TYPE_LABELS).fillna(frame["type"])
    for column in ("published_on", "review_by"):
        frame[column] = frame[column].dt.date.astype(object).where(frame[column].notna(), None)
    return frame


def coverage(
    customers: pd.DataFrame, assets: pd.DataFrame, tags: pd.DataFrame, stale: pd.Series
) -> pd.DataFrame:
    """Approved case studies per industry, and how many of them are fresh (stale: by asset id, from freshness()),
    against its active customers. gap = customers > 0 and no approved case study; all_stale = customers > 0 and
    approved case studies, but every one stale (nothing sales can send).

    Gaps first, then all-stale industries, then most customers first.
    """
    approved = assets.index[
        (assets["asset_type"] == "case_study") & (assets["approval_status"] == "approved")
    ]
    industry_tags = tags[(tags["kind"] == "industry") & tags["asset_id"].isin(approved.to_numpy())]
    fresh_tags = industry_tags[~industry_tags["asset_id"].map(stale).fillna(False).astype(bool)]
    table = pd.DataFrame(
        {
            "industry": customers["industry"].to_numpy(),
            "customers": customers["customers"].fillna(0).astype(int).to_numpy(),
        }
    )
    for column, found in (("approved_case_studies", industry_tags), ("fresh_case_studies", fresh_tags)):
        per_industry = found.groupby("value")["asset_id"].nunique()
        table[column] = table["industry"].map(per_industry).fillna(0).astype(int)
    table["gap"] = (table["customers"] > 0) & (table["approved_case_studies"] == 0)
    table["all_stale"] = (
        (table["customers"] > 0) & (table["approved_case_studies"] > 0) & (table["fresh_case_studies"] == 0)
    )
    return table.sort_values(
        ["gap", "all_stale", "customers", "industry"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)
