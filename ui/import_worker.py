"""An import run in a process of its own, so a large file does not hold up every other session.

pandas holds the interpreter lock for seconds at a time while it reads, checks and writes a large file;
in the server process that stalled every session's reruns and messages. The worker is a fresh interpreter
(`python -m ui.import_worker`) rather than a multiprocessing child: Streamlit runs the app as `__main__`,
which a spawned or fork-server child would run again. No streamlit here.

The server writes one pickle to the worker's stdin: (database URL, run_import's arguments, its options).
The worker writes pickles to stdout: ("progress", done, total) while it stores, then ("result",
ImportResult) or ("refused", the ValueError or PermissionDenied it raised).
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, BinaryIO

from db import imports as importer
from db import service
from db.engine import make_engine


def _send(out: BinaryIO, *message: Any) -> None:
    pickle.dump(message, out)
    out.flush()


def main(request: BinaryIO, out: BinaryIO) -> None:
    url, args, options = pickle.load(request)
    engine = make_engine(url)
    try:
        result = importer.run_import(
            engine, *args, progress=lambda done, total: _send(out, "progress", done, total), **options
        )
        _send(out, "result", result)
    except (ValueError, service.PermissionDenied) as error:
        _send(out, "refused", error)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main(sys.stdin.buffer, sys.stdout.buffer)
