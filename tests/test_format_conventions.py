"""Issue 11: Prodigy's minimal relations, the hashes we write, doccano's own
shapes (flat metadata, the sequence-labeling ``label``), and the sentence starts
of the DocBin export."""

from __future__ import annotations

import hashlib
import json

import pytest
import spacy

from annotator.cli import main
from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats import doccano, jsonl
from annotator.formats.records import FormatError, Record, RecordSpan, input_hash, task_hash
from annotator.importer import plan_import, run_import
from annotator.model import NewDocument, Relation, Status, Tokens, make_span
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.store import Store

NLP = spacy.blank("en")


@pytest.fixture(scope="module")
def tokenizer_only():
    return Pipeline(load_pipeline("blank:en"), relation_rules=[])


def prodigy_tokens(text: str) -> list[dict[str, object]]:
    return [
        {
            "text": t.text,
            "start": t.idx,
            "end": t.idx + len(t),
            "id": t.i,
            "ws": bool(t.whitespace_),
        }
        for t in NLP(text)
    ]


def relation_of(store: Store, doc_id: int) -> list[tuple[str, str, str]]:
    doc = store.load_document(doc_id)
    text_of = {s.id: doc.text[s.start : s.end] for s in doc.gold.spans}
    return [(text_of[r.head], r.label, text_of[r.child]) for r in doc.gold.relations]


# ---- 2. Prodigy's minimal relations ---------------------------------------------

TEXT = "Antony Blinken visited Armenia"
SPANS = [
    {"start": 0, "end": 14, "token_start": 0, "token_end": 1, "label": "PERSON"},
    {"start": 23, "end": 30, "token_start": 3, "token_end": 3, "label": "GPE"},
]


def test_minimal_relations_point_at_the_last_token_of_a_span(tmp_path, store, tokenizer_only):
    """``head`` / ``child`` without ``head_span`` / ``child_span``: the span whose
    last token (``token_end``) is that index."""
    relations = [{"head": 1, "child": 3, "label": "PHYS"}]
    task = {"text": TEXT, "tokens": prodigy_tokens(TEXT), "spans": SPANS,
            "relations": relations, "answer": "accept"}  # fmt: skip
    path = tmp_path / "rel.jsonl"
    path.write_text(json.dumps(task) + "\n", encoding="utf-8")
    report = run_import(store, tokenizer_only, [path])
    assert report.problems == []
    assert relation_of(store, report.doc_ids[0]) == [("Antony Blinken", "PHYS", "Armenia")]


def test_minimal_relations_find_the_last_token_from_the_tokens():
    """Spans without ``token_end``: the line's tokens say where they end."""
    spans = [{k: v for k, v in s.items() if not k.startswith("token")} for s in SPANS]
    task = {"text": TEXT, "tokens": prodigy_tokens(TEXT), "spans": spans,
            "relations": [{"head": 3, "child": 1, "label": "X"}]}  # fmt: skip
    record = jsonl.from_task(task, "rel.jsonl:4")
    assert record.relations == (Relation(1, 0, "X"),)


@pytest.mark.parametrize(
    ("spans", "tokens", "relation", "message"),
    [
        (
            SPANS,
            True,
            {"head": 0, "child": 3, "label": "PHYS"},  # 0 is Antony, not the span's last token
            "rel.jsonl:7: relation 'PHYS': no span ends at token 0 (its head)",
        ),
        (
            [{"start": 0, "end": 14, "label": "PERSON"}, {"start": 23, "end": 30, "label": "GPE"}],
            False,
            {"head": 1, "child": 3, "label": "PHYS"},
            "rel.jsonl:7: relation 'PHYS': no span ends at token 1 (its head) (its spans have "
            "no token_end and the line has no tokens to find it)",
        ),
        (
            [{**SPANS[0], "token_end": 3}, SPANS[1]],  # two spans claim to end at token 3
            True,
            {"head": 3, "child": 3, "label": "PHYS"},
            "rel.jsonl:7: relation 'PHYS': 2 spans end at token 3 (its head); give head_span "
            "to say which",
        ),
        (
            SPANS,
            True,
            {"head": "Blinken", "child": 3, "label": "PHYS"},
            "rel.jsonl:7: relation 'PHYS' has neither a head_span nor a head token index "
            "(head: 'Blinken')",
        ),
    ],
)
def test_minimal_relations_that_match_no_single_span_name_the_line(
    spans, tokens, relation, message
):
    task = {"text": TEXT, "spans": spans, "relations": [relation]}
    if tokens:
        task["tokens"] = prodigy_tokens(TEXT)
    with pytest.raises(FormatError) as caught:
        jsonl.from_task(task, "rel.jsonl:7")
    assert str(caught.value) == message


