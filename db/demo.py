"""Deterministic demo data: a realistic, internally consistent advocacy and customer-health history."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import time
import zlib
from collections.abc import Iterator
from functools import partial

import bcrypt
import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Engine, Integer, Numeric, text

from core import vocabulary as v
from db.engine import database_url, make_engine
from db.models import Base

DEMO_PASSWORD = "advocacy-demo"
DEMO_USERS: list[tuple[str, str, str]] = [
    ("admin", "Ada Admin", "admin"),
    ("amy", "Amy Account", "account_manager"),
    ("mark", "Mark Marketing", "marketing"),
    ("sam", "Sam Sales", "sales"),
]
# About two and a half years of weekly usage: 50,000 accounts give ~5.2M usage rows.
HISTORY_WEEKS = 128
# Industries that have customers but deliberately no approved case study (a coverage gap to find).
GAP_INDUSTRIES = ("Sports", "Logistics")

EPOCH = dt.date(1970, 1, 1)
DAY_SECONDS = 86_400
NEVER = 10**7  # a day number far beyond any as_of: "no such event"
USAGE_CHUNK_ACCOUNTS = 5_000
CSV_CHUNK_ROWS = 200_000
SQLITE_CACHE_KIB = 512_000

# fmt: off
COMPANY_FIRST = (
    "Acme", "Apex", "Arbor", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Bold", "Bright", "Cedar",
    "Clear", "Cobalt", "Coral", "Crest", "Crimson", "Delta", "Eagle", "Echo", "Ember", "Evergreen",
    "Falcon", "Fern", "Firefly", "Fox", "Golden", "Granite", "Green", "Harbor", "Hawk", "Helix", "Horizon",
    "Iron", "Ivory", "Jade", "Juniper", "Keystone", "Lake", "Lantern", "Lark", "Legacy", "Linden", "Lumen",
    "Maple", "Meridian", "Metro", "Midway", "Nimbus", "North", "Nova", "Oak", "Ocean", "Onyx", "Orbit",
    "Pacific", "Peak", "Pine", "Pioneer", "Polar", "Prairie", "Prime", "Quartz", "Radiant", "Raven", "Red",
    "Ridge", "River", "Rock", "Sage", "Silver", "Sierra", "Sky", "Solar", "Spruce", "Star", "Stone",
    "Summit", "Swift", "Terra", "Thunder", "Tidal", "True", "Union", "Vector", "Vertex", "Vista", "West",
    "Willow", "Zenith", "Zephyr",
)
COMPANY_SECOND = (
    "Bridge", "Brook", "Canyon", "Circuit", "Cloud", "Compass", "Core", "Creek", "Dynamics", "Edge",
    "Field", "Forge", "Frame", "Gate", "Grid", "Grove", "Haven", "Hill", "Hub", "Leaf", "Line", "Link",
    "Logic", "Loop", "Mark", "Mill", "Mint", "Motion", "Nest", "Path", "Point", "Port", "Pulse", "Quest",
    "Range", "Reach", "Root", "Scale", "Shore", "Signal", "Spark", "Spring", "Stream", "Street", "Trail",
    "Vale", "View", "Wave", "Works", "Yard",
)
COMPANY_SUFFIX = (
    "Inc", "Group", "Labs", "Systems", "Partners", "Holdings", "Technologies", "Solutions", "Industries",
    "Co", "Corp", "Ltd", "GmbH", "AG", "Brands", "Networks", "Ventures", "Enterprises", "International",
    "Collective",
)
FIRST_NAMES = (
    "Alex", "Anna", "Ben", "Carla", "Chen", "Dana", "David", "Elena", "Emma", "Farah", "Felix", "Grace",
    "Hana", "Hugo", "Ines", "Ivan", "Jade", "James", "Jonas", "Julia", "Kai", "Karen", "Leo", "Lina",
    "Lucas", "Maya", "Mei", "Mateo", "Nadia", "Nina", "Noah", "Olga", "Omar", "Paula", "Priya", "Rafael",
    "Rosa", "Ryan", "Sara", "Sofia", "Tariq", "Tom", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe", "Liam",
    "Ava",
)
LAST_NAMES = (
    "Adams", "Ahmed", "Alvarez", "Becker", "Brown", "Chen", "Costa", "Dubois", "Evans", "Fischer", "Garcia",
    "Gupta", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Larsen", "Lee", "Lopez", "Martin", "Meyer",
    "Moreau", "Müller", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Rossi",
    "Santos", "Schmidt", "Silva", "Singh", "Smith", "Sato", "Tanaka", "Taylor", "Walker", "Wang", "Weber",
    "Williams", "Wilson", "Yamamoto", "Young", "Zhang", "Ali", "Berg",
)
CONTACT_TITLES = (
    "VP Operations", "Head of Customer Experience", "Director of IT", "COO", "CTO", "Head of Analytics",
    "Operations Manager", "IT Manager", "Project Lead", "Business Analyst", "Product Owner",
    "Head of Digital", "Finance Director", "Procurement Manager", "Team Lead", "Systems Administrator",
)
# fmt: on
CHURN_REASONS_DECLINE = (
    "Low adoption: teams did not know how to use it internally",
    "Low adoption: teams did not know how to use it internally",
    "Switched to a competitor",
    "Did not see the expected ROI",
    "Poor support experience",
    "Price increase at renewal",
    "Champion left the company",
)
CHURN_REASONS_SURPRISE = (
    "Acquired by another company",
    "Budget cut",
    "Consolidated vendors after a merger",
    "Business closed",
)
SURVEY_COMMENTS = (
    (
        "Too many bugs lately, considering alternatives.",
        "Support takes too long to answer.",
        "We are not getting the value we expected.",
        "Hard to roll out to the wider team.",
    ),
    (
        "Works fine, a few features missing.",
        "Good product, onboarding could be smoother.",
        "Decent value for the price.",
        "Reporting could be more flexible.",
    ),
    (
        "Our team uses it every day, great product!",
        "Support was fantastic on our last issue.",
        "Much better than our previous provider.",
        "It saves us hours every week.",
    ),
)
MILESTONE_NAMES = (
    ("Go-live", "Kick-off and go-live"),
    ("First team fully onboarded", "Admin training completed"),
    ("Integration with CRM live", "Single sign-on rolled out", "Data migration completed"),
    ("First automated workflow in production", "Executive dashboard adopted"),
    ("Company-wide rollout", "Second department onboarded"),
    ("ROI target reached", "Business review: goals met"),
)
TRIGGER_P = np.array([0.22, 0.10, 0.14, 0.16, 0.10, 0.12, 0.11, 0.05])
TRIGGER_NOTES = (
    "Praised the new reporting in a call.",
    "Says onboarding was far easier than with their previous vendor.",
    "Long-standing relationship with the account team.",
    "Thanked support for a fast fix.",
    "We solved a hard migration together.",
    "Attended our local customer lunch.",
    "Raised how happy they are in the QBR.",
    "Offered a case study in exchange for renewal terms.",
)
# Per channel: P(agreed), P(declined), P(responded); the rest is no response.
CHANNEL_OUTCOME_P = {
    "email": (0.15, 0.10, 0.15),
    "phone": (0.35, 0.15, 0.18),
    "video_call": (0.28, 0.12, 0.18),
    "in_person": (0.40, 0.12, 0.20),
    "social_dm": (0.12, 0.08, 0.15),
}
# Channel mix per owner role, in vocabulary.CHANNELS order.
ROLE_CHANNEL_P = {
    "csm": (0.45, 0.25, 0.15, 0.10, 0.05),
    "ae": (0.35, 0.35, 0.15, 0.15, 0.00),
    "marketing": (0.60, 0.05, 0.10, 0.00, 0.25),
}
ASSET_TYPE_P = np.array([0.35, 0.12, 0.20, 0.18, 0.10, 0.05])
ASSET_FOLDERS = {
    "case_study": "case-studies",
    "video_testimonial": "videos",
    "written_testimonial": "testimonials",
    "reference_call": "reference-calls",
    "webinar": "webinars",
    "site_visit": "site-visits",
}
ASSET_RESULTS = (
    "cut onboarding time by 40%",
    "doubled team productivity",
    "replaced five spreadsheets",
    "reduced support costs by 30%",
    "scaled to three continents",
    "shortened reporting from days to minutes",
    "improved customer retention by 12%",
    "automated 2,000 hours of manual work",
)
QUOTES = (
    "It changed how our whole team works.",
    "The best vendor relationship we have.",
    "We saw value within the first month.",
    "Support feels like part of our team.",
    "I would recommend it to any peer.",
)
CAMPAIGNS = ("always-on", "spring-double-credit", "q3-email-a", "q3-email-b", "summit-vip", "partner-week")
CAMPAIGN_P = np.array([0.35, 0.15, 0.15, 0.15, 0.10, 0.10])
# Monthly acquisition spend per 1,000 accounts, before noise: enterprise-style, a new customer costs about
# twice its first-year contract.
SPEND_BASE = {
    "paid_search": 600_000,
    "events": 450_000,
    "content": 225_000,
    "outbound": 525_000,
    "referral_rewards": 30_000,
}

TABLE_ORDER = (
    "users",
    "accounts",
    "contacts",
    "churn_events",
    "usage_weekly",
    "survey_responses",
    "milestones",
    "tickets",
    "engagement_triggers",
    "advocates",
    "advocate_stage_changes",
    "outreach_attempts",
    "assets",
    "asset_industries",
    "asset_products",
    "reference_requests",
    "asset_usage",
    "referrals",
    "referral_events",
    "purchases",
    "rewards",
    "thank_yous",
    "acquisition_spend",
)


def generate(
    engine: Engine, accounts: int = 500, seed: int = 7, as_of: dt.date | None = None
) -> dict[str, int]:
    """Fill an empty, migrated database with demo data ending at as_of; returns rows per table."""
    as_of = as_of or dt.date.today()
    with engine.connect() as conn:
        for table in ("users", "accounts"):
            if conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar():
                raise RuntimeError(f"demo data needs an empty database, but {table} has rows")
    password_hash = bcrypt.hashpw(DEMO_PASSWORD.encode(), bcrypt.gensalt(12)).decode()
    demo = _Demo(accounts, seed, as_of, password_hash)
    demo.build()
    counts: dict[str, int] = {}
    sqlite = engine.dialect.name == "sqlite"
    for table in TABLE_ORDER:
        with engine.begin() as conn:
            if sqlite:
                # Index pages of the big tables must stay cached, or every insert rereads them.
                conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
            frames = demo.usage_frames() if table == "usage_weekly" else [demo.tables[table]]
            counts[table] = sum(_bulk_insert(conn, table, frame) for frame in frames)
            if sqlite:
                conn.exec_driver_sql("PRAGMA cache_size = -2000")
    reset_sequences(engine)
    # Fresh statistics for the query planner after the bulk load; on PostgreSQL also the visibility map
    # that lets index-only scans skip the table, as autovacuum would set it in time.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if sqlite else "VACUUM ANALYZE")
    return counts


def _bulk_insert(connection: Connection, table: str, frame: pd.DataFrame) -> int:
    """Insert a frame in bulk: COPY on PostgreSQL, one DBAPI executemany on SQLite."""
    if frame.empty:
        return 0
    columns = list(frame.columns)
    types = Base.metadata.tables[table].c
    values = [_db_values(frame[name].to_numpy(), types[name].type) for name in columns]
    column_list = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN (FORMAT csv)') as copy,
        ):
            for start in range(0, len(frame), CSV_CHUNK_ROWS):
                chunk = pd.DataFrame(
                    {
                        name: col[start : start + CSV_CHUNK_ROWS]
                        for name, col in zip(columns, values, strict=True)
                    }
                )
                buffer = io.StringIO()
                chunk.to_csv(buffer, header=False, index=False)
                copy.write(buffer.getvalue())
    else:
        cursor = raw.cursor()
        placeholders = ", ".join("?" * len(columns))
        cursor.executemany(
            f'INSERT INTO "{table}" ({column_list}) VALUES ({placeholders})',
            zip(*(col.tolist() for col in values), strict=True),
        )
        cursor.close()
    return len(frame)


def _db_values(values: np.ndarray, column_type: object) -> np.ndarray:
    """One column as the driver wants it: dates/datetimes as SQLAlchemy's text format, NULL as None."""
    if isinstance(column_type, DateTime):
        return _format_seconds(values)
    if isinstance(column_type, Date):
        return _format_days(values)
    if isinstance(column_type, Boolean):
        return values.astype(np.int8)
    if isinstance(column_type, Numeric) and values.dtype.kind == "f":
        values = np.round(values, 2)
    if isinstance(column_type, Integer) and values.dtype.kind == "f":
        missing = np.isnan(values)
        if not missing.any():
            return values.astype(np.int64)
        out = np.where(missing, 0, values).astype(np.int64).astype(object)
        out[missing] = None
        return out
    if values.dtype.kind in "fOU":
        return _nulls_as_none(values)
    return values


