"""`annotator annotate`: pre-annotation into JSONL gold without a database, which
`annotator import` reads back with its spans and relations."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from annotate_helpers import PATTERNS, articles, rules_pipeline, stored

from annotator.cli import main
from annotator.importer import run_import
from annotator.model import Analysis, Status
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.preannotate import plan_annotation, run_annotation
from annotator.store import Store


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """A folder of articles and a JSONL file of two more (one with a title)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, text in enumerate(articles(6)):
        (folder / f"a{i}.txt").write_text(text, encoding="utf-8")
    lines = tmp_path / "more.jsonl"
    lines.write_text(
        json.dumps({"text": "Armenia hosted Blinken.", "meta": {"title": "Visit", "id": 7}})
        + "\n"
        + json.dumps({"text": "Russia said nothing to Ararat Mirzoyan."})
        + "\n",
        encoding="utf-8",
    )
    return [folder, lines]


def test_the_output_is_jsonl_gold_that_import_reads_back(tmp_path, inputs):
    pipeline = rules_pipeline(tmp_path)
    output = tmp_path / "out" / "annotated.jsonl"
    plan = plan_annotation(inputs)
    assert (plan.documents, plan.problems) == (8, [])
    written: list[int] = []
    report = run_annotation(pipeline, plan, output, progress=written.append)
    assert report.written == 8 == sum(written)
    tasks = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [t["meta"]["source"] for t in tasks] == [
        *(f"a{i}.txt" for i in range(6)),
        "more.jsonl:1",
        "more.jsonl:2",
    ]  # input order
    first = tasks[0]
    assert first["text"] == articles(1)[0]
    assert [(s["label"], first["text"][s["start"] : s["end"]]) for s in first["spans"]][:2] == [
        ("GPE", "Armenia"),
        ("PERSON", "Blinken"),
    ]
    assert first["relations"][0]["label"] == "NEAR"
    assert first["tokens"][0] == {"text": "Report", "start": 0, "end": 6, "id": 0, "ws": True}
    assert first["answer"] == "ignore"  # not reviewed, as an export writes a todo document
    assert first["meta"] == {"source": "a0.txt", "pipeline": pipeline.name, "status": "todo"}
    assert tasks[6]["meta"] == {
        "title": "Visit",
        "id": 7,
        "source": "more.jsonl:1",
        "pipeline": pipeline.name,
        "status": "todo",
    }

    # importing the output stores what importing the inputs stores
    with Store.open(tmp_path / "via.db") as via, Store.open(tmp_path / "direct.db") as direct:
        assert run_import(via, pipeline, [output]).imported == 8
        run_import(direct, pipeline, inputs)
        assert stored(via) == stored(direct)
        assert any(row[6][0][1] for row in stored(via))  # relations came through
        assert {via.load_document(i).status for i in via.document_ids()} == {Status.TODO}


def test_to_gold_puts_the_output_in_the_gold_layer(tmp_path, inputs):
    output = tmp_path / "annotated.jsonl"
    run_annotation(rules_pipeline(tmp_path), plan_annotation(inputs), output)
    blank = Pipeline(load_pipeline("blank:en"))  # would predict nothing, if it ran
    with Store.open(tmp_path / "gold.db") as store:
        run_import(store, blank, [output], to_gold=True)
        doc = store.load_document(store.document_ids()[0])
        assert [doc.text[s.start : s.end] for s in doc.gold.spans][:2] == ["Armenia", "Blinken"]
        assert [r.label for r in doc.gold.relations][:1] == ["NEAR"]
        # the model layer is what the annotating pipeline predicted: the same spans
        assert [(s.start, s.end, s.label) for s in doc.model.spans] == [
            (s.start, s.end, s.label) for s in doc.gold.spans
        ]


class Refusing:
    """An analyser that must not be asked: the inputs bring their analysis."""

    name = "en_refusing-0.0.0"

    def analyse(self, items, batch_size=64):
        raise AssertionError("the import ran a pipeline")
        yield  # pragma: no cover

    def tokenize(self, text):
        raise AssertionError("the import tokenized")


