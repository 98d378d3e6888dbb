"""Sales' prospect match: the assets and reference-ready advocates closest to a prospect (brief, step 5)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import advocates as advocate_rules
from core import assets as library
from core import metrics

INDUSTRY_POINTS, SIZE_POINTS, REGION_POINTS, PRODUCT_POINTS = 40, 15, 10, 15
# An asset from a neighbouring industry (core.assets.NEIGHBOURING_INDUSTRIES) of the prospect's: half an industry.
NEIGHBOUR_POINTS = 20
PAIN_FIT_POINTS = 20
PROMOTER_POINTS = 20
STALE_PENALTY = 25
PAIN_WORD_MIN_LETTERS = 4
# A reference call may follow soon after the ask that won it, and a long-time customer is not needed for one:
# of the ask rules only those that make a reference risky (low NPS, a recent complaint, an at-risk account)
# count. "stopped" (paused or retired) is already said by "not reference-ready".
REFERENCE_RULES = ("low_nps", "recent_complaint", "at_risk")
# The one input each reference rule's sentence depends on.
RULE_INPUTS = {"low_nps": "nps_latest", "recent_complaint": "last_complaint_on", "at_risk": "health_band"}
# Every rule of advocates.eligibility(): reasons() reads them all, so the unwanted ones are switched off.
ALL_RULES = ("low_nps", "too_new", "recent_complaint", "asked_recently", "at_risk", "stopped")


@dataclass(frozen=True)
class Prospect:
    """The prospect in front of sales: whom a reference should resemble, and what worries them."""

    industry: str
    company_size: str | None = None
    region: str | None = None
    product: str | None = None
    pain: str = ""


def pain_words(pain: str) -> list[str]:
    """The distinct words of 4+ letters in the pain text, in lower case, in order of first use."""
    words = re.findall(r"[^\W\d_]+", pain.lower())
    return list(dict.fromkeys(word for word in words if len(word) >= PAIN_WORD_MIN_LETTERS))


def _same(values: pd.Series, wanted: str | None) -> pd.Series:
    """True where the value equals wanted; all false when nothing is wanted."""
    if not wanted:
        return pd.Series(False, index=values.index)
    return (values == wanted).fillna(False).astype(bool)


def _match_reasons(matched: pd.Series, prospect: Prospect, product_verb: str) -> list[str]:
    """The shared part of a match's reasons: same industry, size, region and product, in words."""
    said = {
        "industry": f"same industry ({prospect.industry})",
        "size": f"same size ({prospect.company_size})",
        "region": f"same region ({prospect.region})",
        "product": f"{product_verb} {prospect.product}",
    }
    return [text for key, text in said.items() if matched[key]]


def _best_first(score: pd.Series, *then: np.ndarray) -> pd.Index:
    """The index of score's positive rows, highest score first, ties broken by the `then` keys in turn."""
    positive = score.to_numpy() > 0
    keys = [key[positive] for key in reversed(then)]
    return score.index[positive][np.lexsort((*keys, -score.to_numpy()[positive]))]


def _differences(asset: pd.Series, matched: pd.Series, prospect: Prospect) -> list[str]:
    """What about an asset is not as the prospect asked (only what the prospect names), in words."""
    said = [
        (matched["industry"], True, f"another industry ({asset['industries'] or 'none tagged'})"),
        (matched["size"], prospect.company_size, f"another size ({asset['company_size'] or 'unknown'})"),
        (matched["region"], prospect.region, f"another region ({asset['region'] or 'unknown'})"),
        (matched["product"], prospect.product, f"does not cover {prospect.product}"),
    ]
    return [text for same, asked, text in said if asked and not same]


def _asset_signals(
    prospect: Prospect,
    assets: pd.DataFrame,
    tags: pd.DataFrame,
    flags: pd.DataFrame,
    neighbours: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.DataFrame]:
    """What each asset has of the prospect: (matched: industry, size, region and product as booleans; near: a
    neighbouring industry's tag and not the prospect's; mentions: one boolean column per pain word, in the
    words' order; stale: one boolean column per staleness flag)."""
    no = pd.Series(False, index=assets.index)
    industry = library.tagged(assets, tags, "industry", (prospect.industry,))
    near = library.tagged(assets, tags, "industry", neighbours) & ~industry if neighbours else no
    matched = pd.DataFrame(
        {
            "industry": industry,
            "size": _same(assets["company_size"], prospect.company_size),
            "region": _same(assets["region"], prospect.region),
            "product": library.tagged(assets, tags, "product", (prospect.product,))
            if prospect.product
            else no,
        }
    )
    words = pain_words(prospect.pain)
    text = library.searchable_text(assets) if words else no
    mentions = pd.DataFrame(
        {word: text.str.contains(word, regex=False) for word in words}, index=assets.index, dtype=bool
    )
    stale = flags.reindex(assets.index)[list(library.FLAGS)].fillna(False).astype(bool)
    return matched, near, mentions, stale


