"""What keeps many sessions fast: no per-rerun work that holds up every other session (scripts/bench_load.py)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_no_full_garbage_collection_after_every_script_run():
    assert CONFIG["runner"]["postScriptGC"] is False


def test_no_source_file_watching_on_the_event_loop():
    assert CONFIG["server"]["fileWatcherType"] == "none"
