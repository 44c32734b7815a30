"""Export then import gives back the same annotations, for every format that carries them."""

from __future__ import annotations

import json

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.export_options import ExportError, ExportOptions, parse_ids
from annotator.exporter import export
from annotator.formats import conll
from annotator.importer import run_import
from annotator.labels import load_labels
from annotator.model import LabelKind, Layer, NewDocument, Relation, Status, Tokens, make_span
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.store import Store

NLP = spacy.blank("en")
WORDS = st.sampled_from(
    ["Armenia", "signed", "an", "accord", "with", "Blinken", "in", "2024", ",", "."]
)
LABELS = ["PERSON", "ORG", "GPE", "DATE"]
RELATIONS = ["PER-SOC", "PHYS", "ORG-AFF", "MET"]
RULES = {label.name: label for label in load_labels() if label.kind is LabelKind.RELATION}


@st.composite
def documents(draw):
    lines = draw(st.lists(st.lists(WORDS, min_size=1, max_size=12), min_size=1, max_size=3))
    text = "\n".join(" ".join(words) for words in lines)
    doc = NLP(text)
    tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
    words = [i for i, t in enumerate(doc) if not t.is_space]
    spans = []
    i = 0
    while i < len(words):
        if draw(st.booleans()):
            length = draw(st.integers(1, 3))
            last = min(i + length - 1, len(words) - 1)
            # a span never crosses a line break
            if "\n" not in text[tokens.starts[words[i]] : tokens.ends[words[last]]]:
                spans.append(
                    make_span(tokens, words[i], words[last], draw(st.sampled_from(LABELS)))
                )
                i = last + 1
                continue
        i += 1
    relations = []
    if len(spans) >= 2:
        for _ in range(draw(st.integers(0, 3))):
            head, child = draw(st.permutations(range(len(spans))))[:2]
            # only labels whose argument types allow these spans (as edits and imports)
            allowed = [
                name
                for name in RELATIONS
                if name not in RULES
                or RULES[name].refuses(spans[head].label, spans[child].label) is None
            ]
            relations.append(Relation(head, child, draw(st.sampled_from(allowed))))
    relations = list({(r.head, r.child, r.label): r for r in relations}.values())
    return NewDocument(text, "t", tokens, (0,), {}, tuple(spans), tuple(relations))


def annotations(store: Store, doc_id: int, layer: Layer = Layer.GOLD):
    doc = store.load_document(doc_id)
    ann = doc.layer(layer)
    by_id = {s.id: (s.start, s.end) for s in ann.spans}
    return (
        doc.text,
        sorted((s.start, s.end, s.label) for s in ann.spans),
        sorted((by_id[r.head], r.label, by_id[r.child]) for r in ann.relations),
    )


@pytest.fixture(scope="module")
def tokenizer_only():
    return Pipeline(load_pipeline("blank:en"), relation_rules=[])


def stored(tmp_path, doc: NewDocument) -> tuple[Store, int]:
    store = Store.open(tmp_path / "source.db")
    from annotator.model import Label, LabelKind
    from annotator.store.connection import insert_labels

    with store.db.atomic():
        insert_labels(store.db, [Label("MET", LabelKind.RELATION, "#123456")])
    [doc_id] = store.add_documents([doc])
    store.set_status(doc_id, 1, Status.ACCEPTED)
    return store, doc_id


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_round_trip(tmp_path_factory, tokenizer_only, fmt, doc):
    tmp = tmp_path_factory.mktemp(fmt)
    source, doc_id = stored(tmp, doc)
    target = tmp / ("out" if fmt == "brat" else "out.jsonl")
    export(source, target, ExportOptions(format=fmt))
    with Store.open(tmp / "again.db") as again:
        report = run_import(again, tokenizer_only, [target])
        assert report.problems == [] and report.imported == 1
        [new_id] = report.doc_ids
        assert annotations(again, new_id) == annotations(source, doc_id)
        assert annotations(again, new_id, Layer.MODEL) == annotations(source, doc_id)
    source.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_conll_and_docbin_carry_the_entities(tmp_path_factory, doc):
    from spacy.tokens import DocBin

    tmp = tmp_path_factory.mktemp("conll")
    source, doc_id = stored(tmp, doc)
    export(source, tmp / "out.conll", ExportOptions(format="conll"))
    [document] = list(conll.read(tmp / "out.conll"))
    tags = [tag for sentence in document for _, tag in sentence]
    words = [word for sentence in document for word, _ in sentence]
    stored_doc = source.load_document(doc_id)
    expected = [
        (stored_doc.text[s:e], tag)
        for s, e, tag in zip(
            stored_doc.tokens.starts,
            stored_doc.tokens.ends,
            conll.iob_tags(_record(source, doc_id)),
            strict=True,
        )
        if not stored_doc.text[s:e].isspace()
    ]
    assert list(zip(words, tags, strict=True)) == expected

    export(source, tmp / "out.spacy", ExportOptions(format="spacy"))
    [spacy_doc] = list(DocBin().from_disk(tmp / "out.spacy").get_docs(NLP.vocab))
    assert spacy_doc.text == stored_doc.text
    assert [(e.start_char, e.end_char, e.label_) for e in spacy_doc.ents] == [
        (s.start, s.end, s.label) for s in stored_doc.gold.spans
    ]
    source.close()