def test_relations_with_spans_still_match_by_offsets():
    relation = {"head": 99, "child": 98, "label": "R"}
    relation |= {"head_span": SPANS[1], "child_span": SPANS[0]}
    task = {"text": TEXT, "spans": SPANS, "relations": [relation]}
    assert jsonl.from_task(task, "x:1").relations == (Relation(1, 0, "R"),)


# ---- 4. the hashes ----------------------------------------------------------------


def test_the_hashes_are_made_as_documented():
    record = Record(TEXT, (RecordSpan(0, 14, "PERSON"), RecordSpan(23, 30, "GPE")),
                    (Relation(0, 1, "PHYS"),), meta={"k": "v"}, answer="reject")  # fmt: skip

    def signed32(payload: str) -> int:
        digest = hashlib.sha256(payload.encode("utf-8")).digest()
        return int.from_bytes(digest[:4], "big", signed=True)

    assert input_hash(TEXT) == signed32(TEXT)
    assert task_hash(record) == signed32(
        json.dumps([TEXT, [[0, 14, "PERSON"], [23, 30, "GPE"]], [[0, 1, "PHYS"]]])
    )
    # the input hash ignores the annotations; the task hash ignores answer and meta
    assert task_hash(Record(TEXT, record.spans, record.relations)) == task_hash(record)
    assert task_hash(Record(TEXT, record.spans[:1])) != task_hash(record)
    assert all(-(2**31) <= h < 2**31 for h in (input_hash(TEXT), task_hash(record)))


# ---- 5. doccano -------------------------------------------------------------------


def two_entity_store(store: Store, status: Status = Status.ACCEPTED) -> int:
    tokens = Tokens((0, 7, 15, 23), (6, 14, 22, 30))
    doc = NewDocument(
        TEXT,
        "t",
        tokens,
        (0,),
        {"source": "a.txt", "title": "Visit"},
        (make_span(tokens, 0, 1, "PERSON"), make_span(tokens, 3, 3, "GPE")),
        (Relation(0, 1, "PHYS"),),
    )
    [doc_id] = store.add_documents([doc])
    store.set_status(doc_id, 1, status)
    return doc_id


def test_doccano_lines_carry_the_metadata_flat_like_doccano(tmp_path, store):
    doc_id = two_entity_store(store)
    out = tmp_path / "d.jsonl"
    export(store, out, ExportOptions(format="doccano"))
    line = json.loads(out.read_text(encoding="utf-8"))
    assert "meta" not in line
    assert (line["id"], line["text"], line["source"], line["title"]) == (
        doc_id, TEXT, "a.txt", "Visit"
    )  # fmt: skip
    assert (line["status"], line["annotator"], line["layer"]) == ("accepted", "tester", "gold")
    assert "document_id" not in line  # that is "id"
    assert [e["label"] for e in line["entities"]] == ["PERSON", "GPE"]
    assert line["relations"] == [{"id": 1, "from_id": 1, "to_id": 2, "type": "PHYS"}]
    record = doccano.from_line(line, "d.jsonl:1")
    assert record.meta["title"] == "Visit" and "id" not in record.meta
    assert record.review is not None and record.review.status is Status.ACCEPTED


def test_doccano_reads_the_older_nested_meta(tmp_path, store, tokenizer_only):
    line = {"id": 3, "text": TEXT,
            "entities": [{"id": 1, "start_offset": 0, "end_offset": 14, "label": "PERSON"}],
            "relations": [],
            "meta": {"source": "old.txt", "status": "rejected", "annotator": "alex"}}  # fmt: skip
    path = tmp_path / "old.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    [doc_id] = run_import(store, tokenizer_only, [path]).doc_ids
    doc = store.load_document(doc_id)
    assert doc.status is Status.REJECTED and store.review_info(doc_id)[1] == "alex"
    assert doc.meta["source"] == "old.txt"


def test_doccano_label_shape_is_written_on_request_and_warns_of_relations(tmp_path, store):
    two_entity_store(store)
    out = tmp_path / "seq.jsonl"
    options = ExportOptions(format="doccano", format_options=(("doccano_shape", "label"),))
    report = export(store, out, options)
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["label"] == [[0, 14, "PERSON"], [23, 30, "GPE"]]
    assert "entities" not in line and "relations" not in line
    [warning] = report.warnings
    assert "relations of 1 document(s) were left out" in warning and "--doccano-shape" in warning


def test_doccano_label_shape_without_relations_exports_without_warning(tmp_path, store):
    tokens = Tokens((0, 7, 15, 23), (6, 14, 22, 30))
    [doc_id] = store.add_documents(
        [NewDocument(TEXT, "t", tokens, (0,), {}, (make_span(tokens, 3, 3, "GPE"),))]
    )
    store.set_status(doc_id, 1, Status.ACCEPTED)
    options = ExportOptions(format="doccano", format_options=(("doccano_shape", "label"),))
    assert export(store, tmp_path / "seq.jsonl", options).warnings == []