def _asset_reasons(
    asset_id: object,
    prospect: Prospect,
    assets: pd.DataFrame,
    matched: pd.DataFrame,
    near: pd.Series,
    mentions: pd.DataFrame,
    stale: pd.DataFrame,
) -> list[str]:
    """Why one asset matches: what it covers, a neighbouring industry, the pain words it mentions, and why it is stale."""
    found = [word for word in mentions.columns if mentions.at[asset_id, word]]
    causes = [library.STALE_LABELS[flag] for flag in library.FLAGS if stale.at[asset_id, flag]]
    return [
        *_match_reasons(matched.loc[asset_id], prospect, "covers"),
        *([f"neighbouring industry ({assets.at[asset_id, 'industries']})"] if near[asset_id] else []),
        *([f"mentions: {', '.join(found)}"] if found else []),
        *([f"stale: {', '.join(causes)}"] if causes else []),
    ]


def match_assets(
    prospect: Prospect,
    assets: pd.DataFrame,
    tags: pd.DataFrame,
    flags: pd.DataFrame,
    limit: int = 20,
    neighbours: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranked, excluded) assets for a prospect, by match_score (0–100).

    match_score = 40 same industry tag (else 20 for a tag among the neighbouring industries) + 15 same company size
    + 10 same region + 15 same product tag + 20 × (share of the pain text's 4+ letter words found in title, summary
    or quote) − 25 if stale, floor 0.
    Ranked: approved assets scoring above 0, best first then newest, top `limit`, with a `reasons` list, a
    `differs` list (what is not as the prospect asked: why a match is not exact) and `same_industry`.
    Excluded: unapproved assets that would score above 0, with a `reason`.
    """
    matched, near, mentions, stale = _asset_signals(prospect, assets, tags, flags, neighbours)
    score = (
        INDUSTRY_POINTS * matched["industry"]
        + NEIGHBOUR_POINTS * near
        + SIZE_POINTS * matched["size"]
        + REGION_POINTS * matched["region"]
        + PRODUCT_POINTS * matched["product"]
        + PAIN_FIT_POINTS * (mentions.mean(axis=1) if len(mentions.columns) else 0.0)
        - STALE_PENALTY * stale.any(axis=1)
    ).clip(lower=0)
    ids = _best_first(
        score.astype(float),
        library.newest_first(assets["published_on"]),
        library.alphabetical(assets["title"]),
    )
    approved = (assets.loc[ids, "approval_status"] == "approved").to_numpy()
    top, unapproved = ids[approved][: max(limit, 0)], ids[~approved]
    reasons = [_asset_reasons(i, prospect, assets, matched, near, mentions, stale) for i in top]
    ranked = assets.loc[top].assign(match_score=score[top].astype(float))
    ranked["reasons"] = pd.Series(reasons, index=top, dtype=object)
    ranked["differs"] = pd.Series(
        [_differences(assets.loc[i], matched.loc[i], prospect) for i in top], index=top, dtype=object
    )
    ranked["same_industry"] = matched.loc[top, "industry"].astype(bool)
    excluded = assets.loc[unapproved].assign(match_score=score[unapproved].astype(float))
    status = excluded["approval_status"].fillna("no status").astype(str)
    excluded["reason"] = ("not approved by the customer (" + status + ")").astype(object)
    return ranked, excluded


def match_assets_or_nearest(
    prospect: Prospect, assets: pd.DataFrame, tags: pd.DataFrame, flags: pd.DataFrame, limit: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """match_assets(); when no approved asset is tagged with the prospect's industry, with the neighbouring
    industries' assets as the nearest alternatives (core.assets.NEIGHBOURING_INDUSTRIES)."""
    approved = assets["approval_status"] == "approved"
    covered = (library.tagged(assets, tags, "industry", (prospect.industry,)) & approved).any()
    neighbours = () if covered else library.NEIGHBOURING_INDUSTRIES.get(prospect.industry, ())
    return match_assets(prospect, assets, tags, flags, limit, neighbours)


def _fatigue_sentence(row: pd.Series, settings: dict[str, float]) -> str:
    """fatigue_reason() as a clause among others: lower-case start, no closing full stop."""
    text = advocate_rules.fatigue_reason(row, settings).rstrip(".")
    return text[:1].lower() + text[1:]


