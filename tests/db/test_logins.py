import datetime as dt
import json
import time

import bcrypt
import pytest
from sqlalchemy import select, update

from db import logins, service
from db.engine import transaction
from db.logins import WRONG_MESSAGE, check_login
from db.models import AuditLog, LoginFailure, User
from db.service import ValidationError
from tests.db.factories import add_user

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 11, 23, 12, 0, 0)
HOME, CAFE = "203.0.113.7", "198.51.100.9"


# The dummy hash unknown usernames are checked against, as costly as a stored password (bcrypt cost 12).
REAL_DUMMY_HASH = logins.DUMMY_HASH
# PASSWORD at bcrypt cost 12, as db/service/users.py stores passwords (made once: hashing it takes a quarter second).
STORED_COST_12 = "$2b$12$637JY82q/57Jg.vBg8zBM.v6IY8KPiRZL1Ac44VZ4hDyhjRAWYtwe"


@pytest.fixture(autouse=True)
def dummy_hash_as_costly_as_the_users(monkeypatch):
    """The users here have cost-4 hashes, so the dummy hash has cost 4 too (except in the timing test)."""
    monkeypatch.setattr(logins, "DUMMY_HASH", bcrypt.hashpw(b"dummy", bcrypt.gensalt(4)))


def test_passwords_are_stored_at_the_dummy_hashs_cost_12(monkeypatch):
    monkeypatch.undo()  # the cost-4 hashes of tests/db/conftest.py and of this module
    assert service.hash_password(PASSWORD)[:7] == logins.DUMMY_HASH.decode()[:7] == "$2b$12$"


@pytest.fixture
def users(engine):
    for username in ("amy", "sam"):
        add_user(engine, username)
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    with transaction(engine) as session:
        session.execute(update(User).values(password_hash=hashed))
    return engine


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def fail(engine, username: str, address: str, times: int, now: dt.datetime = T0) -> list[str]:
    return [check_login(engine, username, "wrong guess", address, now).status for _ in range(times)]


def seed(engine, username: str, address: str, failures: int, last_failed_at: dt.datetime = T0) -> None:
    with transaction(engine) as session:
        session.add(
            LoginFailure(username=username, address=address, failures=failures, last_failed_at=last_failed_at)
        )


def failure_rows(engine) -> dict[tuple[str, str], tuple[int, dt.datetime]]:
    with transaction(engine) as session:
        return {
            (row.username, row.address): (row.failures, row.last_failed_at)
            for row in session.scalars(select(LoginFailure))
        }


def audit_rows(engine) -> list[tuple[str, str, str, str | None, dict]]:
    with transaction(engine) as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        return [(r.username, r.action, r.entity, r.entity_id, json.loads(r.after)) for r in rows]


def test_right_password_logs_in_and_wrong_one_is_counted(users):
    ok = check_login(users, "amy", PASSWORD, HOME, T0)
    assert (ok.status, ok.username, ok.message) == ("ok", "amy", None)
    wrong = check_login(users, "amy", "nope", HOME, T0)
    assert (wrong.status, wrong.message) == ("wrong", "Username or password is incorrect.")
    assert failure_rows(users) == {("amy", HOME): (1, T0)}


def test_fourth_failure_starts_a_one_second_wait_and_is_audited(users):
    assert fail(users, "amy", HOME, 3) == ["wrong", "wrong", "wrong"]
    fourth = check_login(users, "amy", "wrong guess", HOME, T0)
    assert (fourth.status, fourth.wait_seconds) == ("wait", 1)
    assert fourth.message == "Too many failed attempts. Try again in 1 second."
    assert audit_rows(users) == [
        ("(login form)", "login_failed", "login", "amy", {"address": HOME, "failures": 1, "wait_seconds": 0}),
        ("(login form)", "login_failed", "login", "amy", {"address": HOME, "failures": 2, "wait_seconds": 0}),
        ("(login form)", "login_failed", "login", "amy", {"address": HOME, "failures": 3, "wait_seconds": 0}),
        (
            "(login form)",
            "login_throttled",
            "login",
            "amy",
            {"address": HOME, "failures": 4, "wait_seconds": 1},
        ),
    ]


def test_right_password_during_the_wait_is_refused_without_counting(users):
    seed(users, "amy", HOME, 8)  # 16 s from T0
    during = check_login(users, "amy", PASSWORD, HOME, at(10))
    assert (during.status, during.wait_seconds) == ("wait", 6)
    assert during.message == "Too many failed attempts. Try again in 6 seconds."
    check_login(users, "amy", "another guess", HOME, at(12))
    assert failure_rows(users) == {("amy", HOME): (8, T0)}
    assert audit_rows(users) == []


