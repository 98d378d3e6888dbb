"""How a file's cells become an entity's fields: which column feeds which field, which file values mean
which of the app's values, which fields get one value for every row, and which extra columns are kept.

A Mapping is what the import page edits, the command line's --map/--value/--set/--keep build, and an
import profile stores (as JSON) for the next file of the same shape.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass, field

import pandas as pd

from core import vocabulary as v
from core.imports.specs import EntitySpec, FieldSpec, entity_spec

# Custom attribute names: what the database column allows.
ATTRIBUTE_NAME_LENGTH = 60


def normal(name: str) -> str:
    """A header or value as matching sees it: case, spaces, underscores, hyphens and dots ignored."""
    return re.sub(r"[\s_\-.]+", "", str(name)).casefold()


@dataclass(frozen=True)
class Mapping:
    """columns: every file column → the field it feeds (None: ignored);
    values: field → {file value → the app's value}, matched ignoring case and surrounding spaces;
    constants: field → the text every row gets for it (parsed like a cell);
    attributes: file column → the custom account attribute it is kept as (accounts only)."""

    columns: dict[str, str | None]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The mapping as JSON: an import profile's stored definition, and a cache key."""
        return json.dumps(
            {
                "columns": self.columns,
                "values": self.values,
                "constants": self.constants,
                "attributes": self.attributes,
            },
            ensure_ascii=False,
        )

    @staticmethod
    def from_json(text: str) -> Mapping:
        stored = json.loads(text)
        return Mapping(
            columns=dict(stored.get("columns", {})),
            values={name: dict(values) for name, values in stored.get("values", {}).items()},
            constants=dict(stored.get("constants", {})),
            attributes=dict(stored.get("attributes", {})),
        )

    def field_columns(self) -> dict[str, str]:
        """Field → the file column feeding it (the first one, when several do: validation says so)."""
        fed: dict[str, str] = {}
        for column, name in self.columns.items():
            if name is not None:
                fed.setdefault(name, column)
        return fed

    def check(self, file_columns: list[str], spec: EntitySpec) -> None:
        """A ValueError naming what does not fit: a column the file lacks, a field the entity lacks,
        a field fed both by a column and a constant, attributes on anything but accounts."""
        names = {item.name for item in spec.fields}
        present = set(file_columns)
        missing = [column for column in [*self.columns, *self.attributes] if column not in present]
        if missing:
            raise ValueError(f"The file has no column {', '.join(repr(c) for c in dict.fromkeys(missing))}.")
        for name in [n for n in self.columns.values() if n] + list(self.constants) + list(self.values):
            if name not in names:
                raise ValueError(f"'{name}' is not a field of {spec.label}.")
        both = sorted(set(self.constants) & set(self.field_columns()))
        if both:
            raise ValueError(
                f"{spec.field(both[0]).label} is set for every row and also read from column "
                f"'{self.field_columns()[both[0]]}': choose one."
            )
        if self.attributes and spec.name != "accounts":
            raise ValueError("Only account files can keep extra columns as custom attributes.")
        for column, name in self.attributes.items():
            if not name.strip() or len(name) > ATTRIBUTE_NAME_LENGTH:
                raise ValueError(
                    f"Column '{column}': a custom attribute needs a name of 1 to "
                    f"{ATTRIBUTE_NAME_LENGTH} characters."
                )


def auto_map(columns: list[str], entity: str) -> Mapping:
    """Each file column to the field its header names (field name, label or alias, ignoring case, spaces,
    underscores, hyphens and dots); a field goes to the first column that names it. On an account file,
    every other column is kept as a custom attribute of its own name."""
    spec = entity_spec(entity)
    lookup: dict[str, str] = {}
    for item in spec.fields:
        for name in (item.name, item.label, *item.aliases):
            lookup.setdefault(normal(name), item.name)
    mapped: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        name = lookup.get(normal(column))
        if name in taken:
            name = None
        mapped[column] = name
        if name:
            taken.add(name)
    attributes = {}
    if entity == "accounts":
        attributes = {
            column: column.strip()[:ATTRIBUTE_NAME_LENGTH] for column, name in mapped.items() if name is None
        }
    return Mapping(columns=mapped, attributes=attributes)


def with_profile(columns: list[str], entity: str, profile: Mapping) -> Mapping:
    """A saved profile applied to a file: the profile's column choices and values, constants and attributes;
    columns the profile does not name are matched automatically. A ValueError names the columns the profile
    reads (into a field or an attribute) that the file lacks; a column it ignored may be missing."""
    needed = [column for column, name in profile.columns.items() if name] + list(profile.attributes)
    missing = [column for column in needed if column not in columns]
    if missing:
        raise ValueError(
            "The profile does not fit this file: it has no column "
            + ", ".join(repr(column) for column in dict.fromkeys(missing))
            + "."
        )
    automatic = auto_map(columns, entity)
    chosen = {column: profile.columns.get(column, automatic.columns[column]) for column in columns}
    profile_columns = {column: name for column, name in profile.columns.items() if column in columns}
    # A field the profile sets for every row, or reads from a column of its own, takes no other column.
    taken = {name for name in profile_columns.values() if name} | set(profile.constants)
    chosen = {
        column: None if column not in profile_columns and name in taken else name
        for column, name in chosen.items()
    }
    attributes = dict(profile.attributes)
    if entity == "accounts":
        attributes.update(
            {
                column: name
                for column, name in automatic.attributes.items()
                if column not in profile_columns and column not in attributes and chosen[column] is None
            }
        )
    return Mapping(columns=chosen, values=profile.values, constants=profile.constants, attributes=attributes)


# --- value suggestions -----------------------------------------------------------------------------

_REGION_CODES = {
    "North America": "US USA CA",
    "LATAM": "MX BR AR CL CO PE UY VE EC BO PY CR PA GT DO PR SV HN NI CU JM TT",
    "EMEA": (
        "GB UK DE FR ES IT NL BE CH AT SE NO DK FI IE PT PL CZ HU RO GR TR IL AE SA ZA NG EG KE MA LU IS EE "
        "LV LT SK SI HR BG RS UA QA KW BH OM JO LB TN DZ GH CY MT"
    ),
    "APAC": "AU NZ JP CN IN SG HK KR TW ID MY TH PH VN PK BD LK MO KH MM NP",
}
_REGION_NAMES = {
    "North America": "United States|United States of America|America|U.S.|U.S.A.|Canada|NA|NAM|AMER",
    "LATAM": "Mexico|Brazil|Argentina|Chile|Colombia|Peru|Uruguay|Latin America|South America|LATAM|LAC",
    "EMEA": (
        "United Kingdom|Great Britain|England|Scotland|Germany|France|Spain|Italy|Netherlands|Belgium|"
        "Switzerland|Austria|Sweden|Norway|Denmark|Finland|Ireland|Portugal|Poland|Czechia|Czech Republic|"
        "Hungary|Romania|Greece|Turkey|Israel|United Arab Emirates|Saudi Arabia|South Africa|Nigeria|Egypt|"
        "Kenya|Europe|Middle East|Africa|EU|Europe, Middle East and Africa"
    ),
    "APAC": (
        "Australia|New Zealand|Japan|China|India|Singapore|Hong Kong|South Korea|Korea|Taiwan|Indonesia|"
        "Malaysia|Thailand|Philippines|Vietnam|Asia|Asia Pacific|Asia-Pacific|APJ|ANZ"
    ),
}


def _meanings(words: dict[str, str]) -> dict[str, str]:
    """{app value: "word|word|…"} as {normalised word: app value}."""
    return {normal(word): value for value, listed in words.items() for word in listed.split("|")}


_WORDS = {
    v.REGIONS: {
        **{normal(code): region for region, codes in _REGION_CODES.items() for code in codes.split()},
        **_meanings(_REGION_NAMES),
    },
    v.SEGMENTS: _meanings(
        {
            "SMB": "small|small business|smb|startup|start-up|sme|self-serve|self serve",
            "Mid-Market": "mid market|midmarket|mid|mm|medium|commercial|growth",
            "Enterprise": "enterprise|ent|large|strategic|corporate|key account",
        }
    ),
    v.TICKET_SEVERITIES: _meanings(
        {
            "urgent": "urgent|critical|blocker|p1|sev1|s1|emergency|highest",
            "high": "high|major|p2|sev2|s2",
            "medium": "medium|normal|moderate|p3|sev3|s3",
            "low": "low|minor|trivial|p4|sev4|s4|lowest",
        }
    ),
    v.TICKET_CATEGORIES: _meanings(
        {
            "technical": "technical|technical issue|bug|incident|problem|outage|error|integration",
            "how_to": "how to|howto|question|usage question|training|onboarding",
            "billing": "billing|invoice|payment|refund|pricing|account and billing",
            "complaint": "complaint|escalation|dissatisfied",
            "feature_request": "feature request|feature|enhancement|idea|suggestion",
        }
    ),
    v.SURVEY_KINDS: _meanings(
        {
            "nps": "nps|net promoter|net promoter score|promoter score|likelihood to recommend",
            "csat": "csat|satisfaction|customer satisfaction|satisfaction score|ticket satisfaction",
        }
    ),
}


def suggest_values(spec_field: FieldSpec, values: list[str]) -> dict[str, str]:
    """For a choice field, the app's value each file value most likely means: a known word (country and
    region names and codes, severities like P1 or Critical, segment words, ticket kinds) or a close
    spelling of a choice. Values that already are a choice, and values with no likely meaning, are left out."""
    if spec_field.kind != "choice":
        return {}
    choices = {choice.casefold(): choice for choice in spec_field.choices}
    words = _WORDS.get(spec_field.choices, {})
    suggested = {}
    for value in values:
        cell = str(value).strip()
        if not cell or cell.casefold() in choices:
            continue
        meaning = words.get(normal(cell))
        if meaning is None:
            close = difflib.get_close_matches(cell.casefold(), list(choices), n=1, cutoff=0.8)
            meaning = choices[close[0]] if close else None
        if meaning is not None:
            suggested[cell] = meaning
    return suggested


def with_suggestions(
    frame: pd.DataFrame, entity: str, mapping: Mapping
) -> tuple[Mapping, dict[str, dict[str, str]]]:
    """mapping with a suggested app value (suggest_values) for every file value of a choice column that the
    mapping does not translate and that is not an app value already; returns it and the suggestions added
    (field → {file value → app value}), so the page and the command line can show them as suggested."""
    spec = entity_spec(entity)
    values = {name: dict(pairs) for name, pairs in mapping.values.items()}
    added: dict[str, dict[str, str]] = {}
    for name, column in mapping.field_columns().items():
        choice = spec.field(name)
        if choice.kind != "choice":
            continue
        given = {key.strip().casefold() for key in values.get(name, {})}
        distinct = [value for value in frame[column].dropna().astype(str).str.strip().unique() if value]
        suggested = suggest_values(choice, [value for value in distinct if value.casefold() not in given])
        if suggested:
            added[name] = suggested
            values.setdefault(name, {}).update(suggested)
    return dataclasses.replace(mapping, values=values), added
