import math

import pandas as pd
import pytest

from core import health
from core import profiles as p
from core.settings import DEFAULTS, SettingError

SUBS = pd.DataFrame(
    # Account 1 (SMB): usage 100, support 0, the rest unknown; account 2 (Enterprise) and 3 (no segment) alike.
    {
        "usage": [100.0] * 3,
        "outcomes": [None] * 3,
        "utilisation": [None] * 3,
        "feedback": [None] * 3,
        "support": [0.0] * 3,
    },
    index=pd.Index([1, 2, 3], name="account_id"),
)
SEGMENTS = pd.Series(["SMB", "Enterprise", None], index=SUBS.index)


def test_a_segment_takes_its_own_values_and_the_global_ones_otherwise():
    profiles = {"SMB": {"weight_usage": 60.0}}
    assert p.for_segment(DEFAULTS, profiles, "SMB")["weight_usage"] == 60
    assert p.for_segment(DEFAULTS, profiles, "SMB")["weight_support"] == 20
    assert p.for_segment(DEFAULTS, profiles, "Enterprise") == DEFAULTS
    assert p.for_segment(DEFAULTS, profiles, None) == DEFAULTS


def test_each_account_is_combined_under_its_segments_weights():
    scored = p.combine(SUBS, SEGMENTS, DEFAULTS, {"SMB": {"weight_usage": 60.0}})
    # Global: usage 30, support 20 known → 100·30 ÷ 50 = 60 (well above half of the total weight 100? 50 of 100: yes).
    # SMB: usage 60, support 20 → 100·60 ÷ 80 = 75, known weight 80 of 130 ≥ half.
    assert scored["score"].tolist() == [75.0, 60.0, 60.0]
    assert scored.index.tolist() == [1, 2, 3]
    assert scored["band"].tolist() == ["healthy", "watch", "watch"]


def test_without_profiles_combine_is_the_global_health_combine():
    pd.testing.assert_frame_equal(p.combine(SUBS, SEGMENTS, DEFAULTS, {}), health.combine(SUBS, DEFAULTS))


def test_bands_follow_each_segments_thresholds():
    scores = pd.Series([70.0, 70.0, 70.0, math.nan], index=[1, 2, 3, 4])
    segments = pd.Series(["SMB", "Enterprise", None, "SMB"], index=scores.index)
    profiles = {
        "SMB": {"band_healthy_min": 65.0},
        "Enterprise": {"band_at_risk_below": 72.0, "band_healthy_min": 80.0},
    }
    assert health.band(scores, segments, DEFAULTS, profiles).tolist() == [
        "healthy",
        "at_risk",
        "watch",
        "insufficient_data",
    ]


def test_the_weights_key_names_profiles_only_when_one_has_weights():
    plain = "usage=30 outcomes=15 utilisation=15 feedback=20 support=20"
    assert p.weights_key(DEFAULTS, {}) == plain
    assert p.weights_key(DEFAULTS, {"SMB": {"band_healthy_min": 70.0}}) == plain
    smb = p.weights_key(DEFAULTS, {"SMB": {"weight_usage": 60.0}})
    assert smb.startswith(plain + " profiles=") and len(smb) == len(plain) + 22
    assert smb != p.weights_key(DEFAULTS, {"SMB": {"weight_usage": 61.0}})
    assert smb == p.weights_key(DEFAULTS, {"SMB": {"weight_usage": 60.0, "band_healthy_min": 70.0}})


def test_a_profile_holds_only_weights_and_thresholds_that_make_sense():
    assert p.validate("weight_usage", "40") == 40
    with pytest.raises(SettingError, match="not 'drop_points'"):
        p.validate("drop_points", 10)
    with pytest.raises(SettingError, match="outside 0–100"):
        p.validate("band_healthy_min", 101)
    with pytest.raises(SettingError) as refused:
        p.check(DEFAULTS, {"SMB": {"band_at_risk_below": 80.0}})
    assert str(refused.value) == (
        "SMB profile: 'At-risk band: score below' 80 (the SMB profile's own) is above 'Healthy band: score at "
        "least' 75 (the global setting); the at-risk threshold must not be higher than the healthy one."
    )
    zero = dict.fromkeys(("weight_usage", "weight_outcomes"), 0.0)
    with pytest.raises(SettingError) as refused:
        p.check(
            {**DEFAULTS, "weight_utilisation": 0, "weight_feedback": 0, "weight_support": 0}, {"SMB": zero}
        )
    assert str(refused.value) == (
        "SMB profile: every weight is 0 ('Weight: product usage' 0 (the SMB profile's own), 'Weight: business "
        "outcomes' 0 (the SMB profile's own), 'Weight: service utilisation' 0 (the global setting), 'Weight: "
        "customer feedback' 0 (the global setting), 'Weight: support & operations' 0 (the global setting)); at "
        "least one must be above zero."
    )


def test_a_perfect_score_under_uneven_weights_stays_within_100():
    subs = pd.DataFrame({dim: [100.0] for dim in health.DIMENSIONS})
    # 100·40/110 + 100·15/110 + … sums to 100.00000000000001 in floating point.
    scored = p.combine(subs, pd.Series(["SMB"]), DEFAULTS, {"SMB": {"weight_usage": 40.0}})
    assert scored["score"].iloc[0] <= 100