def test_after_the_wait_the_right_password_logs_in_and_clears_the_failures(users):
    seed(users, "amy", HOME, 8)
    assert check_login(users, "amy", PASSWORD, HOME, at(16)).status == "ok"
    assert failure_rows(users) == {}
    assert fail(users, "amy", HOME, 3, at(17)) == ["wrong", "wrong", "wrong"]


def test_wrong_password_after_the_wait_doubles_it(users):
    seed(users, "amy", HOME, 8)
    again = check_login(users, "amy", "wrong guess", HOME, at(16))
    assert (again.status, again.wait_seconds) == ("wait", 32)
    assert failure_rows(users) == {("amy", HOME): (9, at(16))}


def test_the_wait_is_capped_at_fifteen_minutes(users):
    seed(users, "amy", HOME, 500)
    assert check_login(users, "amy", PASSWORD, HOME, at(899)).wait_seconds == 1
    assert check_login(users, "amy", PASSWORD, HOME, at(900)).status == "ok"


def test_another_address_is_not_held_back_by_this_ones_failures(users):
    seed(users, "amy", CAFE, 6)
    assert check_login(users, "amy", PASSWORD, CAFE, T0).status == "wait"
    assert check_login(users, "amy", PASSWORD, HOME, T0).status == "ok"
    assert failure_rows(users) == {("amy", CAFE): (6, T0)}


def test_many_addresses_guessing_one_username_are_slowed_but_the_user_waits_half_a_minute_at_most(users):
    for n in range(11):
        fail(users, "amy", f"192.0.2.{n}", 1)
    fresh = check_login(users, "amy", PASSWORD, "192.0.2.200", T0)
    assert (fresh.status, fresh.wait_seconds) == ("wait", 1)
    seed(users, "amy", "192.0.2.99", 10_000)
    assert check_login(users, "amy", PASSWORD, HOME, at(29)).wait_seconds == 1
    assert check_login(users, "amy", PASSWORD, HOME, at(30)).status == "ok"


def test_one_address_spraying_many_usernames_is_slowed(users):
    for n in range(20):
        fail(users, f"guess{n}", CAFE, 1)
    sprayed = check_login(users, "sam", "wrong guess", CAFE, T0)
    assert (sprayed.status, sprayed.wait_seconds) == ("wait", 1)  # the 21st failure starts a wait
    assert check_login(users, "amy", PASSWORD, CAFE, T0).wait_seconds == 1
    assert check_login(users, "amy", PASSWORD, HOME, T0).status == "ok"


def test_the_unknown_address_is_never_throttled_as_a_whole(users):
    for n in range(30):
        fail(users, f"guess{n}", None, 1)
    assert check_login(users, "amy", PASSWORD, None, T0).status == "ok"
    assert ("guess0", "unknown") in failure_rows(users)


def test_unknown_usernames_are_throttled_alike_and_answered_alike(users):
    assert [check_login(users, "nobody", "guess", HOME, T0).message for _ in range(5)] == [
        WRONG_MESSAGE,
        WRONG_MESSAGE,
        WRONG_MESSAGE,
        "Too many failed attempts. Try again in 1 second.",
        "Too many failed attempts. Try again in 1 second.",
    ]
    assert failure_rows(users) == {("nobody", HOME): (4, T0)}


def test_usernames_are_matched_without_case_and_counted_under_one_name(users):
    fail(users, "Amy", HOME, 2)
    fail(users, " AMY ", HOME, 2)
    assert failure_rows(users) == {("amy", HOME): (4, T0)}
    assert check_login(users, "  aMy ", PASSWORD, HOME, at(1)).username == "amy"


def test_an_exact_match_wins_over_a_case_variant(users):
    add_user(users, "Sam.Lee", "sales")
    hashed = bcrypt.hashpw(b"another password", bcrypt.gensalt(4)).decode()
    with transaction(users) as session:
        session.execute(update(User).where(User.username == "Sam.Lee").values(password_hash=hashed))
    assert check_login(users, "sam.lee", "another password", HOME, T0).username == "Sam.Lee"
    assert check_login(users, "sam", PASSWORD, HOME, T0).username == "sam"


def test_disabled_users_and_overlong_passwords_are_refused(users):
    with transaction(users) as session:
        session.execute(update(User).where(User.username == "sam").values(disabled=True))
    assert check_login(users, "sam", PASSWORD, HOME, T0).status == "wrong"
    assert check_login(users, "amy", PASSWORD + "x" * 80, HOME, T0).status == "wrong"


