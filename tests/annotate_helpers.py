"""A rules pipeline with relations, for the tests of --jobs, `annotator annotate` and
the Dask example: real spaCy, no downloaded model."""

from __future__ import annotations

import json
import os
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from annotator.model import Layer
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.nlp.relations import load_rules
from annotator.store import Store

PATTERNS = [
    {"label": "GPE", "pattern": "Armenia"},
    {"label": "GPE", "pattern": "Russia"},
    {"label": "PERSON", "pattern": "Blinken"},
    {"label": "PERSON", "pattern": [{"TEXT": "Ararat"}, {"TEXT": "Mirzoyan"}]},
]
# a relation rule on linear order (a GPE before a PERSON in the same sentence): it needs
# a parse tree, which the stand-in parser below gives, but not a trained parser
RULES: dict[str, object] = {
    "rules": [
        {
            "id": "gpe-before-person",
            "label": "NEAR",
            "head_types": ["GPE"],
            "child_types": ["PERSON"],
            "pattern": [
                {"RIGHT_ID": "head", "RIGHT_ATTRS": {"ENT_TYPE": "GPE"}},
                {
                    "LEFT_ID": "head",
                    "REL_OP": ".*",
                    "RIGHT_ID": "child",
                    "RIGHT_ATTRS": {"ENT_TYPE": "PERSON"},
                },
            ],
        }
    ]
}
PIDS_DIR: list[Path] = []  # where test_flat_parse notes the process it ran in


@Language.component("jobs_slow_down")
def jobs_slow_down(doc: Doc) -> Doc:
    return doc


@Language.component("test_flat_parse")
def test_flat_parse(doc: Doc) -> Doc:
    """Stands in for a parser: each sentence's words hang from its first word; POS
    tags too. Notes the process it runs in."""
    for sent in doc.sents:
        sent[0].dep_ = "ROOT"
        for token in sent[1:]:
            token.head = sent[0]
            token.dep_ = "dep"
        for token in sent:
            token.pos_ = "PROPN" if token.ent_type_ else "X"
    if PIDS_DIR:
        (PIDS_DIR[0] / str(os.getpid())).touch()
    return doc


def rules_nlp() -> Language:
    """blank:en (with its sentencizer), the entity ruler and the stand-in parser."""
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.add_pipe("test_flat_parse", name="parser")
    return nlp


def write_rules(folder: Path) -> Path:
    rules = folder / "rules.json"
    rules.write_text(json.dumps(RULES), encoding="utf-8")
    return rules


def rules_pipeline(tmp_path: Path, processes: int = 1) -> Pipeline:
    return Pipeline(rules_nlp(), load_rules(write_rules(tmp_path)), processes)


def component_package(site: Path) -> None:
    """Make test_flat_parse loadable by other processes from a saved pipeline, as
    spaCy finds a custom component an installed package declares (an entry point):
    put ``site`` and this folder on their PYTHONPATH."""
    info = site / "annotator_test_components-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: annotator-test-components\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[spacy_factories]\ntest_flat_parse = annotate_helpers:test_flat_parse\n"
    )


def articles(count: int) -> list[str]:
    return [
        f"Report {i}. Armenia met Blinken {i} times.\n"
        + "Russia watched Ararat Mirzoyan. " * (1 + i % 9)
        + ("\nThen Blinken left Armenia." if i % 2 else "")
        for i in range(count)
    ]


def stored(store: Store) -> list[tuple[object, ...]]:
    """Every document as the store has it: text, title, meta, tokens, sentences, POS,
    and both layers' spans and relations (by offsets, with the rule that proposed them)."""
    rows = []
    for doc_id in store.document_ids():
        doc = store.load_document(doc_id)
        layers = []
        for layer in (Layer.MODEL, Layer.GOLD):
            annotations = doc.layer(layer)
            spans = {s.id: (s.start, s.end, s.label) for s in annotations.spans}
            layers.append(
                (
                    sorted(spans.values()),
                    sorted(
                        (spans[r.head], spans[r.child], r.label, r.rule or "")
                        for r in annotations.relations
                    ),
                )
            )
        [title] = store.conn.execute(
            "SELECT title FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        rows.append((doc.text, title, doc.meta, doc.tokens, doc.sentence_starts, doc.pos, layers))
    return rows