def _record(store: Store, doc_id: int):
    from annotator.formats.records import record_from_document

    return record_from_document(store.load_document(doc_id), Layer.GOLD, {})


def test_export_selection_split_and_atomicity(tmp_path, store):
    docs = [
        NewDocument(
            f"Doc {i} Armenia",
            "t",
            Tokens((0, 4, 6), (3, 5, 13)),
            (0,),
            {},
            (make_span(Tokens((0, 4, 6), (3, 5, 13)), 2, 2, "GPE"),),
        )
        for i in range(10)
    ]
    ids = store.add_documents(docs)
    for doc_id in ids[:8]:
        store.set_status(doc_id, 1, Status.ACCEPTED)
    report = export(store, tmp_path / "all.jsonl", ExportOptions())
    assert report.documents == 8
    lines = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert lines[0]["spans"] == [
        {"start": 6, "end": 13, "label": "GPE", "token_start": 2, "token_end": 2}
    ]
    assert lines[0]["answer"] == "accept" and lines[0]["meta"]["document_id"] == ids[0]
    assert {"annotator", "updated_at", "layer", "status"} <= set(lines[0]["meta"])
    assert isinstance(lines[0]["_input_hash"], int) and isinstance(lines[0]["_task_hash"], int)
    again = export(store, tmp_path / "again.jsonl", ExportOptions())
    assert (tmp_path / "again.jsonl").read_text() == (tmp_path / "all.jsonl").read_text()
    assert again.documents == 8

    some = export(store, tmp_path / "some.jsonl", ExportOptions(ids=parse_ids("2-4,9")))
    assert some.documents == 3  # 9 is not accepted
    split = export(
        store, tmp_path / "corpus.spacy", ExportOptions(format="spacy", split=0.75, seed=3)
    )
    assert [p.name for p in split.files] == ["corpus-train.spacy", "corpus-dev.spacy"]
    from spacy.tokens import DocBin

    sizes = [len(DocBin().from_disk(p)) for p in split.files]
    assert sizes == [6, 2]

    # a span that does not align to the stored tokens stops the export: no file at all
    store.db.execute('UPDATE spans SET "end" = 12 WHERE doc_id = ? AND layer = ?', [ids[5], "gold"])
    store.db.conn.commit()
    with pytest.raises(ExportError, match=rf"document {ids[5]}: span 6\.\.12 does not align"):
        export(store, tmp_path / "broken.jsonl", ExportOptions())
    leftovers = [p.name for p in tmp_path.iterdir() if "broken" in p.name or ".part" in p.name]
    assert leftovers == []
    with pytest.raises(ExportError, match="No accepted documents match"):
        export(store, tmp_path / "none.jsonl", ExportOptions(search="no such text"))
    with pytest.raises(ExportError, match="is not a document id"):
        parse_ids("1-x")