def test_failures_idle_for_a_day_are_deleted_by_any_attempt(users):
    seed(users, "sam", CAFE, 9)
    fail(users, "amy", HOME, 1, at(86_400 - 60))
    check_login(users, "nobody", "guess", "192.0.2.1", at(86_400 + 1))
    assert set(failure_rows(users)) == {("amy", HOME), ("nobody", "192.0.2.1")}


def test_unknown_username_takes_as_long_as_a_known_one(users, monkeypatch):
    monkeypatch.setattr(logins, "DUMMY_HASH", REAL_DUMMY_HASH)
    with transaction(users) as session:
        session.execute(update(User).values(password_hash=STORED_COST_12))

    def seconds(username: str, address: str) -> float:
        """The processor time the check takes in this thread: the hashing is the work an attacker would time,
        and unlike the time on the clock, other processes on a busy machine do not stretch it."""
        started = time.thread_time()
        assert check_login(users, username, "wrong guess", address, T0).status == "wrong"
        return time.thread_time() - started

    # Interleaved, from fresh addresses, and the fastest of each. A check that skipped the hash would take a
    # hundredth of the time, so three of each tell it apart.
    known, unknown = [], []
    for n in range(3):
        known.append(seconds("amy", f"192.0.2.{n}"))
        unknown.append(seconds(f"nobody{n}", f"192.0.2.{n}"))
    known, unknown = min(known), min(unknown)
    print(f"wrong password: known user {known * 1000:.0f} ms, unknown user {unknown * 1000:.0f} ms")
    assert known > 0.05  # cost 12 really ran
    assert 0.5 < unknown / known < 2


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("amy\x00", "Username: control characters (such as NUL) are not allowed."),
        ("a\x1b[2Jmy", "Username: control characters (such as NUL) are not allowed."),
        ("a" * 65, "Username: 65 characters, at most 64."),
    ],
)
def test_a_username_no_user_can_have_is_refused_before_the_database(users, username, message):
    with pytest.raises(ValidationError) as refused:
        check_login(users, username, PASSWORD, HOME, T0)
    assert str(refused.value) == message
    assert failure_rows(users) == {} and audit_rows(users) == []


# --- a browser that has logged in before (its device cookie) -----------------------------------------


def test_a_wrong_password_every_0_3_s_does_not_keep_out_a_browser_that_logged_in_before(users):
    # The attack in issue 16: every login shares one address (a proxy on the same host, or localhost).
    real_user_tries = []
    for step in range(800):  # four minutes
        moment = at(step * 0.3)
        check_login(users, "amy", "wrong guess", None, moment)
        if step % 33 == 0:  # the real user, every 10 s, from the browser she logged in with before
            real_user_tries.append(check_login(users, "amy", PASSWORD, None, moment, device="d1").status)
    assert real_user_tries == ["ok"] * 25
    # Everyone else is held back as before: the attacker too.
    assert check_login(users, "amy", PASSWORD, None, at(240)).status == "wait"


def test_a_few_guesses_an_hour_do_not_hold_a_browser_that_logged_in_before(users):
    seed(users, "amy", "unknown", 500)  # already at the 15-minute cap
    for hour in range(6):
        for quarter in range(4):
            check_login(users, "amy", "wrong guess", None, at(hour * 3600 + quarter * 900))
        assert check_login(users, "amy", PASSWORD, None, at(hour * 3600 + 1000), device="d1").status == "ok"
        assert check_login(users, "amy", PASSWORD, None, at(hour * 3600 + 1000)).status == "wait"


def test_a_browser_that_logged_in_before_is_throttled_on_its_own_failures(users):
    assert [check_login(users, "amy", "typo", HOME, T0, device="d1").status for _ in range(4)] == [
        "wrong",
        "wrong",
        "wrong",
        "wait",
    ]
    assert check_login(users, "amy", PASSWORD, HOME, T0, device="d1").wait_seconds == 1
    assert check_login(users, "amy", PASSWORD, HOME, T0, device="d2").status == "ok"
    assert check_login(users, "amy", PASSWORD, HOME, T0).status == "ok"
    assert failure_rows(users) == {("amy", "device d1"): (4, T0)}
    assert audit_rows(users)[-1] == (
        "(login form)",
        "login_throttled",
        "login",
        "amy",
        {"address": HOME, "known_browser": True, "failures": 4, "wait_seconds": 1},
    )


def test_a_stolen_device_cookie_still_guesses_slowly(users):
    seed(users, "amy", "device d1", 500)
    assert check_login(users, "amy", PASSWORD, CAFE, at(899), device="d1").wait_seconds == 1
    assert check_login(users, "amy", PASSWORD, CAFE, at(900), device="d1").status == "ok"
    assert failure_rows(users) == {}