def test_the_import_of_the_output_runs_no_pipeline(tmp_path, inputs):
    pipeline = rules_pipeline(tmp_path)
    output = tmp_path / "annotated.jsonl"
    run_annotation(pipeline, plan_annotation(inputs), output)
    first = json.loads(output.read_text(encoding="utf-8").splitlines()[0])
    analysis = first["_analysis"]
    assert analysis["pipeline"] == pipeline.name
    assert analysis["sentence_starts"][0] == 0 and len(analysis["sentence_starts"]) > 1
    assert len(analysis["pos"]) == len(first["tokens"]) and "PROPN" in analysis["pos"]
    assert analysis["relation_rules"] == ["gpe-before-person"] * len(first["relations"])
    with Store.open(tmp_path / "via.db") as via, Store.open(tmp_path / "direct.db") as direct:
        assert run_import(via, Refusing(), [output]).imported == 8
        run_import(direct, pipeline, inputs)
        assert stored(via) == stored(direct)  # tokens, sentences, POS, rules, meta
        ruled = "SELECT COUNT(*) FROM relations WHERE layer = 'model' AND rule IS NOT NULL"
        assert via.conn.execute(ruled).fetchone()[0] == direct.conn.execute(ruled).fetchone()[0]
        assert via.conn.execute(ruled).fetchone()[0] >= len(first["relations"]) > 0
        with Store.open(tmp_path / "none.db") as none:  # no analyser at all
            assert run_import(none, None, [output]).imported == 8
            assert stored(none) == stored(direct)


def test_lines_with_and_without_an_analysis_keep_their_order(tmp_path, inputs):
    pipeline = rules_pipeline(tmp_path)
    output = tmp_path / "annotated.jsonl"
    run_annotation(pipeline, plan_annotation(inputs), output)
    lines = output.read_text(encoding="utf-8").splitlines()
    plain = [json.dumps({"text": f"Plain text number {i} about Russia."}) for i in range(3)]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([plain[0], *lines[:3], plain[1], *lines[3:], plain[2]]) + "\n")
    with Store.open(tmp_path / "mixed.db") as store:
        assert run_import(store, pipeline, [mixed]).imported == 11
        texts = [store.load_document(i).text for i in store.document_ids()]
        assert texts == [json.loads(line)["text"] for line in mixed.read_text().splitlines()]
        metas = [store.load_document(i).meta["pipeline"] for i in store.document_ids()]
        assert metas == [pipeline.name] * 11


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update(pos=a["pos"][:-1]), '_analysis".pos has'),
        (lambda a: a.update(sentence_starts=[1]), "sentence_starts must be increasing"),
        (lambda a: a.update(sentence_starts=[0, 999]), "each below the"),
        (lambda a: a.update(pipeline=""), "must name its pipeline"),
        (lambda a: a.update(relation_rules=[]), "a rule id (or null) for each of the"),
    ],
)
def test_a_broken_analysis_is_refused_with_its_line(tmp_path, inputs, change, message, capsys):
    pipeline = rules_pipeline(tmp_path)
    output = tmp_path / "annotated.jsonl"
    run_annotation(pipeline, plan_annotation(inputs), output)
    lines = output.read_text(encoding="utf-8").splitlines()
    task = json.loads(lines[1])
    change(task["_analysis"])
    lines[1] = json.dumps(task)
    output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "broken.db"
    assert main(["import", str(output), "--db", str(db), "--model", "no_such_model"]) == 1
    err = capsys.readouterr().err
    assert f"problem: {output}:2:" in err and message in err
    with Store.open(db) as store:
        assert store.document_ids() == []  # the file is skipped whole


class Interrupted:
    """An annotator interrupted (Ctrl+C) after two documents."""

    name = "en_interrupted-0.0.0"

    def __init__(self, tmp_path: Path) -> None:
        self.pipeline = rules_pipeline(tmp_path)

    def analyse(self, items, batch_size=64):
        for n, (key, analysis) in enumerate(self.pipeline.analyse(items, batch_size)):
            if n == 2:
                raise KeyboardInterrupt
            yield key, analysis


def test_an_interrupted_run_leaves_the_old_output_as_it_was(tmp_path, inputs):
    output = tmp_path / "annotated.jsonl"
    output.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        run_annotation(Interrupted(tmp_path), plan_annotation(inputs), output)
    assert output.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no part


