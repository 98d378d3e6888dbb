"""Health profiles: a segment's own weights and band thresholds, falling back to the global settings.

A profile holds only the values an admin set for that segment; every other value is the global setting. An
account without a segment, or whose segment has no profile, is scored and banded under the global settings.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from core import health
from core import settings as settings_rules

BAND_KEYS = ("band_healthy_min", "band_at_risk_below")
PROFILE_KEYS = (*settings_rules.WEIGHT_KEYS, *BAND_KEYS)

# segment → {setting key → value} for the keys the segment overrides.
Profiles = dict[str, dict[str, float]]


def validate(key: str, value: object) -> float:
    """The value as a number if a profile may hold it for key (a weight or a band threshold), else SettingError."""
    if key not in PROFILE_KEYS:
        raise settings_rules.SettingError(f"A health profile holds weights and band thresholds, not '{key}'.")
    return settings_rules.validate(key, value)


def for_segment(settings: dict[str, float], profiles: Profiles, segment: object) -> dict[str, float]:
    """The settings an account of segment is scored and banded under: the global ones with its profile's values."""
    return {**settings, **profiles.get(segment, {})} if isinstance(segment, str) else dict(settings)


def check(settings: dict[str, float], profiles: Profiles) -> None:
    """Refuse a profile whose values make no sense together with the global ones (see settings.check_consistency)."""
    for segment in profiles:
        try:
            settings_rules.check_consistency(for_segment(settings, profiles, segment))
        except settings_rules.SettingError as error:
            raise settings_rules.SettingError(f"{segment} profile: {error}") from None


def weights_key(settings: dict[str, float], profiles: Profiles) -> str:
    """The weights scores are combined with, e.g. 'usage=30 outcomes=15 …'; when a profile has weights of its own,
    followed by a digest of every profile's weights, so any weight change anywhere recombines the stored weeks."""
    key = " ".join(f"{dim}={settings[f'weight_{dim}']:g}" for dim in health.DIMENSIONS)
    weighted = {
        segment: {k: v for k, v in sorted(values.items()) if k in settings_rules.WEIGHT_KEYS}
        for segment, values in sorted(profiles.items())
    }
    weighted = {segment: values for segment, values in weighted.items() if values}
    if not weighted:
        return key
    digest = hashlib.sha256(repr(weighted).encode()).hexdigest()[:12]
    return f"{key} profiles={digest}"


def combine(
    subs: pd.DataFrame, segments: pd.Series, settings: dict[str, float], profiles: Profiles
) -> pd.DataFrame:
    """health.combine of each account under its segment's profile (the global settings without one)."""
    if not profiles:
        return health.combine(subs, settings)
    segments = segments.reindex(subs.index)
    profiled = segments.isin(list(profiles))
    parts = [health.combine(subs[~profiled], settings)]
    for segment, rows in subs[profiled].groupby(segments[profiled]):
        parts.append(health.combine(rows, for_segment(settings, profiles, segment)))
    return pd.concat(parts).reindex(subs.index)


def band(scores: pd.Series, segments: pd.Series, settings: dict[str, float], profiles: Profiles) -> pd.Series:
    """health.band of each score under its account's segment's thresholds (the global ones without a profile)."""
    segments = segments.reindex(scores.index)
    thresholds = {}
    for key in BAND_KEYS:
        own = {segment: values[key] for segment, values in profiles.items() if key in values}
        thresholds[key] = segments.map(own).astype(float).fillna(settings[key])
    return health.band(scores, thresholds["band_healthy_min"], thresholds["band_at_risk_below"])
