"""What keeps many sessions fast: no per-rerun work that holds up every other session (scripts/bench_load.py)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_full_garbage_collection_after_every_script_run():
    assert CONFIG["runner"]["postScriptGC"] is False


def test_no_source_file_watching_on_the_event_loop():
    assert CONFIG["server"]["fileWatcherType"] == "none"


def test_home_bar_spec_is_the_altair_chart_without_altairs_default_theme():
    import pandas as pd

    from ui import charts

    bands = pd.DataFrame({"band": ["Healthy", "At risk"], "accounts": [3, 1]})
    spec = charts.horizontal_bars_spec(bands, "accounts", "band", "Accounts", charts.BAND_COLOURS)
    chart = charts.horizontal_bars(bands, "accounts", "band", "Accounts", charts.BAND_COLOURS).to_dict()
    assert "config" not in spec
    assert spec == {key: value for key, value in chart.items() if key != "config"}
    assert list(spec["datasets"].values()) == [
        [{"band": "Healthy", "accounts": 3}, {"band": "At risk", "accounts": 1}]
    ]