def test_a_label_import_would_refuse_is_reported_and_left_out(tmp_path, inputs):
    class BadLabel:
        name = "en_bad-0.0.0"
        pipeline = rules_pipeline(tmp_path)

        def analyse(self, items, batch_size=64):
            for key, a in self.pipeline.analyse(items, batch_size):
                spans = tuple(replace(s, label="TWO WORDS") for s in a.spans)
                yield key, Analysis(a.tokens, a.sentence_starts, spans, (), a.pos)

    output = tmp_path / "annotated.jsonl"
    report = run_annotation(BadLabel(), plan_annotation(inputs), output)
    assert (report.written, len(report.problems)) == (0, 8)  # every document has entities
    assert "has the label 'TWO WORDS'" in str(report.problems[0])
    assert str(report.problems[0]).startswith(str(inputs[0] / "a0.txt"))


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A blank:en pipeline with an entity ruler, saved: what --model takes."""
    path = tmp_path / "model"
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS)
    nlp.to_disk(path)
    return path


def test_annotate_command_then_import(tmp_path, inputs, model, capsys):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    args = ["annotate", *map(str, inputs), "--model", str(model)]
    assert main([*args, "--output", str(one)]) == 0
    out = capsys.readouterr().out
    assert f"Annotated 8 documents with en_pipeline-0.0.0 into {one}" in out
    assert main([*args, "--output", str(two), "--jobs", "2"]) == 0
    assert two.read_bytes() == one.read_bytes()  # the same in two processes
    via, direct = tmp_path / "via.db", tmp_path / "direct.db"
    # the output brings its analysis: no pipeline is loaded (this one does not exist)
    assert main(["import", str(one), "--db", str(via), "--model", "no_such_model"]) == 0
    assert "Pipeline: none run" in capsys.readouterr().err
    assert main(["import", *map(str, inputs), "--db", str(direct), "--model", str(model)]) == 0
    with Store.open(via) as a, Store.open(direct) as b:
        assert len(a.document_ids()) == 8
        assert stored(a) == stored(b)


def test_annotated_inputs_are_refused_by_line(tmp_path, inputs, model, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps({"text": "Plain.", "spans": []})
        + "\n"
        + json.dumps({"text": "Armenia.", "spans": [{"start": 0, "end": 7, "label": "GPE"}]})
        + "\n",
        encoding="utf-8",
    )
    output = tmp_path / "annotated.jsonl"
    args = ["annotate", *map(str, inputs), str(gold), "--model", str(model), "-o", str(output)]
    assert main(args) == 1  # the others are annotated
    err = capsys.readouterr().err
    assert f"problem: {gold}:2: already annotated (1 spans, 0 relations)" in err
    assert len(output.read_text(encoding="utf-8").splitlines()) == 8
    output.unlink()
    assert main([*args, "--strict"]) == 2
    assert "Annotation aborted, nothing was written: 1 problem" in capsys.readouterr().err
    assert not output.exists()


def test_bad_arguments_are_named_and_nothing_is_written(tmp_path, inputs, model, capsys):
    output = tmp_path / "annotated.jsonl"
    base = ["annotate", "--model", str(model)]
    assert main([*base, str(tmp_path / "missing.txt"), str(inputs[1]), "-o", str(output)]) == 1
    assert f"problem: {tmp_path / 'missing.txt'}: no such file or folder" in (
        capsys.readouterr().err
    )
    assert main([*base, str(tmp_path / "missing.txt"), "-o", str(tmp_path / "x.jsonl")]) == 2
    assert "No documents to annotate; nothing was written." in capsys.readouterr().err
    assert main([*base, str(inputs[1]), "-o", str(tmp_path)]) == 2
    assert "is a folder; give the JSONL file to write" in capsys.readouterr().err
    assert main([*base, str(inputs[1]), "-o", str(inputs[1])]) == 2
    assert "is one of the inputs" in capsys.readouterr().err
    assert main(["annotate", str(inputs[1]), "-o", str(output), "--model", "no_such_model"]) == 2
    assert "Cannot load the spaCy pipeline 'no_such_model'" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
