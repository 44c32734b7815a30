"""Issue 11: export -> import keeps the review (status, reviewer), and binary
answers (the same text on several lines, accepted or rejected) merge into one
document."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats import annotations, documents

from annotator.cli import format_stats
from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats.records import FormatError
from annotator.importer import plan_import, run_import
from annotator.model import Label, LabelKind, Layer, NewDocument, Status, Tokens, make_span
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.store import Store
from annotator.store.connection import insert_labels

TEXT = "Armenia signed an accord with Blinken in Yerevan"


@pytest.fixture(scope="module")
def tokenizer_only():
    return Pipeline(load_pipeline("blank:en"), relation_rules=[])


def write_lines(path, *lines):
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def reviewed_source(tmp_path, reviewer: str, status: Status) -> tuple[Store, int]:
    """A database with one document, reviewed by ``reviewer`` to ``status``."""
    tokens = Tokens((0, 8, 15, 18, 25, 30, 38, 41), (7, 14, 17, 24, 29, 37, 40, 48))
    doc = NewDocument(
        TEXT,
        "t",
        tokens,
        (0,),
        {"source": "a.txt"},
        (make_span(tokens, 0, 0, "GPE"), make_span(tokens, 5, 5, "PERSON")),
    )
    store = Store.open(tmp_path / f"source-{reviewer}.db", actor=reviewer)
    [doc_id] = store.add_documents([doc])
    store.set_status(doc_id, 1, status)
    return store, doc_id


# ---- 1. export -> import keeps status and reviewer ----------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "labelstudio"])
@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.REJECTED, Status.SKIPPED])
@pytest.mark.parametrize("to_gold", [False, True])
def test_export_then_import_keeps_status_and_reviewer(
    tmp_path, tokenizer_only, fmt, status, to_gold
):
    from annotator.formats.registry import get_format

    source, doc_id = reviewed_source(tmp_path, "alex", status)
    out = tmp_path / f"out{get_format(fmt).suffix}"
    export(source, out, ExportOptions(format=fmt, statuses=tuple(Status)))
    reviewed_at, _ = source.review_info(doc_id)
    with Store.open(tmp_path / "again.db", actor="sam") as again:
        report = run_import(again, tokenizer_only, [out], to_gold=to_gold)
        assert report.problems == [] and report.imported == 1
        [new_id] = report.doc_ids
        doc = again.load_document(new_id)
        assert doc.status is status
        assert annotations(again, new_id) == annotations(source, doc_id)
        # who reviewed it, as the window and the next export see it
        assert again.review_info(new_id)[1] == "alex"
        [entry] = again.audit_log(new_id)
        assert (entry.action, entry.target, entry.actor) == ("import", "document", "alex")
        assert entry.after["status"] == status.value
        assert entry.after["reviewer"] == "alex"
        assert entry.after["reviewed_at"] == reviewed_at  # the original time
        assert entry.after["imported_by"] == "sam"
        first_line = 2 if fmt == "labelstudio" else 1  # after the array's "["
        assert entry.after["source"] == f"{out}:{first_line}"
        # the review keys became state; they are not kept as stale meta
        assert not {"status", "annotator", "updated_at"} & set(doc.meta)
        # the metadata comes back, whether nested (jsonl, labelstudio) or flat (doccano)
        assert doc.meta["source"] == "a.txt"
        assert f"{status.value:<9} {1:>8}" in format_stats(again)
        # and the next export writes the same review
        again_out = tmp_path / f"again{get_format(fmt).suffix}"
        export(again, again_out, ExportOptions(format=fmt, statuses=tuple(Status)))
        line = json.loads(again_out.read_text(encoding="utf-8"))
        meta = {"jsonl": lambda: line["meta"], "doccano": lambda: line}.get(
            fmt, lambda: line[0]["data"]["meta"]
        )()
        assert (meta["status"], meta["annotator"]) == (status.value, "alex")
    source.close()


def test_prodigy_answers_give_the_status(tmp_path, store, tokenizer_only):
    span = {"start": 0, "end": 7, "label": "GPE"}
    path = write_lines(
        tmp_path / "prodigy.jsonl",
        {"text": "Armenia one", "spans": [span], "answer": "accept",
         "_annotator_id": "news-alex", "_timestamp": 1700000000},
        {"text": "Armenia two", "spans": [span], "answer": "reject"},
        {"text": "Armenia three", "spans": [span], "answer": "ignore"},
        {"text": "Armenia four", "spans": [span]},
    )  # fmt: skip
    report = run_import(store, tokenizer_only, [path])
    assert report.problems == [] and report.imported == 4
    statuses = [store.load_document(i).status for i in report.doc_ids]
    assert statuses == [Status.ACCEPTED, Status.REJECTED, Status.SKIPPED, Status.TODO]
    first = store.audit_log(report.doc_ids[0])
    assert [(e.actor, e.after["reviewed_at"]) for e in first] == [
        ("news-alex", "2023-11-14T22:13:20+00:00")
    ]
    # no reviewer named: the importing user stands in, and the file said nobody
    [second] = store.audit_log(report.doc_ids[1])
    assert second.actor == "tester" and second.after["reviewer"] is None
    assert store.audit_log(report.doc_ids[3]) == []  # not reviewed: a plain import


def test_an_unknown_answer_is_refused_with_its_line(tmp_path, store, tokenizer_only):
    path = write_lines(
        tmp_path / "bad.jsonl",
        {"text": "Armenia", "spans": [], "answer": "accept"},
        {"text": "Armenia again", "spans": [], "answer": "maybe"},
    )
    plan = plan_import(store, [path], tokenizer_only)
    assert [(p.line, p.message) for p in plan.problems] == [
        (2, '"answer" must be "accept", "reject" or "ignore", not \'maybe\'')
    ]


# ---- 3. binary answers merge ---------------------------------------------------


def binary(answer: str, start: int, end: int, label: str, **extra):
    return {"text": TEXT, "spans": [{"start": start, "end": end, "label": label}],
            "answer": answer, **extra}  # fmt: skip


def test_binary_answers_merge_into_one_document(tmp_path, store, tokenizer_only):
    path = write_lines(
        tmp_path / "teach.jsonl",
        binary("accept", 0, 7, "GPE", _annotator_id="news-alex"),
        binary("reject", 0, 7, "ORG", _annotator_id="news-alex"),  # a wrong label
        binary("reject", 18, 24, "ORG"),  # a wrong span
        {"text": TEXT},  # the plain text again: a duplicate
        binary("accept", 30, 37, "PERSON", _annotator_id="news-sam"),
        binary("ignore", 41, 48, "GPE"),
    )
    plan = plan_import(store, [path], tokenizer_only)
    assert (plan.new_documents, plan.merged, plan.duplicates, plan.problems) == (1, 4, 1, [])
    report = run_import(store, tokenizer_only, [path], plan=plan)
    assert (report.imported, report.merged, report.duplicates) == (1, 4, 1)
    assert "imported 1 (merging 4 more lines of answers), skipped as duplicate 1" in (
        report.summary()
    )
    [doc_id] = report.doc_ids
    doc = store.load_document(doc_id)
    assert doc.status is Status.ACCEPTED
    gold = [(TEXT[s.start : s.end], s.label) for s in doc.gold.spans]
    assert gold == [("Armenia", "GPE"), ("Blinken", "PERSON")]
    [entry] = store.audit_log(doc_id)
    assert entry.actor == "news-sam"  # the last line that accepted
    assert entry.after["merged_from"] == [f"{path}:{n}" for n in (1, 2, 3, 5, 6)]


def test_only_rejected_answers_leave_a_rejected_document_without_their_spans(
    tmp_path, store, tokenizer_only
):
    path = write_lines(
        tmp_path / "teach.jsonl",
        binary("reject", 0, 7, "ORG"),
        binary("reject", 30, 37, "GPE"),
    )
    report = run_import(store, tokenizer_only, [path])
    [doc_id] = report.doc_ids
    doc = store.load_document(doc_id)
    assert doc.status is Status.REJECTED and doc.gold.spans == () and doc.model.spans == ()


def test_a_span_accepted_and_rejected_refuses_the_file(tmp_path, store, tokenizer_only):
    path = write_lines(
        tmp_path / "teach.jsonl",
        {"text": "Another text", "spans": [], "answer": "accept"},
        binary("accept", 0, 7, "GPE"),
        binary("reject", 0, 7, "GPE"),
    )
    plan = plan_import(store, [path], tokenizer_only)
    assert [(p.path, p.line, p.message) for p in plan.problems] == [
        (
            path,
            3,
            "span 0..7 (GPE) is rejected here but accepted on line 2; settle the answers "
            "about this text before importing it",
        )
    ]
    report = run_import(store, tokenizer_only, [path], plan=plan)
    assert report.imported == 0 and report.failed_files == 1  # the file whole, as always


def test_overlapping_accepted_answers_are_refused(tmp_path, store, tokenizer_only):
    path = write_lines(
        tmp_path / "teach.jsonl",
        binary("accept", 0, 7, "GPE"),
        binary("accept", 0, 14, "ORG"),
    )
    [problem] = plan_import(store, [path], tokenizer_only).problems
    assert problem.line == 2 and problem.message == (
        "the accepted span 0..14 (ORG) overlaps the accepted span 0..7 (GPE) of line 1"
    )


def test_answers_merge_across_files_and_a_conflict_fails_every_file(
    tmp_path, store, tokenizer_only
):
    one = write_lines(tmp_path / "one.jsonl", binary("accept", 0, 7, "GPE"))
    two = write_lines(tmp_path / "two.jsonl", binary("accept", 30, 37, "PERSON"))
    report = run_import(store, tokenizer_only, [one, two])
    assert (report.imported, report.merged, report.problems) == (1, 1, [])
    gold = store.load_document(report.doc_ids[0]).gold.spans
    assert [s.label for s in gold] == ["GPE", "PERSON"]

    text = "Blinken visited Yerevan"
    a = write_lines(tmp_path / "a.jsonl", {"text": text, "spans": [
        {"start": 0, "end": 7, "label": "PERSON"}], "answer": "accept"})  # fmt: skip
    b = write_lines(tmp_path / "b.jsonl", {"text": text, "spans": [
        {"start": 0, "end": 7, "label": "PERSON"}], "answer": "reject"})  # fmt: skip
    plan = plan_import(store, [a, b], tokenizer_only)
    assert plan.failed_files == {a, b} and plan.new_documents == 0
    assert {(p.path, p.line) for p in plan.problems} == {(a, 1), (b, 1)}


def test_answers_about_a_stored_text_are_duplicates(tmp_path, store, tokenizer_only):
    path = write_lines(
        tmp_path / "teach.jsonl", binary("accept", 0, 7, "GPE"), binary("reject", 0, 7, "ORG")
    )
    run_import(store, tokenizer_only, [path])
    again = run_import(store, tokenizer_only, [path])
    assert (again.imported, again.merged, again.duplicates) == (0, 0, 2)


def test_a_merge_error_class_is_a_format_error():
    from annotator.formats.records import Record, RecordSpan, Review, merge_answers

    accepted = Record(TEXT, (RecordSpan(0, 7, "GPE"),), review=Review(Status.ACCEPTED))
    rejected = Record(TEXT, (RecordSpan(0, 7, "GPE"),), review=Review(Status.REJECTED))
    with pytest.raises(FormatError, match="accepted on line 1"):
        merge_answers([("f.jsonl:1", accepted), ("f.jsonl:2", rejected)])


# ---- 7. hypothesis: status, reviewer, spans and relations survive ----------------

REVIEWERS = st.sampled_from(["alex", "sam", "Dana Ö"])


@pytest.mark.parametrize("fmt", ["jsonl", "doccano"])
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    doc=documents(),
    status=st.sampled_from([Status.ACCEPTED, Status.REJECTED, Status.SKIPPED]),
    reviewer=REVIEWERS,
)
def test_round_trip_keeps_the_review(tmp_path_factory, tokenizer_only, fmt, doc, status, reviewer):
    tmp = tmp_path_factory.mktemp(fmt)
    with Store.open(tmp / "source.db", actor=reviewer) as source:
        with source.db.atomic():
            insert_labels(source.db, [Label("MET", LabelKind.RELATION, "#123456")])
        [doc_id] = source.add_documents([doc])
        source.set_status(doc_id, 1, status)
        target = tmp / "out.jsonl"
        export(source, target, ExportOptions(format=fmt, statuses=tuple(Status)))
        with Store.open(tmp / "again.db", actor="importer") as again:
            report = run_import(again, tokenizer_only, [target])
            assert report.problems == [] and report.imported == 1
            [new_id] = report.doc_ids
            assert again.load_document(new_id).status is status
            assert again.review_info(new_id)[1] == reviewer
            assert annotations(again, new_id) == annotations(source, doc_id)
            assert annotations(again, new_id, Layer.MODEL) == annotations(source, doc_id)
