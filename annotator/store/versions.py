"""The schema steps this version of annotator knows, as plain names.

Opening a database compares these with the steps it has applied, using the
standard library only: sqlite-utils (and its start-up cost) is loaded only when
a step is missing, or for the first write (see connection.py and base.py).
schema.py defines the steps; a test checks that the two lists agree.
"""

from __future__ import annotations

MIGRATION_SET = "annotator"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' Migrations table
MIGRATION_NAMES: tuple[str, ...] = (
    "m001_initial",
    "m002_relation_label_constraints",
    "m003_autoincrement_ids",
    "m004_text_apart",
    "m005_pos_tags",
    "m006_models",
    "m007_relation_rules",
    "m008_reviewer_layers",
    "m009_reviewer_status",
    "m010_adjudication",
    "m011_model_silver",
    "m012_relation_choices",
)