def _nulls_as_none(values: np.ndarray) -> np.ndarray:
    """An object array with every missing value as None."""
    out = np.asarray(values, dtype=object)
    missing = pd.isna(out)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out


def _day_strings(days: np.ndarray) -> tuple[np.ndarray, int]:
    """'YYYY-MM-DD' for every day between the smallest and largest day, and the smallest day."""
    low = int(days.min())
    table = np.datetime_as_string(np.arange(low, int(days.max()) + 1).astype("datetime64[D]")).astype(object)
    return table, low


def _format_days(values: np.ndarray) -> np.ndarray:
    """Day numbers (days since 1970-01-01, NaN for NULL) as 'YYYY-MM-DD'."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    days = np.where(missing, 0 if missing.all() else np.nanmin(values), values).astype(np.int64)
    table, low = _day_strings(days)
    out = table[days - low]
    out[missing] = None
    return out


_TIMES_OF_DAY = np.array(
    [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000" for s in range(DAY_SECONDS)], dtype=object
)


def _format_seconds(values: np.ndarray) -> np.ndarray:
    """Seconds since 1970 (NaN for NULL) as SQLAlchemy's 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    values = np.asarray(values, dtype=np.float64)
    missing = np.isnan(values)
    seconds = np.where(missing, 0 if missing.all() else np.nanmin(values), values).astype(np.int64)
    days, of_day = np.divmod(seconds, DAY_SECONDS)
    table, low = _day_strings(days)
    out = table[days - low] + _TIMES_OF_DAY[of_day]
    out[missing] = None
    return out


def reset_sequences(engine: Engine) -> None:
    """After explicit ids, point each PostgreSQL id sequence past the largest id (SQLite needs nothing)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in TABLE_ORDER:
            if "id" in Base.metadata.tables[table].c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        "COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
                        f"FROM {table}"
                    )
                )


def _add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """Day numbers moved by whole calendar years (29 February lands on 28 February)."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    day_of_month = (dates - months.astype("datetime64[D]")).astype(np.int64)
    month_of_year = months.astype(np.int64) % 12
    year = months.astype("datetime64[Y]").astype(np.int64) + np.asarray(years)
    day_of_month = np.where((month_of_year == 1) & (day_of_month == 28), 27, day_of_month)
    shifted = (year.astype("datetime64[Y]").astype("datetime64[M]") + month_of_year).astype("datetime64[D]")
    return (shifted + day_of_month).astype(np.int64)


def _year_of(days: np.ndarray) -> np.ndarray:
    """The calendar year of each day number."""
    return (
        np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        + 1970
    )


def _monday_on_or_before(day: int) -> int:
    """The Monday that starts the week of a day number."""
    return day - (day + 3) % 7


