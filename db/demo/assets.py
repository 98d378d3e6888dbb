"""Customer assets featuring advocates (case studies, videos, …) with their industry and product tags."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import vocabulary as v
from db.demo.accounts import Book
from db.demo.advocates import Advocates
from db.demo.churn import Fates
from db.demo.contacts import Contacts
from db.demo.timeline import between, slug

# Industries that have customers but deliberately no approved case study (a coverage gap to find).
GAP_INDUSTRIES = ("Sports", "Logistics")
ASSET_TYPE_P = np.array([0.35, 0.12, 0.20, 0.18, 0.10, 0.05])
ASSET_FOLDERS = {
    "case_study": "case-studies",
    "video_testimonial": "videos",
    "written_testimonial": "testimonials",
    "reference_call": "reference-calls",
    "webinar": "webinars",
    "site_visit": "site-visits",
}
ASSET_RESULTS = (
    "cut onboarding time by 40%",
    "doubled team productivity",
    "replaced five spreadsheets",
    "reduced support costs by 30%",
    "scaled to three continents",
    "shortened reporting from days to minutes",
    "improved customer retention by 12%",
    "automated 2,000 hours of manual work",
)
QUOTES = (
    "It changed how our whole team works.",
    "The best vendor relationship we have.",
    "We saw value within the first month.",
    "Support feels like part of our team.",
    "I would recommend it to any peer.",
)
# How likely an advocate in each stage is featured in an asset; other stages 0.1.
FEATURE_WEIGHT = {"reference_ready": 5.0, "agreed": 4.0, "retired": 2.0, "paused": 1.5, "asked": 0.3}


@dataclass(frozen=True)
class Library:
    """Per asset (index i is asset id i + 1)."""

    industry: np.ndarray
    approved: np.ndarray
    published: np.ndarray  # the publication day drawn for every asset, used for approved ones


def assets(
    rng: np.random.Generator, *, book: Book, fate: Fates, people: Contacts, advocates: Advocates
) -> tuple[Library, dict[str, pd.DataFrame]]:
    """The assets, asset_industries and asset_products tables; gap industries get no approved case study."""
    count = max(1, round(0.4 * book.count))
    weight = pd.Series(advocates.stage).map(FEATURE_WEIGHT).fillna(0.1).to_numpy()
    featured = rng.choice(len(weight), count, p=weight / weight.sum())
    account = advocates.account[featured]
    contact = np.where(rng.random(count) < 0.15, np.nan, advocates.contact[featured])
    asset_type = rng.choice(len(v.ASSET_TYPES), count, p=ASSET_TYPE_P)
    status = rng.choice(3, count, p=[0.11, 0.82, 0.07])
    industry = book.industry[account]
    gap = np.isin(np.array(v.INDUSTRIES)[industry], GAP_INDUSTRIES)
    case_study = asset_type == v.ASSET_TYPES.index("case_study")
    status = np.where(gap & case_study & (status == 1), np.where(rng.random(count) < 0.5, 0, 2), status)
    low = np.maximum(fate.as_of - 1460, fate.since[account] + 180)
    high = np.minimum(fate.end[account] - 1, fate.as_of)
    published = between(rng, np.minimum(low, high), high)
    is_published = status == 1
    review_by = published + rng.integers(365, 731, count)
    person = np.where(np.isnan(contact), "", people.names[np.nan_to_num(contact).astype(np.int64)])
    frame = _asset_rows(rng, book, account, contact, person, np.array(v.ASSET_TYPES)[asset_type])
    frame["approval_status"] = np.array(["pending", "approved", "rejected"])[status]
    frame["published_on"] = np.where(is_published, published, np.nan)
    frame["review_by"] = np.where(is_published, review_by, np.nan)
    frame["url"] = [
        f"https://assets.example.com/{ASSET_FOLDERS[kind]}/{slug(title)}-{i}"
        for kind, title, i in zip(frame["asset_type"], frame["title"], frame["id"].tolist(), strict=True)
    ]
    frame["version"] = 1
    tables = {"assets": frame, **_tags(rng, book, account, industry)}
    return Library(industry=industry, approved=is_published, published=published), tables


def _asset_rows(
    rng: np.random.Generator,
    book: Book,
    account: np.ndarray,
    contact: np.ndarray,
    person: np.ndarray,
    types: np.ndarray,
) -> pd.DataFrame:
    """Each asset's title, summary and quote, worded for its type, customer, product and result."""
    count = len(account)
    names = book.names[account]
    products = np.array(v.PRODUCTS)[book.product[account]]
    result = np.array(ASSET_RESULTS, dtype=object)[rng.integers(0, len(ASSET_RESULTS), count)]
    titles = [
        {
            "case_study": f"How {name} {res} with {prod}",
            "video_testimonial": f"Video: {name} on {prod}",
            "written_testimonial": f"{who or name} on {prod}",
            "reference_call": f"Reference call: {name}",
            "webinar": f"Webinar: {name} and {prod} in practice",
            "site_visit": f"Site visit at {name}",
        }[kind]
        for kind, name, res, prod, who in zip(types, names, result, products, person, strict=True)
    ]
    ids = np.arange(1, count + 1)
    quote = np.array(QUOTES, dtype=object)[rng.integers(0, len(QUOTES), count)]
    has_quote = np.isin(types, ("case_study", "video_testimonial", "written_testimonial")) & (person != "")
    segments = np.array(v.SEGMENTS)[book.segment[account]]
    regions = np.array(v.REGIONS)[book.region[account]]
    return pd.DataFrame(
        {
            "id": ids,
            "external_id": [f"AST-{i:06d}" for i in ids.tolist()],
            "title": titles,
            "asset_type": types,
            "account_id": account + 1,
            "contact_id": contact + 1,
            "summary": [
                f"{name} ({seg}, {reg}) uses {prod} and {res}."
                for name, seg, reg, prod, res in zip(names, segments, regions, products, result, strict=True)
            ],
            "quote": np.where(has_quote, [f"“{q}” — {p}" for q, p in zip(quote, person, strict=True)], None),
            "company_size": segments,
            "region": regions,
        }
    )


def _tags(
    rng: np.random.Generator, book: Book, account: np.ndarray, industry: np.ndarray
) -> dict[str, pd.DataFrame]:
    """asset_industries and asset_products: the customer's own, sometimes a second one."""
    count = len(account)
    ids = np.arange(1, count + 1)
    # A second industry tag widens reach, but never into a gap industry.
    second = rng.choice([i for i, name in enumerate(v.INDUSTRIES) if name not in GAP_INDUSTRIES], count)
    tagged = (rng.random(count) < 0.2) & (second != industry)
    industries = pd.concat(
        [
            pd.DataFrame({"asset_id": ids, "industry": np.array(v.INDUSTRIES)[industry]}),
            pd.DataFrame({"asset_id": ids[tagged], "industry": np.array(v.INDUSTRIES)[second[tagged]]}),
        ]
    ).sort_values(["asset_id", "industry"], ignore_index=True)
    products = np.array(v.PRODUCTS)[book.product[account]]
    other = (book.product[account] + rng.integers(1, 3, count)) % 3
    extra = rng.random(count) < 0.15
    tagged_products = pd.concat(
        [
            pd.DataFrame({"asset_id": ids, "product": products}),
            pd.DataFrame({"asset_id": ids[extra], "product": np.array(v.PRODUCTS)[other[extra]]}),
        ]
    ).sort_values(["asset_id", "product"], ignore_index=True)
    return {"asset_industries": industries, "asset_products": tagged_products}