def _rule_sentences(advocates: pd.DataFrame, rules: pd.DataFrame, settings: dict[str, float]) -> pd.Series:
    """The broken reference rules of each advocate as reasons() words them, joined with "; "."""
    # reasons() builds its lists row by row: word each rule's distinct input once, then spread the sentence.
    samples, masks = [], []
    for rule, column in RULE_INPUTS.items():
        firsts = advocates.loc[rules[rule].to_numpy()].drop_duplicates(column)
        samples.append(firsts)
        masks.append(pd.DataFrame({other: other == rule for other in ALL_RULES}, index=firsts.index))
    sample = pd.concat(samples)
    if sample.empty:
        return pd.Series("", index=advocates.index, dtype=object)
    # One advocate may stand for several rules: number the sample rows so reasons() aligns them one to one.
    at = pd.RangeIndex(len(sample))
    worded = advocate_rules.reasons(sample.set_axis(at), pd.concat(masks).set_axis(at), settings).to_numpy()
    pieces, start = [], 0
    for (rule, column), firsts in zip(RULE_INPUTS.items(), samples, strict=True):
        sentence = dict(
            zip(firsts[column], (said[0] for said in worded[start : start + len(firsts)]), strict=True)
        )
        start += len(firsts)
        pieces.append(advocates[column].map(sentence).where(rules[rule], "").astype(object))
    return library.join_texts(pieces, advocates.index, "; ")


def match_advocates(
    prospect: Prospect,
    advocates: pd.DataFrame,
    fatigue: pd.DataFrame,
    settings: dict[str, float],
    today: dt.date,
    limit: int = 20,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ranked, excluded) advocates for a prospect, by match_score (0–100).

    match_score = 40 same industry + 15 same segment (company size) + 10 same region + 15 same product
    + 20 if a promoter (latest NPS ≥ 9). Excluded (with `reason`): not reference-ready, fatigued, or blocked
    by the ask rules low NPS, recent complaint or at-risk account. Ranked: the others scoring above 0,
    best first then by name, top `limit`, with a `reasons` list; excluded: the `limit` best-matching ones.
    """
    industry = _same(advocates["industry"], prospect.industry)
    size = _same(advocates["segment"], prospect.company_size)
    region = _same(advocates["region"], prospect.region)
    product = _same(advocates["product"], prospect.product)
    promoter = (advocates["nps_latest"] >= metrics.PROMOTER_MIN).fillna(False).astype(bool)
    score = (
        INDUSTRY_POINTS * industry
        + SIZE_POINTS * size
        + REGION_POINTS * region
        + PRODUCT_POINTS * product
        + PROMOTER_POINTS * promoter
    ).astype(float)

    shut_out = _shut_out(advocates, fatigue, settings, today).any(axis=1)

    matched = pd.DataFrame({"industry": industry, "size": size, "region": region, "product": product})
    name = library.alphabetical(advocates["contact_name"])
    allowed = score.where(~shut_out, 0.0)
    top = _best_first(allowed, name)[: max(limit, 0)]
    ranked = advocates.loc[top].assign(match_score=score[top])
    ranked["reasons"] = pd.Series(
        [
            _match_reasons(matched.loc[i], prospect, "uses")
            + ([f"promoter (NPS {advocates.at[i, 'nps_latest']:.0f})"] if promoter.at[i] else [])
            for i in top
        ],
        index=top,
        dtype=object,
    )
    # Only the best-matching excluded ones: the advocates a seller would ask about.
    ids = _best_first(score.where(shut_out, 0.0), name)[: max(limit, 0)]
    excluded = advocates.loc[ids].assign(match_score=score[ids])
    excluded["reason"] = exclusion_reasons(advocates.loc[ids], fatigue, settings, today)
    return ranked, excluded


def _shut_out(
    advocates: pd.DataFrame, fatigue: pd.DataFrame, settings: dict[str, float], today: dt.date
) -> pd.DataFrame:
    """Per advocate: not_ready, fatigued and each reference rule (low NPS, recent complaint, at risk) as booleans."""
    rules = advocate_rules.eligibility(advocates, today, settings)[list(REFERENCE_RULES)]
    return rules.assign(
        not_ready=(advocates["stage"] != "reference_ready").fillna(True).astype(bool),
        fatigued=fatigue["fatigued"].reindex(advocates.index, fill_value=False).astype(bool),
    )


def exclusion_reasons(
    advocates: pd.DataFrame, fatigue: pd.DataFrame, settings: dict[str, float], today: dt.date
) -> pd.Series:
    """Why each advocate cannot take a reference now ("" when they can): not reference-ready, fatigued, or the
    ask rules low NPS, recent complaint and at-risk account."""
    ids = advocates.index
    flags = _shut_out(advocates, fatigue, settings, today)
    stage_text = ("not reference-ready (stage: " + advocates["stage"].fillna("none").astype(str) + ")").where(
        flags["not_ready"], ""
    )
    tired = ids[flags["fatigued"].to_numpy()]
    # fatigue_reason() reads its row by key; plain records are much faster to make than row Series.
    fatigue_text = pd.Series(
        [_fatigue_sentence(row, settings) for row in fatigue.loc[tired].to_dict("records")],
        index=tired,
        dtype=object,
    ).reindex(ids, fill_value="")
    rules = advocate_rules.eligibility(advocates, today, settings)
    rule_text = _rule_sentences(advocates, rules, settings)
    return library.join_texts([stage_text, fatigue_text, rule_text], ids, "; ")
