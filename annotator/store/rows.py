"""Rows of the spans and relations tables as domain objects."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from annotator.model import Relation, Span

_SPAN_COLUMNS = 'id, start, "end", token_start, token_end, label'
_RELATION_COLUMNS = "id, head, child, label, rule"


def select_spans(db: sqlite3.Connection, where: str, params: Sequence[object]) -> list[Span]:
    """Spans matching ``where`` (an SQL condition on the spans table), by start."""
    return [
        Span(start, end, ts, te, label, span_id)
        for span_id, start, end, ts, te, label in db.execute(
            f"SELECT {_SPAN_COLUMNS} FROM spans WHERE {where} ORDER BY start, id", list(params)
        ).fetchall()
    ]


def select_relations(
    db: sqlite3.Connection, where: str, params: Sequence[object]
) -> list[Relation]:
    """Relations matching ``where`` (an SQL condition on the relations table), by id."""
    return [
        Relation(head, child, label, rel_id, rule)
        for rel_id, head, child, label, rule in db.execute(
            f"SELECT {_RELATION_COLUMNS} FROM relations WHERE {where} ORDER BY id", list(params)
        ).fetchall()
    ]
