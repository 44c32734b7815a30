"""Reviewers' databases for the team tests (merge, agreement, adjudication): one
import of the bundled article and a short second one, copied once per reviewer,
each reviewer then editing their copy under their own name."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from annotator.model import Span, Status
from annotator.store import Store

SECOND = "Russia and Azerbaijan signed nothing on Monday.\nArmenia watched."


def base_database(folder: Path, rule_pipeline) -> Path:
    """The two articles imported and pre-annotated by the rules, nobody's review yet."""
    from annotator.importer import run_import
    from annotator.resources import sample_articles

    path = folder / "base.db"
    second = folder / "second.txt"
    second.write_text(SECOND, encoding="utf-8")
    with Store.open(path, actor="importer") as store:
        assert run_import(store, rule_pipeline, [*sample_articles(), second]).imported == 2
    return path


def reviewer_copy(base: Path, folder: Path, name: str) -> Path:
    """A copy of ``base`` for one reviewer (the file, as a reviewer would get it)."""
    path = folder / f"{name}.db"
    shutil.copyfile(base, path)
    return path


def second_id(store: Store) -> int:
    return next(d.id for d in store.list_documents() if d.title.startswith("Russia"))


def sample_id(store: Store) -> int:
    return next(d.id for d in store.list_documents() if not d.title.startswith("Russia"))


def span_of(store: Store, doc_id: int, words: str) -> Span:
    doc = store.load_document(doc_id)
    return next(s for s in doc.gold.spans if doc.text[s.start : s.end] == words)


def words_at(store: Store, doc_id: int, words: str, label: str, nth: int = 0) -> Span:
    """A new span (no id) over the ``nth`` occurrence of ``words``, on its tokens."""
    doc = store.load_document(doc_id)
    start = -1
    for _ in range(nth + 1):
        start = doc.text.index(words, start + 1)
    found = doc.tokens.token_span(start, start + len(words))
    assert found is not None, words
    return Span(start, start + len(words), found[0], found[1], label)


def relabel(store: Store, doc_id: int, words: str, label: str) -> None:
    span = span_of(store, doc_id, words)
    store.relabel_span(doc_id, store.document_version(doc_id), span.id or 0, label)


def delete(store: Store, doc_id: int, words: str) -> None:
    span = span_of(store, doc_id, words)
    store.delete_span(doc_id, store.document_version(doc_id), span.id or 0)


def add(store: Store, doc_id: int, words: str, label: str, nth: int = 0) -> None:
    store.add_span(
        doc_id,
        store.document_version(doc_id),
        words_at(store, doc_id, words, label, nth),
        replace_overlapping=True,
    )


def decide(store: Store, doc_id: int, status: Status = Status.ACCEPTED) -> None:
    store.set_status(doc_id, store.document_version(doc_id), status)


def snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a merge writes, to compare before and after."""
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in (
                "documents",
                "document_texts",
                "spans",
                "relations",
                "audit",
                "reviewer_status",
                "labels",
            )
        }
    finally:
        conn.close()
