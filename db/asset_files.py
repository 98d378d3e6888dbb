"""Where asset files live: a folder on the server (ASSET_FILES_DIR, data/assets by default), each file under a
generated name. Files are read back only for a logged-in page, never served as static URLs."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from core.asset_files import FileKind
from db.engine import ROOT

DEFAULT_FOLDER = ROOT / "data" / "assets"
# The only names store() makes: a random hex stem and a known extension. read() refuses anything else,
# so a tampered key cannot reach outside the folder.
KEY = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{2,5}")


def folder() -> Path:
    return Path(os.environ.get("ASSET_FILES_DIR") or DEFAULT_FOLDER)


def _path(key: str) -> Path:
    if not KEY.fullmatch(key):
        raise ValueError("Not an asset file key.")
    return folder() / key


def store(data: bytes, kind: FileKind) -> str:
    """Write data under a new generated name; its key."""
    key = secrets.token_hex(16) + kind.extension
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return key


def read(key: str) -> bytes:
    return _path(key).read_bytes()


def remove(key: str) -> None:
    _path(key).unlink(missing_ok=True)
