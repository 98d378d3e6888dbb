"""Command line: add a login, e.g. the first admin of a new PostgreSQL database.

python -m db.users add ada --role admin --name "Ada Admin" --email ada@example.com
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from core import roles
from db import logs, migrate, service
from db.engine import make_engine

# Writes from the command line are audited under this name; whoever can run it owns the database.
OPERATOR = service.Actor(id=None, username="command-line", name="Command line", role=roles.ADMIN)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.users", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser(
        "add", help="add a user (the password is asked for, or read from ADVOCACY_PASSWORD)"
    )
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=roles.ROLES)
    add.add_argument("--name", default="")
    add.add_argument("--email", default="")
    args = parser.parse_args(argv)
    logs.configure()

    password = os.environ.get("ADVOCACY_PASSWORD") or getpass.getpass(f"Password for {args.username}: ")
    engine = make_engine()
    migrate.upgrade(engine)
    try:
        user_id = service.create_user(
            engine, OPERATOR, args.username, args.name, args.email, args.role, password
        )
    except service.ValidationError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Added {args.username} ({args.role}) as user {user_id}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
