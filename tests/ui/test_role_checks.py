"""Pages and their widgets ask the role matrix (core/roles.may, book_owner, in_book); none re-encodes a rule."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"])
# A role compared or listed by hand: `.role ==`, `.role in`, `role in (...)`, or a role's constant.
RE_ENCODED = re.compile(r"\brole\s*(==|!=|in\b|not in\b)|\b(ADMIN|ACCOUNT_MANAGER|MARKETING|SALES)\b")


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_role_rule_is_re_encoded_outside_the_matrix(path):
    hits = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if RE_ENCODED.search(line)
    ]
    assert hits == []
