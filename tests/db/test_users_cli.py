from sqlalchemy import select

from db import users
from db.engine import make_engine
from db.models import AuditLog, User


def test_add_first_admin_from_the_command_line(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ADVOCACY_PASSWORD", "a long pass phrase")
    assert users.main(["add", "ada", "--role", "admin", "--name", "Ada"]) == 0
    assert "Added ada (admin)" in capsys.readouterr().out
    with make_engine(url).connect() as conn:
        assert conn.execute(select(User.username, User.role)).all() == [("ada", "admin")]
        assert conn.execute(select(AuditLog.username, AuditLog.action)).all() == [
            ("command-line", "create_user")
        ]

    monkeypatch.setenv("ADVOCACY_PASSWORD", "short")
    assert users.main(["add", "bob", "--role", "sales"]) == 1
    assert "at least 8" in capsys.readouterr().err
