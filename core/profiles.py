"""Health profiles: a segment's own weights and band thresholds, falling back to the global settings.

A profile holds only the values an admin set for that segment; every other value is the global setting. An
account without a segment, or whose segment has no profile, is scored and banded under the global settings.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from core import health
from core import settings as settings_rules

BAND_KEYS = health.BAND_KEYS
PROFILE_KEYS = (*settings_rules.WEIGHT_KEYS, *BAND_KEYS)

# segment → {setting key → value} for the keys the segment overrides.
Profiles = health.Profiles


def validate(key: str, value: object) -> float:
    """The value as a number if a profile may hold it for key (a weight or a band threshold), else SettingError."""
    if key not in PROFILE_KEYS:
        raise settings_rules.SettingError(f"A health profile holds weights and band thresholds, not '{key}'.")
    return settings_rules.validate(key, value)


def for_segment(settings: dict[str, float], profiles: Profiles, segment: object) -> dict[str, float]:
    """The settings an account of segment is scored and banded under: the global ones with its profile's values."""
    return {**settings, **profiles.get(segment, {})} if isinstance(segment, str) else dict(settings)


def check(settings: dict[str, float], profiles: Profiles) -> None:
    """Refuse a profile whose values make no sense together with the global ones: its at-risk threshold above its
    healthy one, or every weight 0. The message names the profile, each value and where it comes from, e.g.
    "SMB profile: 'At-risk band: score below' 70 (the global setting) is above 'Healthy band: score at least' 65
    (the SMB profile's own)"."""
    for segment, own in profiles.items():
        effective = for_segment(settings, profiles, segment)
        named = {
            key: _named(
                key, effective[key], f"the {segment} profile's own" if key in own else "the global setting"
            )
            for key in PROFILE_KEYS
        }
        if effective["band_at_risk_below"] > effective["band_healthy_min"]:
            raise settings_rules.SettingError(
                f"{segment} profile: {named['band_at_risk_below']} is above {named['band_healthy_min']}; "
                "the at-risk threshold must not be higher than the healthy one."
            )
        if sum(effective[key] for key in settings_rules.WEIGHT_KEYS) <= 0:
            weights = ", ".join(named[key] for key in settings_rules.WEIGHT_KEYS)
            raise settings_rules.SettingError(
                f"{segment} profile: every weight is 0 ({weights}); at least one must be above zero."
            )


def _named(key: str, value: float, source: str) -> str:
    """A setting with its value and where it comes from: "'Weight: product usage' 0 (the global setting)"."""
    return f"'{settings_rules.BY_KEY[key].label}' {value:g} ({source})"


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