def test_bad_pre_annotated_input_is_named_and_not_imported(tmp_path, store, tokenizer_only):
    from annotator.importer import plan_import

    good = {"text": "Armenia signed", "spans": [{"start": 0, "end": 7, "label": "GPE"}]}
    misaligned = {"text": "Armenia signed", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}
    outside = {
        "text": "Armenia",
        "entities": [{"id": 1, "start_offset": 0, "end_offset": 99, "label": "GPE"}],
    }
    overlapping = {
        "text": "Armenia signed",
        "spans": [{"start": 0, "end": 7, "label": "GPE"}, {"start": 0, "end": 14, "label": "ORG"}],
    }
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (good, misaligned, outside, overlapping)))
    plan = plan_import(store, [path], tokenizer_only)
    assert sorted((p.line, p.message) for p in plan.problems) == [
        (2, "span 0..5 (GPE) does not align to token boundaries"),
        (3, "span 0..99 (GPE) lies outside the text (length 7)"),
        (4, "span 0..14 (ORG) overlaps another span"),
    ]
    report = run_import(store, tokenizer_only, [path], plan=plan)
    assert report.imported == 0 and report.failed_files == 1
    assert store.document_ids() == []


def test_to_gold_keeps_the_pipeline_in_the_model_layer(tmp_path, store, rule_pipeline):
    path = tmp_path / "review.jsonl"
    path.write_text(
        json.dumps(
            {
                "text": "Armenia met Blinken",
                "spans": [{"start": 0, "end": 7, "label": "ORG"}],
            }
        )
    )
    [doc_id] = run_import(store, rule_pipeline, [path], to_gold=True).doc_ids
    doc = store.load_document(doc_id)
    assert [(s.label) for s in doc.gold.spans] == ["ORG"]
    assert [(s.start, s.label) for s in doc.model.spans] == [(0, "GPE"), (12, "PERSON")]


@settings(max_examples=50, deadline=None)
@given(doc=documents(), trailing=st.sampled_from(["", " ", "\n", ' "é\\\t']))
def test_fast_jsonl_line_is_the_json_of_the_task(doc, trailing):
    import io

    from annotator.formats.jsonl import to_task, write_record
    from annotator.formats.records import Record, RecordSpan

    text = doc.text + trailing
    tokens_doc = NLP(text)
    tokens = Tokens(tuple(t.idx for t in tokens_doc), tuple(t.idx + len(t) for t in tokens_doc))
    record = Record(
        text,
        tuple(RecordSpan(s.start, s.end, s.label) for s in doc.spans),
        doc.relations,
        tokens,
        {"k": "v"},
    )
    out = io.StringIO()
    write_record(record, out)
    assert json.loads(out.getvalue()) == to_task(record)
    # spaCy's whitespace: ws is True exactly when one space follows the token
    assert "".join(t["text"] + (" " if t["ws"] else "") for t in to_task(record)["tokens"]) == (
        "".join(t.text_with_ws for t in tokens_doc)
    )


def test_cli_export_and_its_errors(db_path, tmp_path, rule_pipeline, capsys):
    from annotator.cli import main

    text_file = tmp_path / "a.txt"
    text_file.write_text("Antony Blinken met Ararat Mirzoyan in Armenia.", encoding="utf-8")
    with Store.open(db_path) as store:
        [doc_id] = run_import(store, rule_pipeline, [text_file]).doc_ids
        store.set_status(doc_id, 1, Status.ACCEPTED)
    out = tmp_path / "gold.conll"
    assert main(["export", str(out), "--db", str(db_path), "--format", "conll"]) == 0
    assert "Exported 1 documents (conll, gold)" in capsys.readouterr().out
    assert "Antony B-PERSON\nBlinken I-PERSON\n" in out.read_text(encoding="utf-8")
    assert (
        main(["export", str(tmp_path / "x.jsonl"), "--db", str(db_path), "--status", "done"]) == 2
    )
    assert "'done' is not a list of statuses" in capsys.readouterr().err
    assert (
        main(["export", str(tmp_path / "y.jsonl"), "--db", str(db_path), "--status", "todo"]) == 2
    )
    assert "No todo documents match; nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "y.jsonl").exists()


def test_brat_problems_name_the_ann_line(tmp_path, store, tokenizer_only):
    from annotator.importer import plan_import

    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Armenia signed", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tGPE 0 7\tArmenia\nT2\tORG 8 40\tsigned\n", encoding="utf-8")
    plan = plan_import(store, [folder], tokenizer_only)
    [problem] = plan.problems
    assert str(problem).endswith("a.ann:2: span 8..40 (ORG) lies outside the text (length 14)")
    assert run_import(store, tokenizer_only, [folder], plan=plan).imported == 0