def _pick(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category index per row of a (rows × categories) probability matrix."""
    cumulative = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    return np.minimum(
        (rng.random(len(probabilities))[:, None] > cumulative).sum(axis=1), probabilities.shape[1] - 1
    )


def _span(low: float, high: float, x: np.ndarray) -> np.ndarray:
    """Log-uniform interpolation between low and high for x in [0, 1]."""
    return low * (high / low) ** x


def _between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A uniform whole day in [low, high] per element."""
    return (low + np.floor(rng.random(len(low)) * (high - low + 1))).astype(np.int64)


def _work_seconds(rng: np.random.Generator, size: int) -> np.ndarray:
    """Seconds into the day, mostly during office hours."""
    hours = np.clip(rng.normal(13, 2.5, size), 6, 21)
    return (hours * 3600).astype(np.int64)


def _advance(
    history: list[tuple[str | None, str, int, int | None]], to: str, day: int, by: int | None
) -> None:
    """Append a stage change (from the current stage to `to`) to an advocate's history."""
    history.append((history[-1][1], to, day, by))


def _slug(title: str) -> str:
    """A URL-safe slug of a title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class _Demo:
    """Builds every demo table as a DataFrame from latent per-account health trajectories."""

    def __init__(self, accounts: int, seed: int, as_of: dt.date, password_hash: str) -> None:
        self.n = accounts
        self.seed = seed
        self.as_of = (as_of - EPOCH).days
        self.password_hash = password_hash
        self.tables: dict[str, pd.DataFrame] = {}
        self.weeks = _monday_on_or_before(self.as_of - 6) - 7 * np.arange(HISTORY_WEEKS - 1, -1, -1)
        self.window_start = int(self.weeks[0])

    def _rng(self, stage: str, *extra: int) -> np.random.Generator:
        """An independent random stream per stage, so stages can change without reshuffling others."""
        return np.random.default_rng([self.seed, zlib.crc32(stage.encode()), *extra])

    def build(self) -> None:
        """Generate all tables except usage_weekly, which is streamed in chunks at insert time."""
        self._users()
        self._accounts()
        self._contacts()
        self._surveys()
        self._milestones()
        self._tickets()
        self._triggers()
        self._advocates()
        self._assets()
        self._reference_requests()
        self._referrals_and_purchases()
        self._spend()
        self.tables["rewards"] = self._numbered(pd.concat(self._rewards, ignore_index=True), "given_on")
        self.tables["thank_yous"] = self._numbered(pd.concat(self._thank_yous, ignore_index=True), "sent_on")

    @staticmethod
    def _numbered(frame: pd.DataFrame, order_by: str, prefix: str | None = None) -> pd.DataFrame:
        """Sort rows by time (so ids grow with time) and number them from 1."""
        frame = frame.sort_values(order_by, kind="stable").reset_index(drop=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
        if prefix:
            frame.insert(1, "external_id", [f"{prefix}-{i:07d}" for i in frame["id"].tolist()])
        return frame

    # ---- people and accounts -------------------------------------------------------------------

    def _users(self) -> None:
        """The four demo logins plus enough account managers, marketers and sellers for the book."""
        rng = self._rng("users")
        n_am = max(8, self.n // 60)
        n_marketing = 3 + self.n // 25_000
        n_sales = 4 + self.n // 10_000
        roles = (
            ["account_manager"] * (n_am - 1) + ["marketing"] * (n_marketing - 1) + ["sales"] * (n_sales - 1)
        )
        people = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=len(roles), replace=len(roles) > 2500)
        rows = list(DEMO_USERS)
        taken = {username for username, _, _ in rows}
        for role, person in zip(roles, people.tolist(), strict=True):
            first, last = FIRST_NAMES[person // len(LAST_NAMES)], LAST_NAMES[person % len(LAST_NAMES)]
            base = f"{first[0]}{last}".lower().replace("ü", "u")
            username, k = base, 1
            while username in taken:
                k += 1
                username = f"{base}{k}"
            taken.add(username)
            rows.append((username, f"{first} {last}", role))
        users = pd.DataFrame(rows, columns=["username", "name", "role"])
        users.insert(0, "id", np.arange(1, len(users) + 1))
        users["email"] = users["username"] + "@advocacy-demo.example"
        users["password_hash"] = self.password_hash
        users["disabled"] = False
        users["created_at"] = (self.as_of - 800) * DAY_SECONDS + 9 * 3600 + users["id"].to_numpy() * 60
        self.tables["users"] = users
        ids = users.set_index("role")["id"]
        self.am_ids = ids.loc[["account_manager"]].to_numpy()
        self.marketing_ids = ids.loc[["marketing"]].to_numpy()
        self.sales_ids = ids.loc[["sales"]].to_numpy()

    def _company_names(self, rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
        """Unique company names and their e-mail domains."""
        n_second, n_suffix = len(COMPANY_SECOND), len(COMPANY_SUFFIX)
        space = len(COMPANY_FIRST) * n_second * n_suffix
        codes = rng.permutation(max(space, count))[:count].tolist()
        names, domains = [], []
        for code in codes:
            combo, repeat = code % space, code // space
            first = COMPANY_FIRST[combo // (n_second * n_suffix)]
            second = COMPANY_SECOND[combo // n_suffix % n_second]
            suffix = COMPANY_SUFFIX[combo % n_suffix]
            tag = f" {repeat + 1}" if repeat else ""
            names.append(f"{first} {second} {suffix}{tag}")
            domains.append(f"{first}{second}{suffix}{repeat or ''}".lower() + ".example")
        return names, domains

    def _accounts(self) -> None:
        """Accounts, their latent fate (churn, slipping, dip, upsell) and churn_events."""
        rng = self._rng("accounts")
        n, as_of = self.n, self.as_of
        self.n_prospects = max(50, self.n // 5)
        names, domains = self._company_names(rng, n + self.n_prospects)
        self.prospect_names = np.array(names[n:], dtype=object)
        self.domains = domains[:n]
        segment = rng.choice(3, n, p=[0.55, 0.32, 0.13])
        industry_p = np.array([0.20, 0.14, 0.12, 0.12, 0.10, 0.08, 0.05, 0.08, 0.06, 0.05])
        industry = rng.choice(len(v.INDUSTRIES), n, p=industry_p)
        region = rng.choice(len(v.REGIONS), n, p=[0.45, 0.30, 0.17, 0.08])
        product = rng.choice(len(v.PRODUCTS), n, p=[0.40, 0.35, 0.25])
        size = rng.random(n)
        seats_by = [_span(10, 50, size), _span(50, 400, size), _span(200, 5000, size)]
        seats = np.choose(segment, seats_by).round().astype(np.int64)
        price = np.clip(size + rng.normal(0, 0.12, n), 0, 1)
        arr = np.round(
            np.choose(segment, [_span(5e3, 4e4, price), _span(4e4, 2e5, price), _span(2e5, 2e6, price)]), -2
        )
        headcount = np.clip(size + rng.normal(0, 0.2, n), 0, 1)
        employees = np.choose(
            segment, [_span(15, 250, headcount), _span(250, 2500, headcount), _span(2500, 60000, headcount)]
        )
        employees = np.maximum(employees.round().astype(np.int64), seats + 5)

        # Fates: churned in the window, slipping now (churns soon after as_of), dip-and-recover, upsell-ready.
        fate = rng.random(n)
        churned = fate < 0.135
        slipping = (fate >= 0.135) & (fate < 0.185)
        dipping = (fate >= 0.185) & (fate < 0.285)
        upsell = (fate >= 0.285) & (fate < 0.325)
        surprise = churned & (rng.random(n) < 0.2)
        recency = rng.random(n)
        days_ago = np.where(
            recency < 0.04,
            rng.integers(1, 90, n),
            np.where(recency < 0.2, rng.integers(90, 730, n), rng.integers(730, 2190, n)),
        )
        since = as_of - days_ago
        # Subscriptions mostly end at a renewal: churn (and the slipping accounts' next renewal)
        # falls on an anniversary of customer_since.
        tenure_years = rng.integers(1, 6, n)
        churn_day = as_of - rng.integers(7, 729, n)
        at_renewal = rng.random(n) < 0.65
        since = np.where(
            churned,
            np.where(
                at_renewal, _add_years(churn_day, -tenure_years), churn_day - rng.integers(150, 1800, n)
            ),
            since,
        )
        since = np.where(slipping, _add_years(as_of + rng.integers(20, 151, n), -tenure_years), since)
        churn_day = np.where(churned, churn_day, NEVER)
        year_diff = _year_of(np.full(n, as_of)) - _year_of(since)
        renewal = _add_years(since, year_diff)
        renewal = np.where(renewal <= as_of, _add_years(since, year_diff + 1), renewal)

        decline_start = np.full(n, float(NEVER))
        decline_end = np.full(n, float(NEVER + 1))
        floor = np.ones(n)
        declining = churned & ~surprise
        lead = rng.integers(90, 181, n)
        decline_end[declining] = churn_day[declining]
        decline_start[declining] = churn_day[declining] - lead[declining]
        floor[declining] = rng.uniform(0.12, 0.4, declining.sum())
        decline_end[slipping] = renewal[slipping] + rng.integers(0, 30, slipping.sum())
        decline_start[slipping] = as_of - rng.integers(60, 151, slipping.sum())
        floor[slipping] = rng.uniform(0.12, 0.35, slipping.sum())

        dip_low = np.maximum(since + 60, self.window_start)
        dipping &= dip_low < as_of - 10
        dip_start = np.where(dipping, dip_low + rng.random(n) * (as_of - 10 - dip_low), float(NEVER))
        dip_length = np.where(dipping, rng.uniform(42, 112, n), 1.0)
        dip_floor = rng.uniform(0.35, 0.65, n)

        self.since, self.end = since, np.where(churned, churn_day, as_of + 1)
        self.churned, self.slipping, self.churn_day, self.renewal = churned, slipping, churn_day, renewal
        self.decline = (decline_start, decline_end, floor)
        self.dip = (dip_start, dip_length, dip_floor)
        self.sentiment = rng.normal(8.3, 0.8, n) - 0.4 * declining
        self.utilisation = np.where(
            upsell, rng.uniform(0.94, 1.0, n), np.clip(rng.normal(0.7, 0.12, n), 0.3, 0.88)
        )
        self.engagement = np.where(upsell, rng.uniform(0.7, 0.9, n), rng.uniform(0.45, 0.9, n))
        self.logins_per_user = np.choose(
            product, [rng.uniform(2, 3.5, n), rng.uniform(1.2, 2.5, n), rng.uniform(3.5, 5.5, n)]
        )
        self.feature_rate = rng.uniform(1.5, 6, n)
        self.seats, self.segment, self.industry, self.region, self.product = (
            seats,
            segment,
            industry,
            region,
            product,
        )
        self.arr = arr
        self.owner = self.am_ids[rng.permutation(n) % len(self.am_ids)]
        # The active part of the history window: [active_from, active_to] inclusive.
        self.active_from = np.maximum(since, self.window_start)
        self.active_to = np.minimum(self.end - 1, as_of)

        ids = np.arange(1, n + 1)
        self.account_names = np.array(names[:n], dtype=object)
        self.tables["accounts"] = pd.DataFrame(
            {
                "id": ids,
                "external_id": [f"ACC-{i:06d}" for i in ids.tolist()],
                "name": self.account_names,
                "industry": np.array(v.INDUSTRIES)[industry],
                "segment": np.array(v.SEGMENTS)[segment],
                "region": np.array(v.REGIONS)[region],
                "product": np.array(v.PRODUCTS)[product],
                "employees": employees,
                "arr": arr,
                "seats_purchased": seats,
                "customer_since": since,
                "renewal_date": renewal,
                "owner_id": self.owner,
            }
        )
        reasons = np.where(
            surprise,
            np.array(CHURN_REASONS_SURPRISE, dtype=object)[rng.integers(0, len(CHURN_REASONS_SURPRISE), n)],
            np.array(CHURN_REASONS_DECLINE, dtype=object)[rng.integers(0, len(CHURN_REASONS_DECLINE), n)],
        )
        gone = np.flatnonzero(churned)
        self.champion_left = churned & (reasons == "Champion left the company")
        self.tables["churn_events"] = pd.DataFrame(
            {
                "id": np.arange(1, len(gone) + 1),
                "account_id": gone + 1,
                "churned_on": churn_day[gone],
                "reason": reasons[gone],
                "arr_lost": arr[gone],
            }
        )

    def health(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The latent health multiplier (1 = normal, lower = declining or dipping) on day."""
        start, end, floor = (part[account] for part in self.decline)
        progress = np.clip((day - start) / (end - start), 0, 1)
        declined = 1 - (1 - floor) * progress**1.3
        dip_start, dip_length, dip_floor = (part[account] for part in self.dip)
        depth = np.clip(1 - np.abs(2 * (day - dip_start) / dip_length - 1), 0, 1)
        return np.minimum(declined, 1 - (1 - dip_floor) * depth)

    def _contacts(self) -> None:
        """Two to five contacts per account; about 5% have left the company."""
        rng = self._rng("contacts")
        n = self.n
        count = np.choose(self.segment, [rng.integers(2, 4, n), rng.integers(2, 5, n), rng.integers(3, 6, n)])
        account = np.repeat(np.arange(n), count)
        total = len(account)
        self.contact_start = np.concatenate([[0], np.cumsum(count)[:-1]])
        self.contact_count = count
        position = np.arange(total) - self.contact_start[account]
        first = rng.integers(0, len(FIRST_NAMES), total)
        last = rng.integers(0, len(LAST_NAMES), total)
        firsts, lasts = np.array(FIRST_NAMES, dtype=object), np.array(LAST_NAMES, dtype=object)
        names = firsts[first] + " " + lasts[last]
        local = [
            f"{a}.{b}".lower().replace("ü", "ue") for a, b in zip(firsts[first], lasts[last], strict=True)
        ]
        domains = np.array(self.domains, dtype=object)[account]
        emails = [
            f"{name}{'' if p == 0 else p + 1}@{domain}"
            for name, p, domain in zip(local, position.tolist(), domains, strict=True)
        ]
        titles = np.array(CONTACT_TITLES, dtype=object)[
            np.where(position == 0, rng.integers(0, 6, total), rng.integers(0, len(CONTACT_TITLES), total))
        ]
        strength = np.clip(
            np.round(3 + 0.8 * (self.sentiment[account] - 8) + rng.normal(0, 1, total)), 1, 5
        ).astype(np.int64)
        left = np.full(total, np.nan)
        leaves = rng.random(total) < 0.05
        low = np.maximum(self.since[account] + 30, self.window_start)
        high = np.minimum(self.end[account], self.as_of) - 1
        leaves &= low < high
        left[leaves] = _between(rng, low[leaves], high[leaves])
        # The champion (first contact) of a "champion left" churn leaves a few months before it.
        champion = self.champion_left[account] & (position == 0)
        left[champion] = self.churn_day[account[champion]] - rng.integers(45, 150, champion.sum())
        self.contact_account = account
        self.contact_offset = rng.normal(0, 0.7, total)
        self.contact_left = np.where(np.isnan(left), NEVER, left)
        self.contact_strength = strength
        ids = np.arange(1, total + 1)
        self.contact_names = names
        self.contact_titles = titles
        self.tables["contacts"] = pd.DataFrame(
            {
                "id": ids,
                "external_id": [f"CON-{i:07d}" for i in ids.tolist()],
                "account_id": account + 1,
                "name": names,
                "email": emails,
                "title": titles,
                "relationship_strength": strength,
                "left_company_on": left,
            }
        )

    def _events(
        self, rng: np.random.Generator, per_history: np.ndarray, boost: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Random (account, day) events over each account's active window, more often when health is low."""
        span = self.active_to - self.active_from + 1
        expected = per_history * np.maximum(span, 0) / (HISTORY_WEEKS * 7) * (1 + boost)
        account = np.repeat(np.arange(self.n), rng.poisson(expected))
        day = self.active_from[account] + np.floor(rng.random(len(account)) * span[account]).astype(np.int64)
        if boost:
            keep = rng.random(len(account)) * (1 + boost) < 1 + boost * (1 - self.health(account, day))
            account, day = account[keep], day[keep]
        return account, day

    def _random_contact(self, rng: np.random.Generator, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """A contact of each account still at the company on day, or NaN."""
        contact = self.contact_start[account] + np.floor(
            rng.random(len(account)) * self.contact_count[account]
        ).astype(np.int64)
        return np.where(self.contact_left[contact] > day, contact, np.nan)

    # ---- health signals ------------------------------------------------------------------------

    def usage_frames(self) -> Iterator[pd.DataFrame]:
        """usage_weekly in chunks of accounts (up to HISTORY_WEEKS weekly rows each)."""
        weeks = self.weeks
        mid = (weeks + 3).astype("datetime64[D]")
        month = mid.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day_of_month = (mid - mid.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
        season = np.where(
            (month == 12) & (day_of_month >= 22) | (month == 1) & (day_of_month <= 4),
            0.55,
            np.where((month == 12) & (day_of_month >= 15), 0.85, np.where(month == 8, 0.88, 1.0)),
        )
        season = season * self._rng("season").normal(1, 0.02, len(weeks))
        first_week = self.since + (7 - (self.since + 3) % 7) % 7
        for chunk, start in enumerate(range(0, self.n, USAGE_CHUNK_ACCOUNTS)):
            rng = self._rng("usage", chunk)
            idx = np.arange(start, min(start + USAGE_CHUNK_ACCOUNTS, self.n))
            valid = (weeks[None, :] >= first_week[idx, None]) & (weeks[None, :] + 7 <= self.end[idx, None])
            row, col = np.nonzero(valid)
            account, week = idx[row], weeks[col]
            size = len(account)
            m = self.health(account, week + 3)
            age = week - self.since[account]
            ramp = np.clip(0.3 + 0.7 * age / 84, 0.3, 1)
            seat_ramp = np.clip(0.5 + 0.5 * age / 56, 0.5, 1)
            seats = self.seats[account]
            seats_used = np.minimum(
                np.round(
                    seats
                    * self.utilisation[account]
                    * (0.6 + 0.4 * m)
                    * seat_ramp
                    * rng.lognormal(0, 0.03, size)
                ),
                seats,
            )
            active = np.minimum(
                np.round(
                    seats_used
                    * self.engagement[account]
                    * m
                    * ramp
                    * season[col]
                    * rng.lognormal(0, 0.07, size)
                ),
                seats_used,
            )
            logins = np.round(
                active * self.logins_per_user[account] * np.sqrt(season[col]) * rng.lognormal(0, 0.1, size)
            )
            features = np.round(active * self.feature_rate[account] * m**0.8 * rng.lognormal(0, 0.15, size))
            yield pd.DataFrame(
                {
                    "account_id": account + 1,
                    "week_start": week,
                    "active_users": active.astype(np.int64),
                    "logins": logins.astype(np.int64),
                    "key_feature_events": features.astype(np.int64),
                    "seats_used": seats_used.astype(np.int64),
                }
            )

    def _surveys(self) -> None:
        """NPS and CSAT answers that follow each account's sentiment and current health."""
        rng = self._rng("surveys")
        segment_factor = np.array([0.8, 1.2, 1.6])[self.segment]
        account, day = self._events(rng, 11.5 * segment_factor)
        size = len(account)
        contact = self._random_contact(rng, account, day)
        contact[rng.random(size) < 0.12] = np.nan
        offset = np.where(np.isnan(contact), 0, self.contact_offset[np.nan_to_num(contact).astype(np.int64)])
        satisfaction = (
            self.sentiment[account] + offset - 6 * (1 - self.health(account, day)) + rng.normal(0, 1.2, size)
        )
        is_nps = rng.random(size) < 0.55
        nps = np.clip(np.round(satisfaction), 0, 10)
        csat = np.clip(np.round(satisfaction / 2 + 0.3 + rng.normal(0, 0.4, size)), 1, 5)
        score = np.where(is_nps, nps, csat).astype(np.int64)
        band = np.where(is_nps, np.digitize(score, [7, 9]), np.digitize(score, [3, 4]))
        comments = np.array(SURVEY_COMMENTS, dtype=object)[band, rng.integers(0, 4, size)]
        comments[rng.random(size) > 0.3] = None
        frame = pd.DataFrame(
            {
                "account_id": account + 1,
                "contact_id": contact + 1,
                "kind": np.where(is_nps, "nps", "csat"),
                "score": score,
                "responded_on": day,
                "comment": comments,
            }
        )
        self.tables["survey_responses"] = self._numbered(frame, "responded_on", "SRV")

    def _milestones(self) -> None:
        """Planned business outcomes, missed more often while an account declines."""
        rng = self._rng("milestones")
        n = self.n
        count = rng.integers(2, 7, n)
        account = np.repeat(np.arange(n), count)
        size = len(account)
        position = np.arange(size) - np.repeat(np.concatenate([[0], np.cumsum(count)[:-1]]), count)
        since = self.since[account]
        horizon = np.where(self.churned[account], self.churn_day[account] + 60, self.as_of + 180)
        plan_from = np.maximum(since + 30, horizon - 780)
        # Milestones follow each other: spread them evenly over the recent plan with jitter.
        share = (position + rng.uniform(0.2, 0.9, size)) / count[account]
        planned = (plan_from + share * (horizon - plan_from)).astype(np.int64)
        m = self.health(account, planned)
        achieved = planned + np.round(rng.normal(-5, 15, size)).astype(np.int64)
        achieved = np.maximum(achieved, since + 14)
        due = planned <= self.as_of
        reached = (
            due
            & (rng.random(size) < 0.93 * m**2)
            & (achieved <= np.minimum(self.as_of, self.end[account] - 1))
        )
        early = ~due & (rng.random(size) < 0.08)
        early_day = self.as_of - rng.integers(0, 20, size)
        reached_on = np.where(
            reached, achieved, np.where(early & (early_day >= since + 14), early_day, np.nan)
        )
        names = [MILESTONE_NAMES[min(p, len(MILESTONE_NAMES) - 1)] for p in position.tolist()]
        pick = rng.random(size).tolist()
        frame = pd.DataFrame(
            {
                "account_id": account + 1,
                "name": [options[int(u * len(options))] for options, u in zip(names, pick, strict=True)],
                "planned_on": planned,
                "achieved_on": reached_on,
            }
        )
        self.tables["milestones"] = self._numbered(frame, "planned_on", "MS")

    def _tickets(self) -> None:
        """Support tickets, more frequent and more severe while an account declines."""
        rng = self._rng("tickets")
        segment_factor = np.array([0.7, 1.1, 1.8])[self.segment]
        account, day = self._events(rng, 24 * segment_factor, boost=2.5)
        size = len(account)
        bad = 1 - self.health(account, day)
        opened = day * DAY_SECONDS + _work_seconds(rng, size) + rng.integers(0, 60, size)
        severity_p = np.column_stack(
            [0.38 - 0.25 * bad, np.full(size, 0.40), 0.16 + 0.2 * bad, 0.06 + 0.15 * bad]
        )
        severity = _pick(rng, severity_p)
        category_p = np.column_stack(
            [
                np.full(size, 0.35),
                np.full(size, 0.28) + 0.05 * bad,
                0.06 + 0.15 * bad,
                0.03 + 0.25 * bad,
                0.24 - 0.15 * bad,
            ]
        )
        category = _pick(rng, category_p)
        typical_hours = np.array([36.0, 16.0, 8.0, 3.0])[severity]
        sla_hours = np.array([120.0, 48.0, 24.0, 8.0])[severity]
        hours = typical_hours * rng.lognormal(0, 0.8, size) * (1 + 1.5 * bad)
        closed = opened + (hours * 3600).astype(np.int64)
        end_of_as_of = (self.as_of + 1) * DAY_SECONDS - 1
        recent = day >= self.as_of - 45
        still_open = (closed > end_of_as_of) | (recent & ~self.churned[account] & (rng.random(size) < 0.03))
        open_hours = (end_of_as_of - opened) / 3600
        breached = np.where(still_open, open_hours > sla_hours, hours > sla_hours)
        escalate_p = 0.02 + 0.2 * bad + 0.08 * (severity == 3) + 0.05 * (category == 3)
        frame = pd.DataFrame(
            {
                "account_id": account + 1,
                "opened_at": opened,
                "closed_at": np.where(still_open, np.nan, closed),
                "severity": np.array(v.TICKET_SEVERITIES)[severity],
                "category": np.array(v.TICKET_CATEGORIES)[category],
                "sla_breached": breached,
                "escalated": rng.random(size) < escalate_p,
            }
        )
        self.tables["tickets"] = self._numbered(frame, "opened_at", "TKT")

    def _triggers(self) -> None:
        """Engagement triggers, mostly at warm and healthy accounts."""
        rng = self._rng("triggers")
        warmth = np.clip((self.sentiment - 6.5) / 3, 0, 1)
        account, day = self._events(rng, 0.6 + 5 * warmth)
        keep = rng.random(len(account)) < self.health(account, day) ** 2
        account, day = account[keep], day[keep]
        size = len(account)
        kind = rng.choice(len(v.TRIGGER_KINDS), size, p=TRIGGER_P)
        frame = pd.DataFrame(
            {
                "external_id": None,
                "account_id": account + 1,
                "contact_id": self._random_contact(rng, account, day) + 1,
                "kind": np.array(v.TRIGGER_KINDS)[kind],
                "occurred_on": day,
                "note": np.array(TRIGGER_NOTES, dtype=object)[kind],
                "recorded_by": self.owner[account],
            }
        )
        self.tables["engagement_triggers"] = self._numbered(frame, "occurred_on")

    # ---- advocacy ------------------------------------------------------------------------------

    def _advocates(self) -> None:
        """Advocates (mostly promoters), their asks, stage histories and agreement thank-yous."""
        rng = self._rng("advocates")
        surveys = self.tables["survey_responses"]
        nps = surveys[(surveys["kind"] == "nps") & surveys["contact_id"].notna()]
        latest = nps.groupby("contact_id")["score"].last()
        n_contacts = len(self.contact_account)
        latest_nps = np.full(n_contacts, -1)
        latest_nps[latest.index.to_numpy(dtype=np.int64) - 1] = latest.to_numpy()
        self.contact_promoter = latest_nps >= 9
        base_p = np.select([latest_nps >= 9, latest_nps >= 7, latest_nps >= 0], [0.6, 0.2, 0.02], 0.12)
        chosen = rng.random(n_contacts) < base_p * (0.5 + 0.15 * self.contact_strength)
        account = self.contact_account
        # The program is older than the usage window, so some advocates were found before it.
        low = np.maximum(self.since[account] + 60, self.as_of - 1000)
        high = np.minimum(np.minimum(self.end[account] - 30, self.contact_left - 1), self.as_of - 1)
        chosen &= low <= high
        contact = np.flatnonzero(chosen)
        account = account[contact]
        size = len(contact)
        # Most advocates were found a while ago, so they have a history of asks.
        created = (
            low[contact] + np.floor((high[contact] - low[contact] + 1) * rng.random(size) ** 1.4)
        ).astype(np.int64)
        warmth = np.select([latest_nps[contact] >= 9, latest_nps[contact] >= 7], [1.1, 0.75], 0.5)
        last_ask_day = np.minimum(np.minimum(self.end[account], self.contact_left[contact]) - 1, self.as_of)

        # Ask sequences: first one soon after nomination, re-circled every ~75+ days.
        wanted = np.where(rng.random(size) < 0.3, 0, 1 + rng.poisson(3.5, size))
        gaps = np.column_stack(
            [rng.integers(3, 40, size)] + [75 + rng.integers(0, 30, size) for _ in range(5)]
        )
        starts = created[:, None] + np.cumsum(gaps, axis=1)
        has = (np.arange(6)[None, :] < wanted[:, None]) & (starts <= last_ask_day[:, None] - 3)
        seq_adv, seq_no = np.nonzero(has)
        seq_start = starts[seq_adv, seq_no]
        attempts = self._outreach(rng, seq_adv, seq_no, seq_start, account, warmth, last_ask_day)

        stage, changed, changes = self._stage_histories(rng, size, created, attempts, account, contact)
        self.adv_account, self.adv_contact, self.adv_stage = account, contact, stage
        self.adv_created = created
        agreed = attempts[attempts["outcome"] == "agreed"].groupby("advocate")["responded_on"].min()
        self.adv_agreed_on = np.full(size, NEVER)
        self.adv_agreed_on[agreed.index.to_numpy()] = agreed.to_numpy()
        self.adv_promoter = self.contact_promoter[contact]
        nominated_by = np.where(
            rng.random(size) < 0.6, self.owner[account], rng.choice(self.marketing_ids, size)
        )
        self.tables["advocates"] = pd.DataFrame(
            {
                "id": np.arange(1, size + 1),
                "contact_id": contact + 1,
                "account_id": account + 1,
                "stage": stage,
                "stage_changed_at": changed,
                "referral_code": None,
                "nominated_by": np.where(stage == "candidate", np.nan, nominated_by),
                "created_at": changes.groupby("advocate_id")["changed_at"].min().to_numpy(),
                "version": 1,
            }
        )
        self.tables["advocate_stage_changes"] = self._numbered(changes, "changed_at")
        attempts["advocate_id"] = attempts.pop("advocate") + 1
        self.tables["outreach_attempts"] = self._numbered(attempts.drop(columns="sequence"), "sent_on")
        self._thank_agreements(rng, attempts)

    def _outreach(
        self,
        rng: np.random.Generator,
        seq_adv: np.ndarray,
        seq_no: np.ndarray,
        seq_start: np.ndarray,
        account: np.ndarray,
        warmth: np.ndarray,
        last_ask_day: np.ndarray,
    ) -> pd.DataFrame:
        """One ask plus up to three follow-ups per sequence, each outcome drawn by channel effectiveness."""
        count = len(seq_adv)
        purpose = np.where(
            seq_no == 0, rng.choice(3, count, p=[0.55, 0.30, 0.15]), rng.choice(3, count, p=[0.4, 0.4, 0.2])
        )
        role = rng.choice(3, count, p=[0.5, 0.25, 0.25])
        owner = np.choose(
            role,
            [
                self.owner[account[seq_adv]],
                rng.choice(self.sales_ids, count),
                rng.choice(self.marketing_ids, count),
            ],
        )
        role_channels = np.array([ROLE_CHANNEL_P[r] for r in v.OWNER_ROLES])
        outcome_p = np.array([CHANNEL_OUTCOME_P[c] for c in v.CHANNELS])
        frames = []
        sent = seq_start.copy()
        alive = np.ones(count, dtype=bool)
        for follow_up in range(4):
            channel = _pick(rng, role_channels[role])
            agree, decline, respond = (outcome_p[channel, k] for k in range(3))
            agree = np.minimum(agree * warmth[seq_adv], 0.9)
            outcome = _pick(rng, np.column_stack([1 - agree - decline - respond, respond, agree, decline]))
            limit = last_ask_day[seq_adv]
            responded = np.minimum(sent + rng.integers(0, 7, count), limit)
            rows = np.flatnonzero(alive & (sent <= limit))
            frames.append(
                pd.DataFrame(
                    {
                        "advocate": seq_adv[rows],
                        "sequence": seq_no[rows],
                        "purpose": np.array(v.OUTREACH_PURPOSES)[purpose[rows]],
                        "channel": np.array(v.CHANNELS)[channel[rows]],
                        "owner_role": np.array(v.OWNER_ROLES)[role[rows]],
                        "owner_id": owner[rows],
                        "follow_up_number": follow_up,
                        "sent_on": sent[rows],
                        "responded_on": np.where(outcome[rows] == 0, np.nan, responded[rows]),
                        "outcome": np.array(v.OUTREACH_OUTCOMES)[outcome[rows]],
                    }
                )
            )
            # Only an unanswered ask gets a follow-up, and some owners give up early.
            alive &= (sent <= limit) & (outcome == 0) & (rng.random(count) < 0.9)
            sent = sent + rng.integers(4, 12, count)
        attempts = pd.concat(frames, ignore_index=True).sort_values(
            ["advocate", "sent_on", "follow_up_number"], kind="stable"
        )
        attempts.insert(0, "external_id", None)
        attempts["note"] = None
        return attempts.reset_index(drop=True)

    def _stage_histories(
        self,
        rng: np.random.Generator,
        size: int,
        created: np.ndarray,
        attempts: pd.DataFrame,
        account: np.ndarray,
        contact: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """Walk each advocate's asks in order to its current stage, recording every stage change."""
        last = attempts.drop_duplicates(["advocate", "sequence"], keep="last")
        first = attempts.drop_duplicates(["advocate", "sequence"], keep="first")
        by_advocate: dict[int, list[tuple[int, int, str, float, str, int]]] = {}
        for adv, start, outcome, answered, purpose, owner in zip(
            last["advocate"].tolist(),
            first["sent_on"].tolist(),
            last["outcome"].tolist(),
            last["responded_on"].tolist(),
            last["purpose"].tolist(),
            first["owner_id"].tolist(),
            strict=True,
        ):
            by_advocate.setdefault(adv, []).append((start, adv, outcome, answered, purpose, owner))
        exit_day = np.minimum(self.churn_day[account], self.contact_left[contact])
        nominate = rng.random(size) < 0.45
        nominate_gap = rng.integers(1, 30, size).tolist()
        later = rng.integers(5, 40, size).tolist()
        pause = (rng.random(size) < 0.08).tolist()
        ready = (rng.random(size) < 0.6).tolist()
        seconds = _work_seconds(rng, size)
        as_of = self.as_of
        stages, changed_at = [], []
        change_rows: list[tuple[int, str | None, str, int, int | None]] = []
        for i in range(size):
            created_day = int(created[i])
            history: list[tuple[str | None, str, int, int | None]] = [(None, "candidate", created_day, None)]
            move = partial(_advance, history)
            sequences = by_advocate.get(i, [])
            if sequences:
                move("nominated", min(created_day + nominate_gap[i], sequences[0][0]), None)
            elif nominate[i] and created_day + nominate_gap[i] <= as_of:
                move("nominated", created_day + nominate_gap[i], None)
            for start, _, outcome, answered, purpose, owner in sequences:
                stage = history[-1][1]
                if stage in ("nominated", "declined"):
                    move("asked", start, owner)
                stage = history[-1][1]
                if outcome == "agreed" and stage not in ("agreed", "reference_ready"):
                    move("agreed", int(answered), owner)
                    if purpose == "reference" and ready[i] and answered + later[i] <= as_of:
                        move("reference_ready", int(answered) + later[i], owner)
                elif outcome == "declined" and stage not in ("agreed", "reference_ready"):
                    move("declined", int(answered), owner)
            stage, day = history[-1][1], history[-1][2]
            if exit_day[i] <= as_of:
                move("retired", max(int(exit_day[i]), day), None)
            elif stage in ("agreed", "reference_ready") and pause[i] and day + 60 <= as_of:
                move("paused", day + 60, None)
            # Same-day changes keep their order through a growing time of day.
            for k, (before, to, day, by) in enumerate(history):
                change_rows.append((i + 1, before, to, day * DAY_SECONDS + int(seconds[i]) + k * 60, by))
            stages.append(history[-1][1])
            changed_at.append(change_rows[-1][3])
        changes = pd.DataFrame(
            change_rows, columns=["advocate_id", "from_stage", "to_stage", "changed_at", "changed_by"]
        )
        changes["changed_by"] = changes["changed_by"].astype("float64")
        return np.array(stages, dtype=object), np.array(changed_at, dtype=np.int64), changes

    def _thank_agreements(self, rng: np.random.Generator, attempts: pd.DataFrame) -> None:
        """Thank-yous and rewards for most agreements, leaving some thank-yous overdue."""
        agreed = attempts[attempts["outcome"] == "agreed"]
        size = len(agreed)
        answered = agreed["responded_on"].to_numpy().astype(np.int64)
        thank_day = answered + rng.integers(0, 5, size)
        # Leave recent agreements more often unthanked so the "overdue thank-yous" list is never empty.
        thanked = (thank_day <= self.as_of) & (
            rng.random(size) < np.where(answered >= self.as_of - 21, 0.5, 0.88)
        )
        self._thank_yous = [
            pd.DataFrame(
                {
                    "advocate_id": agreed["advocate_id"].to_numpy()[thanked],
                    "reason": "agreement",
                    "channel": np.array(v.CHANNELS)[rng.choice(5, size, p=[0.7, 0.1, 0.1, 0.05, 0.05])][
                        thanked
                    ],
                    "sent_on": thank_day[thanked],
                    "note": None,
                }
            )
        ]
        given = answered + rng.integers(3, 30, size)
        rewarded = (rng.random(size) < 0.35) & (given <= self.as_of)
        self._rewards = [
            self._reward_rows(rng, agreed["advocate_id"].to_numpy()[rewarded], given[rewarded], None)
        ]

    @staticmethod
    def _reward_rows(
        rng: np.random.Generator, advocate_id: np.ndarray, day: np.ndarray, kinds: np.ndarray | None
    ) -> pd.DataFrame:
        """Reward rows of the given (or random) kinds with a value fitting each kind."""
        size = len(advocate_id)
        kind = rng.choice(len(v.REWARD_KINDS), size) if kinds is None else kinds
        low = np.array([500, 0, 0, 100, 50, 30])[kind]
        high = np.array([5000, 0, 0, 1000, 300, 150])[kind]
        value = np.round(low + rng.random(size) * (high - low), -1)
        return pd.DataFrame(
            {
                "advocate_id": advocate_id,
                "kind": np.array(v.REWARD_KINDS)[kind],
                "value": np.where(high > 0, value, np.nan),
                "given_on": day,
                "note": None,
            }
        )

    # ---- assets and reference requests ---------------------------------------------------------

    def _assets(self) -> None:
        """Customer assets featuring advocates, tagged by industry and product, with coverage gaps."""
        rng = self._rng("assets")
        count = max(1, round(0.4 * self.n))
        weight = (
            pd.Series(self.adv_stage)
            .map(
                {
                    "reference_ready": 5.0,
                    "agreed": 4.0,
                    "retired": 2.0,
                    "paused": 1.5,
                    "asked": 0.3,
                }
            )
            .fillna(0.1)
            .to_numpy()
        )
        featured = rng.choice(len(weight), count, p=weight / weight.sum())
        account = self.adv_account[featured]
        contact = np.where(rng.random(count) < 0.15, np.nan, self.adv_contact[featured])
        asset_type = rng.choice(len(v.ASSET_TYPES), count, p=ASSET_TYPE_P)
        status = rng.choice(3, count, p=[0.11, 0.82, 0.07])
        industry = self.industry[account]
        gap = np.isin(np.array(v.INDUSTRIES)[industry], GAP_INDUSTRIES)
        case_study = asset_type == v.ASSET_TYPES.index("case_study")
        status = np.where(gap & case_study & (status == 1), np.where(rng.random(count) < 0.5, 0, 2), status)
        low = np.maximum(self.as_of - 1460, self.since[account] + 180)
        high = np.minimum(self.end[account] - 1, self.as_of)
        published = _between(rng, np.minimum(low, high), high)
        is_published = status == 1
        review_by = published + rng.integers(365, 731, count)
        names = self.account_names[account]
        products = np.array(v.PRODUCTS)[self.product[account]]
        person = np.where(np.isnan(contact), "", self.contact_names[np.nan_to_num(contact).astype(np.int64)])
        result = np.array(ASSET_RESULTS, dtype=object)[rng.integers(0, len(ASSET_RESULTS), count)]
        types = np.array(v.ASSET_TYPES)[asset_type]
        titles = [
            {
                "case_study": f"How {name} {res} with {prod}",
                "video_testimonial": f"Video: {name} on {prod}",
                "written_testimonial": f"{who or name} on {prod}",
                "reference_call": f"Reference call: {name}",
                "webinar": f"Webinar: {name} and {prod} in practice",
                "site_visit": f"Site visit at {name}",
            }[kind]
            for kind, name, res, prod, who in zip(types, names, result, products, person, strict=True)
        ]
        ids = np.arange(1, count + 1)
        quote = np.array(QUOTES, dtype=object)[rng.integers(0, len(QUOTES), count)]
        has_quote = np.isin(types, ("case_study", "video_testimonial", "written_testimonial")) & (
            person != ""
        )
        frame = pd.DataFrame(
            {
                "id": ids,
                "external_id": [f"AST-{i:06d}" for i in ids.tolist()],
                "title": titles,
                "asset_type": types,
                "account_id": account + 1,
                "contact_id": contact + 1,
                "summary": [
                    f"{name} ({seg}, {reg}) uses {prod} and {res}."
                    for name, seg, reg, prod, res in zip(
                        names,
                        np.array(v.SEGMENTS)[self.segment[account]],
                        np.array(v.REGIONS)[self.region[account]],
                        products,
                        result,
                        strict=True,
                    )
                ],
                "quote": np.where(
                    has_quote, [f"“{q}” — {p}" for q, p in zip(quote, person, strict=True)], None
                ),
                "company_size": np.array(v.SEGMENTS)[self.segment[account]],
                "region": np.array(v.REGIONS)[self.region[account]],
                "approval_status": np.array(["pending", "approved", "rejected"])[status],
                "published_on": np.where(is_published, published, np.nan),
                "review_by": np.where(is_published, review_by, np.nan),
                "url": [
                    f"https://assets.example.com/{ASSET_FOLDERS[kind]}/{_slug(title)}-{i}"
                    for kind, title, i in zip(types, titles, ids.tolist(), strict=True)
                ],
                "version": 1,
            }
        )
        self.tables["assets"] = frame
        # A second industry tag widens reach, but never into a gap industry.
        second = rng.choice([i for i, name in enumerate(v.INDUSTRIES) if name not in GAP_INDUSTRIES], count)
        tagged = (rng.random(count) < 0.2) & (second != industry)
        self.tables["asset_industries"] = pd.concat(
            [
                pd.DataFrame({"asset_id": ids, "industry": np.array(v.INDUSTRIES)[industry]}),
                pd.DataFrame({"asset_id": ids[tagged], "industry": np.array(v.INDUSTRIES)[second[tagged]]}),
            ]
        ).sort_values(["asset_id", "industry"], ignore_index=True)
        other = (self.product[account] + rng.integers(1, 3, count)) % 3
        extra = rng.random(count) < 0.15
        self.tables["asset_products"] = pd.concat(
            [
                pd.DataFrame({"asset_id": ids, "product": products}),
                pd.DataFrame({"asset_id": ids[extra], "product": np.array(v.PRODUCTS)[other[extra]]}),
            ]
        ).sort_values(["asset_id", "product"], ignore_index=True)
        self.asset_industry = industry
        self.asset_approved = is_published
        self.asset_published = published

    def _reference_requests(self) -> None:
        """Sales' reference requests, matched to advocates or assets of the same industry where possible."""
        rng = self._rng("requests")
        count = max(10, self.n // 10)
        as_of_s = self.as_of * DAY_SECONDS
        recent = 8 + self.n // 500
        age_hours = np.concatenate([rng.uniform(1, 540 * 24, count - recent), rng.uniform(1, 110, recent)])
        industry = rng.choice(
            len(v.INDUSTRIES), count, p=[0.18, 0.14, 0.12, 0.11, 0.10, 0.08, 0.08, 0.08, 0.05, 0.06]
        )
        segment = rng.choice(3, count, p=[0.35, 0.4, 0.25])
        kind = rng.choice(len(v.REQUEST_KINDS), count, p=[0.45, 0.15, 0.10, 0.30])
        # Two urgent calls left open past their 48 hours: the emergency the library should prevent.
        kind[-2:], age_hours[-2:] = 0, (60, 90)
        requested = (as_of_s + 17 * 3600 - age_hours * 3600).astype(np.int64)
        kinds = np.array(v.REQUEST_KINDS)[kind]
        urgent = np.isin(kinds, ("call", "asset"))
        needed = requested + np.where(urgent, 48 * 3600, rng.integers(5, 15, count) * DAY_SECONDS)
        age_days = age_hours / 24
        status = np.where(
            age_days < 2,
            rng.choice(4, count, p=[0.6, 0.4, 0, 0]),
            np.where(
                age_days < 10,
                rng.choice(4, count, p=[0.3, 0.3, 0.35, 0.05]),
                rng.choice(4, count, p=[0, 0.02, 0.86, 0.12]),
            ),
        )
        status[-2:] = 0
        deal = np.round(
            np.choose(
                segment,
                [
                    _span(8e3, 4e4, rng.random(count)),
                    _span(4e4, 2e5, rng.random(count)),
                    _span(2e5, 1.5e6, rng.random(count)),
                ],
            ),
            -3,
        )
        fulfilled = np.minimum(
            requested + (rng.uniform(4, 96, count) * 3600).astype(np.int64), as_of_s + 17 * 3600
        )
        done = status == 2
        assigned = status >= 1
        adv_industry = self.industry[self.adv_account]
        ready = np.isin(self.adv_stage, ("reference_ready", "agreed"))
        advocate = np.full(count, np.nan)
        asset = np.full(count, np.nan)
        matched = np.zeros(count, dtype=bool)
        wants_asset = kinds == "asset"
        for i in np.flatnonzero(assigned & (status != 3)).tolist():
            if wants_asset[i]:
                pool = np.flatnonzero(self.asset_approved & (self.asset_industry == industry[i]))
                if len(pool) == 0:
                    pool = np.flatnonzero(self.asset_approved)
                else:
                    matched[i] = True
                if len(pool):
                    asset[i] = pool[rng.integers(len(pool))] + 1
            else:
                pool = np.flatnonzero(ready & (adv_industry == industry[i]))
                if len(pool) == 0:
                    pool = np.flatnonzero(ready)
                else:
                    matched[i] = True
                if len(pool):
                    advocate[i] = pool[rng.integers(len(pool))] + 1
        closed = done & (fulfilled < as_of_s - 21 * DAY_SECONDS) & (rng.random(count) < 0.8)
        won = closed & (rng.random(count) < np.where(matched, 0.62, 0.4))
        frame = pd.DataFrame(
            {
                "prospect": rng.choice(self.prospect_names, count),
                "industry": np.array(v.INDUSTRIES)[industry],
                "company_size": np.array(v.SEGMENTS)[segment],
                "region": np.array(v.REGIONS)[rng.choice(4, count, p=[0.45, 0.30, 0.17, 0.08])],
                "product": np.array(v.PRODUCTS)[rng.choice(3, count, p=[0.40, 0.35, 0.25])],
                "deal_size": deal,
                "deal_stage": np.array(v.DEAL_STAGES)[rng.choice(4, count, p=[0.15, 0.35, 0.30, 0.20])],
                "kind": kinds,
                "requested_by": rng.choice(self.sales_ids, count),
                "requested_at": requested,
                "needed_by": needed,
                "status": np.array(v.REQUEST_STATUSES)[status],
                "assigned_advocate_id": advocate,
                "assigned_asset_id": asset,
                "fulfilled_at": np.where(done, fulfilled, np.nan),
                "outcome": np.where(closed, np.where(won, "won", "lost"), None),
                "won_amount": np.where(won, np.round(deal * rng.uniform(0.85, 1.15, count), -2), np.nan),
                "version": 1,
            }
        )
        frame = self._numbered(frame, "requested_at")
        self.tables["reference_requests"] = frame
        fulfilled_days = frame["fulfilled_at"].to_numpy() // DAY_SECONDS
        thanked = (
            frame["assigned_advocate_id"].notna().to_numpy()
            & (fulfilled_days + 3 <= self.as_of)
            & (rng.random(count) < 0.7)
        )
        self._thank_yous.append(
            pd.DataFrame(
                {
                    "advocate_id": frame["assigned_advocate_id"].to_numpy()[thanked].astype(np.int64),
                    "reason": "reference_fulfilled",
                    "channel": "email",
                    "sent_on": fulfilled_days[thanked] + 2,
                    "note": None,
                }
            )
        )
        self._asset_usage(rng, frame)

    def _asset_usage(self, rng: np.random.Generator, requests: pd.DataFrame) -> None:
        """Library uses of approved assets, plus one use per fulfilled asset request."""
        linked = requests[requests["assigned_asset_id"].notna() & (requests["status"] == "done")]
        approved = np.flatnonzero(self.asset_approved)
        uses = rng.poisson(2.5, len(approved))
        asset = np.repeat(approved, uses)
        size = len(asset)
        used_on = _between(rng, self.asset_published[asset], np.full(size, self.as_of))
        settled = used_on < self.as_of - 45
        result = rng.random(size)
        outcome = np.where(settled & (result < 0.35), "won", np.where(settled & (result < 0.7), "lost", None))
        amount = np.round(_span(8e3, 1e6, rng.random(size)), -3)
        users = np.concatenate([self.sales_ids, self.sales_ids, self.marketing_ids])
        frame = pd.concat(
            [
                pd.DataFrame(
                    {
                        "asset_id": linked["assigned_asset_id"].to_numpy(),
                        "used_by": linked["requested_by"].to_numpy(),
                        "used_on": linked["fulfilled_at"].to_numpy() // DAY_SECONDS,
                        "reference_request_id": linked["id"].to_numpy().astype(np.float64),
                        "opportunity": linked["prospect"].to_numpy(),
                        "outcome": linked["outcome"].to_numpy(),
                        "amount": np.where(linked["outcome"].eq("won"), linked["won_amount"], np.nan),
                    }
                ),
                pd.DataFrame(
                    {
                        "asset_id": (asset + 1).astype(np.float64),
                        "used_by": rng.choice(users, size),
                        "used_on": used_on,
                        "reference_request_id": np.nan,
                        "opportunity": rng.choice(self.prospect_names, size),
                        "outcome": outcome,
                        "amount": np.where(pd.isna(outcome), np.nan, amount),
                    }
                ),
            ],
            ignore_index=True,
        )
        self.tables["asset_usage"] = self._numbered(frame, "used_on")

    # ---- referrals, purchases, spend -----------------------------------------------------------

    def _referrals_and_purchases(self) -> None:
        """Referral codes and funnels; some referrals became the newer accounts."""
        rng = self._rng("referrals")
        count = max(10, self.n // 10)
        eligible = np.flatnonzero((self.since >= self.as_of - 700) & (self.since <= self.as_of - 7))
        # Referred customers stay longer (brief: ~16%): fewer of them churn or slip.
        weight = np.where(self.churned[eligible] | self.slipping[eligible], 0.4, 1.0)
        converted = rng.choice(
            eligible, min(len(eligible), round(0.12 * count)), replace=False, p=weight / weight.sum()
        )
        converted.sort()
        n_conv = len(converted)
        created = np.concatenate(
            [
                self.since[converted] - rng.integers(14, 75, n_conv),
                self.as_of - rng.integers(1, 700, count - n_conv),
            ]
        )
        company = np.concatenate(
            [self.account_names[converted], rng.choice(self.prospect_names, count - n_conv)]
        )
        # Referrers are advocates who agreed before the referral was made.
        pool = np.flatnonzero(self.adv_agreed_on < NEVER)
        if len(pool) == 0:
            pool = np.arange(len(self.adv_stage))
        pool = pool[np.argsort(self.adv_agreed_on[pool], kind="stable")]
        available = np.maximum(
            np.searchsorted(self.adv_agreed_on[pool], created, side="right"), min(10, len(pool))
        )
        advocate = pool[np.floor(rng.random(count) * available).astype(np.int64)]
        campaign = rng.choice(len(CAMPAIGNS), count, p=CAMPAIGN_P)
        order = np.argsort(created, kind="stable")
        referral_id = np.empty(count, dtype=np.int64)
        referral_id[order] = np.arange(1, count + 1)
        codes = np.array(
            [
                f"{_slug(name).replace('-', '')[:8].upper()}-{i}"
                for i, name in enumerate(self.account_names[self.adv_account].tolist(), start=1)
            ],
            dtype=object,
        )
        codes_used = np.unique(advocate)
        gets_code = np.isin(self.adv_stage, ("agreed", "reference_ready")) & (rng.random(len(codes)) < 0.3)
        gets_code[codes_used] = True
        self.tables["advocates"]["referral_code"] = np.where(gets_code, codes, None)
        sequence = pd.Series(advocate).groupby(advocate).cumcount().to_numpy() + 1
        referrals = pd.DataFrame(
            {
                "id": referral_id,
                "code": [f"{codes[a]}-{k}" for a, k in zip(advocate, sequence.tolist(), strict=True)],
                "advocate_id": advocate + 1,
                "referred_company": company,
                "campaign": np.array(CAMPAIGNS)[campaign],
                "created_on": created,
            }
        ).sort_values("id", ignore_index=True)
        self.tables["referrals"] = referrals
        self._referral_events(rng, referral_id, created, campaign, n_conv, self.since[converted])
        self._purchases(rng, converted, referral_id[:n_conv])
        converted_day = self.since[converted]
        thanked = rng.random(n_conv) < 0.85
        self._thank_yous.append(
            pd.DataFrame(
                {
                    "advocate_id": advocate[:n_conv][thanked] + 1,
                    "reason": "referral_converted",
                    "channel": "email",
                    "sent_on": np.minimum(
                        converted_day[thanked] + rng.integers(0, 10, thanked.sum()), self.as_of
                    ),
                    "note": None,
                }
            )
        )
        rewarded = rng.random(n_conv) < 0.7
        kinds = rng.choice([0, 3], rewarded.sum())
        self._rewards.append(
            self._reward_rows(
                rng,
                advocate[:n_conv][rewarded] + 1,
                np.minimum(converted_day[rewarded] + rng.integers(3, 20, rewarded.sum()), self.as_of),
                kinds,
            )
        )

    def _referral_events(
        self,
        rng: np.random.Generator,
        referral_id: np.ndarray,
        created: np.ndarray,
        campaign: np.ndarray,
        n_conv: int,
        purchase_day: np.ndarray,
    ) -> None:
        """The funnel email_sent → … → purchase, each step with fewer referrals and a later time."""
        count = len(referral_id)
        click_p = np.where(np.array(CAMPAIGNS)[campaign] == "q3-email-b", 0.58, 0.42)
        step_p = np.column_stack(
            [np.full(count, 0.62), click_p, np.full(count, 0.92), np.full(count, 0.45), np.full(count, 0.45)]
        )
        reached = np.ones((count, 7), dtype=bool)
        for step in range(1, 6):
            reached[:, step] = reached[:, step - 1] & (rng.random(count) < step_p[:, step - 1])
        reached[:, 6] = False
        reached[:n_conv] = True
        start = created * DAY_SECONDS + _work_seconds(rng, count)
        gaps = rng.lognormal(np.log([1, 6, 0.05, 24, 72, 240]), 0.6, (count, 6)) * 3600
        times = start[:, None] + np.concatenate([np.zeros((count, 1)), np.cumsum(gaps, axis=1)], axis=1)
        # Converted referrals end in a purchase on the new customer's first day: fit their funnel before it.
        end = purchase_day * DAY_SECONDS + 15 * 3600
        span = (times[:n_conv, 6] - times[:n_conv, 0])[:, None]
        times[:n_conv] = (
            start[:n_conv, None]
            + (times[:n_conv] - times[:n_conv, :1]) / span * (end - start[:n_conv])[:, None]
        )
        reached &= times < (self.as_of + 1) * DAY_SECONDS
        row, step = np.nonzero(reached)
        frame = pd.DataFrame(
            {
                "referral_id": referral_id[row],
                "event": np.array(v.REFERRAL_EVENTS)[step],
                "occurred_at": times[row, step].astype(np.int64),
            }
        )
        self.tables["referral_events"] = self._numbered(
            frame.sort_values(["occurred_at", "referral_id"]), "occurred_at"
        )

    def _purchases(self, rng: np.random.Generator, referred: np.ndarray, referral_id: np.ndarray) -> None:
        """Initial purchase at customer_since, one renewal per anniversary, a few expansions."""
        n = self.n
        last_day = np.minimum(self.end - 1, self.as_of)
        first_amount = np.round(self.arr * rng.uniform(0.75, 1.0, n), -2)
        referral = np.full(n, np.nan)
        referral[referred] = referral_id
        # Referred customers spend more on their first purchase (brief: 10–25%).
        first_amount[referred] = np.round(first_amount[referred] * rng.uniform(1.1, 1.25, len(referred)), -2)
        frames = [
            pd.DataFrame(
                {
                    "account_id": np.arange(1, n + 1),
                    "purchased_on": self.since,
                    "amount": first_amount,
                    "referral_id": referral,
                }
            )
        ]
        for year in range(1, 8):
            renewal = _add_years(self.since, year)
            due = np.flatnonzero(renewal <= last_day)
            if len(due) == 0:
                break
            frames.append(
                pd.DataFrame(
                    {
                        "account_id": due + 1,
                        "purchased_on": renewal[due],
                        "amount": np.round(self.arr[due] * rng.uniform(0.85, 1.0, len(due)), -2),
                        "referral_id": np.nan,
                    }
                )
            )
        expands = np.flatnonzero((rng.random(n) < 0.25) & (last_day - self.since > 200))
        expands = np.repeat(expands, rng.integers(1, 3, len(expands)))
        frames.append(
            pd.DataFrame(
                {
                    "account_id": expands + 1,
                    "purchased_on": _between(rng, self.since[expands] + 90, last_day[expands]),
                    "amount": np.round(self.arr[expands] * rng.uniform(0.1, 0.3, len(expands)), -2),
                    "referral_id": np.nan,
                }
            )
        )
        frame = pd.concat(frames, ignore_index=True)
        self.tables["purchases"] = self._numbered(frame, "purchased_on", "PO")

    def _spend(self) -> None:
        """Monthly acquisition spend per channel over the last 24 months."""
        rng = self._rng("spend")
        this_month = np.datetime64(self.as_of, "D").astype("datetime64[M]")
        months = this_month - np.arange(23, -1, -1)
        month_number = months.astype(np.int64) % 12 + 1
        rewards = pd.concat(self._rewards, ignore_index=True)
        reward_month = (
            rewards["given_on"]
            .to_numpy()
            .astype(np.int64)
            .astype("datetime64[D]")
            .astype("datetime64[M]")
            .astype(np.int64)
        )
        reward_total = pd.Series(rewards["value"].fillna(0).to_numpy()).groupby(reward_month).sum()
        scale = self.n / 1000
        rows = []
        for channel in v.SPEND_CHANNELS:
            amount = SPEND_BASE[channel] * scale * rng.lognormal(0, 0.15, len(months))
            if channel == "events":
                amount *= np.where(np.isin(month_number, (3, 6, 10)), 2.2, 0.7)
            if channel == "referral_rewards":
                amount += reward_total.reindex(months.astype(np.int64), fill_value=0).to_numpy()
            rows.append(
                pd.DataFrame(
                    {
                        "month": months.astype("datetime64[D]").astype(np.int64),
                        "channel": channel,
                        "amount": np.round(amount, 2),
                    }
                )
            )
        frame = pd.concat(rows, ignore_index=True).sort_values(["month", "channel"], ignore_index=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
        self.tables["acquisition_spend"] = frame


def main(argv: list[str] | None = None) -> None:
    """CLI: migrate the database at --url and fill it with demo data."""
    parser = argparse.ArgumentParser(description="Fill an empty database with deterministic demo data.")
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--url", default=None)
    args = parser.parse_args(argv)
    from db import migrate

    engine = make_engine(args.url or database_url())
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = generate(engine, accounts=args.accounts, seed=args.seed, as_of=args.as_of)
    elapsed = time.perf_counter() - started
    for table, rows in counts.items():
        print(f"{table:24} {rows:>10,}")
    print(f"{'total':24} {sum(counts.values()):>10,}  in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
