"""Loyalty and program metrics, exactly as the domain brief defines them."""

from __future__ import annotations

import pandas as pd

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def nps_from_counts(counts: pd.Series) -> float | None:
    """NPS = % promoters (9–10) − % detractors (0–6) from response counts indexed by score; None without responses."""
    total = counts.sum()
    if total == 0:
        return None
    scores = counts.index.to_numpy()
    promoters = counts[scores >= PROMOTER_MIN].sum()
    detractors = counts[scores <= DETRACTOR_MAX].sum()
    return float(100 * (promoters - detractors) / total)


def nps(scores: pd.Series) -> float | None:
    """NPS of individual 0–10 answers (−100…100); None without responses."""
    return nps_from_counts(scores.value_counts())


def nps_class(score: float) -> str:
    """promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= PROMOTER_MIN:
        return "promoter"
    return "passive" if score > DETRACTOR_MAX else "detractor"
