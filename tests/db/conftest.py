"""What the database tests share: passwords hashed at bcrypt's lowest cost, and for the import and scoring
tests the work queue's generation recorded instead of run."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db import tasks
from db.service import users


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch) -> None:
    """Passwords a test sets are hashed at bcrypt's cost 4, a hundredth of the product's quarter second;
    tests/db/test_logins.py checks the product's cost."""
    monkeypatch.setattr(users, "PASSWORD_COST", 4)


@pytest.fixture
def generations(monkeypatch) -> list[Engine]:
    """The engines an import or a scoring run asked to generate the work queue for, recorded instead of
    generated (most of their time on a small book), each answered with nothing raised or closed.
    tests/db/test_tasks.py checks the generation and that both ask for it."""
    asked: list[Engine] = []

    def generate(engine: Engine) -> tasks.GenerationReport:
        asked.append(engine)
        return tasks.GenerationReport(raised=0, closed=0)

    monkeypatch.setattr(tasks, "generate", generate)
    return asked
