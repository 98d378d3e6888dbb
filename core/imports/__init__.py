"""Importing CSV and Excel files: read a file, map its columns to fields, and validate every row.

Pure pandas: the database side (reference lookups, the upsert, the audit row) is db/imports/.
specs says what each kind of record holds, reading turns a file into text cells, mapping matches
columns to fields, and validation parses and checks every cell.
"""

from core.imports.guide import field_guide
from core.imports.mapping import Mapping, auto_map, suggest_values, with_profile, with_suggestions
from core.imports.reading import MAX_ROWS, ImportFileError, Source, read_chunks, read_table, row_count
from core.imports.specs import ENTITIES, KINDS, MAX_TEXT, EntitySpec, FieldSpec, entity_spec
from core.imports.validation import PROBLEM_COLUMNS, Validated, group_problems, validate

__all__ = [
    "ENTITIES",
    "KINDS",
    "MAX_ROWS",
    "MAX_TEXT",
    "PROBLEM_COLUMNS",
    "Source",
    "EntitySpec",
    "FieldSpec",
    "ImportFileError",
    "Mapping",
    "Validated",
    "auto_map",
    "entity_spec",
    "field_guide",
    "group_problems",
    "read_chunks",
    "read_table",
    "row_count",
    "suggest_values",
    "validate",
    "with_profile",
    "with_suggestions",
]
