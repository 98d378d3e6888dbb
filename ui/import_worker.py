"""An import run in a process of its own, so a large file does not hold up every other session.

pandas holds the interpreter lock for seconds at a time while it reads, checks and writes a large file;
in the server process that stalled every session's reruns and messages. The worker is a fresh interpreter
(`python -m ui.import_worker`) rather than a multiprocessing child: Streamlit runs the app as `__main__`,
which a spawned or fork-server child would run again. It runs at a lower CPU priority than the server, so
pages stay quick on a machine with few cores while it works. No streamlit here.

The worker serves one job at a time for as long as its stdin is open. For each, the server writes one
pickle to the worker's stdin: (database URL, "plan" or "run_import", the arguments after the engine,
keyword options); the worker writes pickles to stdout: ("progress", done, total) while an import stores,
then ("result", what the function returned) or ("refused", the ValueError or PermissionDenied it raised).
"""

from __future__ import annotations

import os
import pickle
import sys
from typing import Any, BinaryIO

from db import imports as importer
from db import service
from db.engine import make_engine


def _send(out: BinaryIO, *message: Any) -> None:
    pickle.dump(message, out)
    out.flush()


# How much lower than the server's the worker's CPU priority is (see nice(1)).
WORKER_NICENESS = 10

JOBS = {"plan": importer.plan, "run_import": importer.run_import}


def main(requests: BinaryIO, out: BinaryIO) -> None:
    while True:
        try:
            url, job, args, options = pickle.load(requests)
        except EOFError:  # the server has gone
            return
        if job == "run_import":
            options = options | {"progress": lambda done, total: _send(out, "progress", done, total)}
        engine = make_engine(url)
        try:
            _send(out, "result", JOBS[job](engine, *args, **options))
        except (ValueError, service.PermissionDenied) as error:
            _send(out, "refused", error)
        finally:
            engine.dispose()


if __name__ == "__main__":
    # An import is bulk work: on a machine with few cores the server's page runs come first.
    os.nice(WORKER_NICENESS)
    main(sys.stdin.buffer, sys.stdout.buffer)
