"""The people of the demo: the logins and staff, and the names of companies and their contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from db.demo.timeline import DAY_SECONDS

DEMO_PASSWORD = "advocacy-demo"
DEMO_USERS: list[tuple[str, str, str]] = [
    ("admin", "Ada Admin", "admin"),
    ("amy", "Amy Account", "account_manager"),
    ("mark", "Mark Marketing", "marketing"),
    ("sam", "Sam Sales", "sales"),
]

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


@dataclass(frozen=True)
class Staff:
    """The user ids of each role that accounts, asks and requests are spread over."""

    account_managers: np.ndarray
    marketing: np.ndarray
    sales: np.ndarray


def users(
    rng: np.random.Generator, *, accounts: int, as_of: int, password_hash: str
) -> tuple[pd.DataFrame, Staff]:
    """The four demo logins plus enough account managers, marketers and sellers for the book."""
    n_am = max(8, accounts // 60)
    n_marketing = 3 + accounts // 25_000
    n_sales = 4 + accounts // 10_000
    roles = ["account_manager"] * (n_am - 1) + ["marketing"] * (n_marketing - 1) + ["sales"] * (n_sales - 1)
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
    frame = pd.DataFrame(rows, columns=["username", "name", "role"])
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["email"] = frame["username"] + "@advocacy-demo.example"
    frame["password_hash"] = password_hash
    frame["disabled"] = False
    frame["created_at"] = (as_of - 800) * DAY_SECONDS + 9 * 3600 + frame["id"].to_numpy() * 60
    ids = frame.set_index("role")["id"]
    staff = Staff(
        account_managers=ids.loc[["account_manager"]].to_numpy(),
        marketing=ids.loc[["marketing"]].to_numpy(),
        sales=ids.loc[["sales"]].to_numpy(),
    )
    return frame, staff


def digest_preferences(users: pd.DataFrame, *, as_of: int) -> pd.DataFrame:
    """The four demo logins get the daily digest, so a demo shows it; the generated staff choose none."""
    logins = users[users["username"].isin([username for username, _, _ in DEMO_USERS])]
    return pd.DataFrame(
        {"user_id": logins["id"].to_numpy(), "frequency": "daily", "updated_at": as_of * DAY_SECONDS}
    )


def company_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str]]:
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
