"""No HTML from user text, XSRF protection on, and no login at all without a cookie key outside the demo."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import update

from core import imports, roles
from db.engine import make_engine, transaction
from db.models import Account, Asset, Contact, User
from tests.db.factories import build_references

# The page tests' fixtures, imported so pytest finds them here; the tests then take them by name (F811).
from tests.pages.conftest import app, app_database, database_at, environment, log_in, page_file, served  # noqa: F401
from ui.text import literal, visible

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
MARKDOWN = "**bold** [x](javascript:alert(1))"
SOURCES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_or_shared_widget_renders_raw_html(path):
    source = path.read_text()
    assert not re.search(r"unsafe_allow_html\s*=\s*True", source)
    assert not re.search(r"\bst\.html\(|components\.html\(|components\.v1|import components", source)


def test_xsrf_protection_stays_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True


def test_an_error_shows_no_traceback_type_or_message_in_the_browser():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_what_config_can_turn_off_for_anonymous_clients_is_off():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["enableCORS"] is True
    assert server["enableStaticServing"] is False
    assert server["enableAgentApi"] is False


def test_upload_limit_takes_the_largest_page_import_and_no_more():
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    # A full weekly usage file: imports.MAX_ROWS rows like "ACME-00001,2026-01-05,123,456,78,130".
    weekly_usage = imports.MAX_ROWS * len("ACME-00001,2026-01-05,123,456,78,130\n")
    assert weekly_usage <= limit * 2**20 <= 200 * 2**20  # MiB; 200 is Streamlit's default


def test_literal_escapes_every_markdown_trigger():
    assert literal(SCRIPT) == r"\<script\>alert(1)\</script\>"
    assert literal(MARKDOWN) == "\\*\\*bold\\*\\* \\[x\\](javascript:\u200balert(1))"
    assert literal(":red[x] :material/home: $x^2$ `c` ~b~ a|b &amp; http://x") == (
        ":\u200bred\\[x\\] :\u200bmaterial/home: \\$x^2\\$ \\`c\\` \\~b\\~ a\\|b \\&amp; http:\u200b//x"
    )
    assert literal("# a\n> b\n- c\n+ d\n  12. e\n3) f\n===") == (
        "\\# a\n\\> b\n\\- c\n\\+ d\n  12\\. e\n3\\) f\n\\==="
    )


def test_literal_leaves_plain_sentences_alone():
    sentence = "Nominated Pat: log the ask (phone, agreed) on 1. Jan — Reference-ready. #1 at 12:30!"
    assert literal(sentence) == sentence.replace("12:30", "12:\u200b30")
    assert literal(42) == "42"


@pytest.fixture
def environment_without_cookie_key(environment, monkeypatch):  # noqa: F811
    monkeypatch.delenv("DASHBOARD_COOKIE_KEY")


NO_KEY = (
    "No cookie key configured. Set the DASHBOARD_COOKIE_KEY environment variable or "
    "`cookie_key` in .streamlit/secrets.toml before using a shared database."
)


def test_without_a_cookie_key_the_app_shows_only_the_error(environment_without_cookie_key, app):  # noqa: F811
    app.run()
    assert [e.value for e in app.error] == [NO_KEY]
    assert not app.text_input and not app.button and not app.title and not app.sidebar.button


@pytest.mark.parametrize("spec", roles.PAGES, ids=lambda spec: spec.key)
def test_without_a_cookie_key_every_page_shows_only_the_error(environment_without_cookie_key, spec):
    direct = page_file(Path(spec.path).name).run()
    assert [e.value for e in direct.error] == [NO_KEY]
    assert not direct.text_input and not direct.button and not direct.title


def hostile_names(engine) -> None:
    build_references(engine)
    with transaction(engine) as session:
        session.execute(update(Account).where(Account.id == 1).values(name=SCRIPT, industry=MARKDOWN))
        session.execute(update(Contact).values(name=MARKDOWN))
        session.execute(update(Asset).where(Asset.id == 1).values(title=MARKDOWN, quote=SCRIPT))


@pytest.fixture
def app_database_url(tmp_path) -> str:
    url = database_at(tmp_path, hostile_names)
    engine = make_engine(url)
    with transaction(engine) as session:
        session.execute(update(User).where(User.username == "ada").values(name=MARKDOWN))
    engine.dispose()
    return url


def test_hostile_names_are_shown_as_typed(app):  # noqa: F811
    log_in(app, "ada")
    assert app.sidebar.markdown[0].value == f"**{literal(MARKDOWN)}**  \nAdmin"
    app.query_params["account"] = "1"
    app.switch_page("pages/account.py").run()
    assert not app.exception
    assert app.title[0].value == literal(SCRIPT)
    assert literal(MARKDOWN) in app.caption[0].value
    app.switch_page("pages/library.py").run()
    # The card's text, a paragraph each: the type icon and the title first, the quote last.
    card = next(m.value for m in app.markdown if m.value.startswith(":material/description:")).split("\n\n")
    assert card[0] == f":material/description: **{literal(MARKDOWN)}**"
    assert card[-1] == f"> {literal(SCRIPT)}"


# Every Unicode Bidi_Control character: overrides, embeddings, isolates and marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_shown_as_a_replacement_character():
    # "\u202e" (right-to-left override) makes "Mallory\u202etxt.exe" read as "Malloryexe.txt".
    assert visible("Mallory\u202etxt.exe") == "Mallory\ufffdtxt.exe"
    assert visible(BIDI_CONTROLS) == "\ufffd" * len(BIDI_CONTROLS)
    assert literal("**\u2067x\u2069**") == "\\*\\*\ufffdx\ufffd\\*\\*"


def test_right_to_left_text_itself_is_left_alone():
    assert visible("שלום עולם مرحبا") == "שלום עולם مرحبا"
    assert visible(42) == "42"
