"""The fixture the import and scoring tests share: the work queue's generation recorded instead of run."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db import tasks


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