def _accepted_docs(store: Store, count: int) -> list[int]:
    tokens = Tokens((0, 4, 6), (3, 5, 13))
    docs = [
        NewDocument(f"Doc {i} Armenia", "t", tokens, (0,), {}, (make_span(tokens, 2, 2, "GPE"),))
        for i in range(count)
    ]
    ids = [i for i in store.add_documents(docs) if i is not None]
    for doc_id in ids:
        store.set_status(doc_id, 1, Status.ACCEPTED)
    return ids


def test_a_split_export_replaces_both_files_or_neither(tmp_path, store):
    """Issue 10, item 10: the dev file cannot be written, so the train file keeps
    its old content, and no temporary file is left."""
    _accepted_docs(store, 4)
    out = tmp_path / "out"
    out.mkdir()
    train = out / "corpus-train.spacy"
    train.write_text("the old train file")
    (out / "corpus-dev.spacy").mkdir()  # cannot be replaced by a file
    with pytest.raises(ExportError, match="Is a directory"):
        export(store, out / "corpus.spacy", ExportOptions(format="spacy", split=0.5))
    assert train.read_text() == "the old train file"
    assert sorted(p.name for p in out.iterdir()) == ["corpus-dev.spacy", "corpus-train.spacy"]


def test_a_split_with_an_empty_dev_set_is_an_error(tmp_path, store):
    _accepted_docs(store, 1)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportError, match="leaves the dev set empty"):
        export(store, out / "one.spacy", ExportOptions(format="spacy", split=0.8))
    assert list(out.iterdir()) == []


def test_exports_have_the_mode_the_umask_or_the_old_file_gives(tmp_path, store):
    """Issue 10, item 11: not 0600 / 0700 because of mkstemp / mkdtemp."""
    import os
    import stat

    _accepted_docs(store, 2)
    out = tmp_path / "out"
    out.mkdir()
    old_mask = os.umask(0o022)
    try:
        export(store, out / "new.jsonl", ExportOptions())
        kept = out / "kept.jsonl"
        kept.write_text("old")
        kept.chmod(0o640)
        export(store, kept, ExportOptions())
        export(store, out / "brat", ExportOptions(format="brat"))
        export(store, out / "c.spacy", ExportOptions(format="spacy"))
    finally:
        os.umask(old_mask)

    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(out / "new.jsonl") == 0o644
    assert mode(kept) == 0o640 and kept.read_text() != "old"
    assert mode(out / "brat") == 0o755
    assert mode(out / "c.spacy") == 0o644


def test_stale_parts_of_a_killed_export_are_removed_on_the_next(tmp_path, store):
    """Issue 10, item 12: what a killed export left is cleaned up; a running
    export's fresh files are not touched."""
    import os
    import time

    _accepted_docs(store, 2)
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".corpus.jsonl.ab12cd.part"
    stale.write_text("half an export")
    folder = out / ".corpus.jsonl.ef34gh"
    folder.mkdir()
    (folder / "doc-1.txt").write_text("x")
    old = time.time() - 3600
    for path in (stale, folder):
        os.utime(path, (old, old))
    fresh = out / ".corpus.jsonl.ij56kl.part"
    fresh.write_text("another export, still running")
    export(store, out / "corpus.jsonl", ExportOptions())
    assert not stale.exists() and not folder.exists() and fresh.exists()
    assert (out / "corpus.jsonl").exists()


def test_sigterm_during_an_export_leaves_nothing_and_exits_130(tmp_path, store):
    import signal
    import subprocess
    import sys
    import time

    _accepted_docs(store, 1)
    tokens = Tokens((0, 4, 6), (3, 5, 13))
    many = [
        NewDocument(f"Doc {i} Armenia", "t", tokens, (0,), {}, (make_span(tokens, 2, 2, "GPE"),))
        for i in range(1000, 9000)
    ]
    ids = [i for i in store.add_documents(many) if i is not None]
    store.db.execute(
        f"UPDATE documents SET status = 'accepted' WHERE id IN ({','.join(map(str, ids))})"
    )
    store.db.conn.commit()
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "export", str(out / "big.jsonl"), "--db",
         str(store.path)],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(out.glob(".big.jsonl.*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert list(out.iterdir()) == []
