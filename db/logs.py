"""The log: one line per event (writes, imports, scoring runs, logins, errors) to stderr.

Each package logs under its own name (db.service, db.imports, db.scoring, db.logins). Lines carry actions,
entities, ids, counts and usernames; never e-mails, names, notes, addresses, passwords or error messages
(a database error quotes the row it refused).
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure() -> None:
    """Send the application's log lines to stderr, once per process (a Streamlit rerun calls it again)."""
    app = logging.getLogger("db")
    app.setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logging.getLogger().addHandler(handler)
