"""Entity figures agree with spaCy's own Scorer; relation figures count whole relations."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from annotator.cli import main
from annotator.evaluate import evaluate, format_table
from annotator.model import Annotations, Document, Relation, Span, Status, Tokens

VOCAB = spacy.blank("en").vocab
LABELS = ["PERSON", "ORG", "GPE"]
WORDS = [f"w{i}" for i in range(20)]
TEXT = " ".join(WORDS)
TOKENS = Tokens(
    tuple(i * 3 if i < 10 else 30 + (i - 10) * 4 for i in range(20)),
    tuple((i * 3 + 2) if i < 10 else 30 + (i - 10) * 4 + 3 for i in range(20)),
)


def spans_strategy():
    return st.lists(
        st.tuples(st.integers(0, 19), st.integers(0, 2), st.sampled_from(LABELS)), max_size=8
    ).map(_non_overlapping)


def _non_overlapping(raw):
    spans, last = [], -1
    for start, width, label in sorted(raw):
        end = min(start + width, 19)
        if start > last:
            spans.append(
                Span(TOKENS.starts[start], TOKENS.ends[end], start, end, label, len(spans) + 1)
            )
            last = end
    return tuple(spans)


def doc_of(model, gold) -> Document:
    return Document(
        1, TEXT, TOKENS, (0,), Status.ACCEPTED, 1, {}, Annotations(model), Annotations(gold)
    )


def spacy_doc(spans) -> Doc:
    doc = Doc(VOCAB, words=WORDS)
    doc.ents = [doc.char_span(s.start, s.end, label=s.label) for s in spans]
    return doc


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(spans_strategy(), spans_strategy()), min_size=1, max_size=4))
def test_entity_scores_match_spacy_scorer(pairs):
    ours = evaluate(doc_of(model, gold) for model, gold in pairs)
    examples = [Example(spacy_doc(model), spacy_doc(gold)) for model, gold in pairs]
    theirs = Scorer.score_spans(examples, "ents")
    micro = ours.micro(ours.entities)
    assert micro.precision == pytest.approx(theirs["ents_p"] or 0.0)
    assert micro.recall == pytest.approx(theirs["ents_r"] or 0.0)
    assert micro.f1 == pytest.approx(theirs["ents_f"] or 0.0)
    for label, scores in (theirs["ents_per_type"] or {}).items():
        assert ours.entities[label].precision == pytest.approx(scores["p"])
        assert ours.entities[label].recall == pytest.approx(scores["r"])
        assert ours.entities[label].f1 == pytest.approx(scores["f"])


def test_relations_count_when_both_arguments_and_label_match():
    a = Span(0, 2, 0, 0, "PERSON", 1)
    b = Span(3, 5, 1, 1, "ORG", 2)
    c = Span(6, 8, 2, 2, "GPE", 3)
    model = Annotations((a, b, c), (Relation(1, 2, "ORG-AFF"), Relation(1, 3, "PHYS")))
    gold = Annotations((a, b, c), (Relation(1, 2, "ORG-AFF"), Relation(3, 1, "PHYS")))
    doc = Document(1, TEXT, TOKENS, (0,), Status.ACCEPTED, 1, {}, model, gold)
    result = evaluate([doc])
    assert (result.relations["ORG-AFF"].tp, result.relations["PHYS"].tp) == (1, 0)
    assert (result.relations["PHYS"].fp, result.relations["PHYS"].fn) == (1, 1)
    table = format_table(result)
    assert "micro avg" in table and "ORG-AFF" in table


def test_cli_eval_table_and_json(db_path, tmp_path, rule_pipeline, capsys):
    from annotator.importer import run_import
    from annotator.store import Store

    path = tmp_path / "a.txt"
    path.write_text("Antony Blinken met Ararat Mirzoyan in Armenia.", encoding="utf-8")
    with Store.open(db_path) as store:
        [doc_id] = run_import(store, rule_pipeline, [path]).doc_ids
        doc = store.load_document(doc_id)
        v = store.relabel_span(doc_id, doc.version, doc.gold.spans[2].id, "LOC").version
        store.set_status(doc_id, v, Status.ACCEPTED)
    assert main(["eval", "--db", str(db_path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["documents"] == 1
    assert result["entities"]["per_label"]["PERSON"]["f"] == 1.0
    assert result["entities"]["per_label"]["GPE"]["fp"] == 1
    assert result["entities"]["micro"]["p"] == pytest.approx(2 / 3)
    assert main(["eval", "--db", str(db_path)]) == 0
    assert "micro avg" in capsys.readouterr().out