def test_doccano_label_shape_is_read(tmp_path, store, tokenizer_only):
    """doccano's own sequence-labeling example lines; a text-classification
    ``label`` (strings) is a plain article."""
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        '{"text": "EU rejects German call to boycott British lamb.", '
        '"label": [ [0, 2, "ORG"], [11, 17, "MISC"] ]}\n'
        '{"text": "Peter Blackburn", "label": [ [0, 15, "PERSON"] ], "Comments": []}\n'
        '{"text": "Nothing here at all", "label": []}\n'
        '{"text": "A review of a film", "label": ["positive"]}\n',
        encoding="utf-8",
    )
    report = run_import(store, tokenizer_only, [path])
    assert report.problems == [] and report.imported == 4
    spans = [
        [(s.start, s.end, s.label) for s in store.load_document(i).gold.spans]
        for i in report.doc_ids
    ]
    assert spans == [[(0, 2, "ORG"), (11, 17, "MISC")], [(0, 15, "PERSON")], [], []]
    assert store.load_document(report.doc_ids[1]).meta["Comments"] == []
    assert store.load_document(report.doc_ids[3]).meta.get("label") is None


def test_doccano_label_shape_round_trip_keeps_spans_and_review(tmp_path, store, tokenizer_only):
    two_entity_store(store, Status.SKIPPED)
    out = tmp_path / "seq.jsonl"
    options = ExportOptions(
        format="doccano", statuses=tuple(Status), format_options=(("doccano_shape", "label"),)
    )
    export(store, out, options)
    with Store.open(tmp_path / "again.db") as again:
        [doc_id] = run_import(again, tokenizer_only, [out]).doc_ids
        doc = again.load_document(doc_id)
        assert [(s.start, s.end, s.label) for s in doc.gold.spans] == [
            (0, 14, "PERSON"),
            (23, 30, "GPE"),
        ]
        assert doc.status is Status.SKIPPED and again.review_info(doc_id)[1] == "tester"


def test_cli_doccano_shape_flag(db_path, tmp_path, capsys):
    with Store.open(db_path, actor="tester") as store:
        two_entity_store(store)
    out = tmp_path / "seq.jsonl"
    code = main(["export", str(out), "--db", str(db_path), "--format", "doccano",
                 "--doccano-shape", "label"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "relations of 1 document(s) were left out" in err
    assert json.loads(out.read_text(encoding="utf-8"))["label"][0] == [0, 14, "PERSON"]


def test_a_bad_doccano_label_is_named(tmp_path, store, tokenizer_only):
    line = {"text": "Armenia", "entities": [], "label": [[0, 7, "GPE"]]}
    assert doccano.from_line(line, "x:1").spans == ()  # entities win; "label" is not meta
    with pytest.raises(FormatError, match=r"x:2: span 0\.\.99 \(GPE\) lies outside"):
        doccano.from_line({"text": "Armenia", "label": [[0, 99, "GPE"]]}, "x:2")
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "Armenia", "label": [[5, 2, "GPE"]]}\n', encoding="utf-8")
    [problem] = plan_import(store, [path], tokenizer_only).problems
    assert problem.line == 1 and "span 5..2 (GPE) lies outside the text" in problem.message


# ---- 6. DocBin sentence starts ------------------------------------------------------


def test_docbin_carries_the_stored_sentence_starts(tmp_path, store):
    from spacy.tokens import DocBin

    texts = ["Armenia signed . Blinken came . Russia left", "One sentence only", "A . B"]
    starts = [(0, 3, 6), (0,), (0, 2)]
    ids = []
    for text, sentence_starts in zip(texts, starts, strict=True):
        doc = NLP(text)
        tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
        spans = (make_span(tokens, 0, 0, "GPE"),)
        [doc_id] = store.add_documents([NewDocument(text, "t", tokens, sentence_starts, {}, spans)])
        store.set_status(doc_id, 1, Status.ACCEPTED)
        ids.append(doc_id)
    out = tmp_path / "corpus.spacy"
    export(store, out, ExportOptions(format="spacy"))
    docs = list(DocBin().from_disk(out).get_docs(NLP.vocab))
    assert [d.text for d in docs] == texts
    for doc, sentence_starts in zip(docs, starts, strict=True):
        assert doc.has_annotation("SENT_START")
        assert tuple(s.start for s in doc.sents) == sentence_starts
        assert [(e.start, e.label_) for e in doc.ents] == [(0, "GPE")]
