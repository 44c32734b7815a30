"""`annotator train`: fine-tuning a pipeline's NER on the reviewed documents.

Every pipeline here starts from spacy.blank("en") (no downloaded model); the
training runs are short (a few dozen steps on ten short documents)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import whitespace_document
from sqlite_utils import Database

from annotator.cli import main
from annotator.model import Layer, Status
from annotator.store import NeedsUpgradeError, Store
from annotator.store.models import NewModel, list_models, pipelines_of, record_model

PEOPLE = ["Alice", "Bob", "Carol", "Dave"]
PLACES = ["Paris", "Berlin", "Rome", "Madrid"]
ENTITIES = {**dict.fromkeys(PEOPLE, "PERSON"), **dict.fromkeys(PLACES, "GPE")}
BLANK_PIPELINE = "en_pipeline-0.0.0"  # what a spacy.blank("en") import stores


def sentence(i: int) -> str:
    return (
        f"{PEOPLE[i % 4]} flew to {PLACES[(i * 3) % 4]} on day {i} and "
        f"{PEOPLE[(i + 1) % 4]} stayed in {PLACES[(i + 1) % 4]} ."
    )


def make_store(db: Path, count: int = 10, status: Status = Status.ACCEPTED) -> list[int]:
    """``count`` short reviewed documents with the same names over and over, as a
    blank English pipeline would have imported them."""
    docs = [
        dataclasses.replace(
            whitespace_document(sentence(i), ENTITIES), meta={"pipeline": BLANK_PIPELINE}
        )
        for i in range(count)
    ]
    with Store.open(db, actor="tester") as store:
        ids = [i for i in store.add_documents(docs) if i is not None]
        for doc_id in ids:
            store.set_status(doc_id, store.document_version(doc_id), status)
    return ids


def leftovers(folder: Path) -> list[str]:
    """Hidden temporary folders a training run left beside its output."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def trained_db(tmp_path: Path) -> Path:
    db = tmp_path / "reviews.db"
    make_store(db)
    return db


# ---- the whole way: train, load, import with it ----------------------------------


@pytest.mark.slow
def test_train_from_blank_makes_a_pipeline_that_import_uses(
    trained_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import spacy

    out = tmp_path / "models" / "news"
    argv = ["train", "--db", str(trained_db), "--output", str(out), "--base", "blank:en"]
    assert main([*argv, "--max-steps", "30"]) == 0
    captured = capsys.readouterr()
    assert "a new one learns GPE, PERSON" in captured.err
    assert captured.err.count("step ") == 6  # scored at steps 0, 6, ..., 30
    assert f"Saved to {out}, recorded as model 1." in captured.out

    nlp = spacy.load(out)
    assert nlp.pipe_names == ["ner"]
    assert set(nlp.get_pipe("ner").labels) == {"GPE", "PERSON"}
    meta = json.loads((out / "meta.json").read_text())
    info = meta["annotator"]
    assert info["database"] == str(trained_db.resolve())
    assert info["documents"] == list(range(1, 11))
    assert len(info["train_documents"]) == 8 and len(info["dev_documents"]) == 2
    assert sorted(info["train_documents"] + info["dev_documents"]) == info["documents"]
    assert info["base"] == "blank:en" and info["statuses"] == ["accepted"]
    assert info["scores"]["ents_f"] > 0.5
    assert meta["performance"]["ents_f"] == info["scores"]["ents_f"]
    assert "tmp" not in (out / "config.cfg").read_text().split("[paths]")[1].split("[")[0]
    assert leftovers(out.parent) == []

    with Store.open_to_read(trained_db) as store:
        (entry,) = list_models(store)
    assert entry.model.path == str(out)
    assert entry.model.name == f"en_news-{meta['version']}"
    assert entry.model.base == "blank:en"
    assert (entry.model.documents, entry.model.train_documents) == (10, 8)
    assert entry.model.labels == ("GPE", "PERSON")
    assert entry.model.scores["ents_f"] == info["scores"]["ents_f"]
    assert not entry.model.interrupted and entry.model.steps == 31

    assert main(["stats", "--db", str(trained_db)]) == 0
    stats = capsys.readouterr().out
    assert "Models: 1" in stats and f"{out}" in stats and "from blank:en, 10 documents" in stats

    new = tmp_path / "new.txt"
    new.write_text("Dave met Alice in Berlin on day 3 .", encoding="utf-8")
    assert main(["import", "--db", str(trained_db), "--model", str(out), str(new)]) == 0
    with Store.open(trained_db) as store:
        doc = store.load_document(max(store.document_ids()))
    found = {(doc.text[s.start : s.end], s.label) for s in doc.model.spans}
    assert {("Alice", "PERSON"), ("Berlin", "GPE")} <= found
    assert doc.meta["pipeline"] == entry.model.name


@pytest.mark.slow
def test_a_base_whose_ner_lacks_labels_learns_them_and_keeps_its_other_components(
    trained_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A base with a tagger and an NER that knows PERSON only: GPE is added, and so
    is EVENT, which only a dev document has; the tagger is sourced and frozen (its
    weights do not change)."""
    import spacy

    from annotator.nlp.training_setup import split_ids

    with Store.open(trained_db) as store:
        dev_doc = split_ids(store.document_ids(), 0.2, 0)[1][0]
        span = store.load_document(dev_doc).gold.spans[0]
        store.relabel_span(dev_doc, store.document_version(dev_doc), span.id, "EVENT")
    base = spacy.blank("en")
    base.add_pipe("tagger").add_label("PROPN")
    base.add_pipe("ner").add_label("PERSON")
    base.initialize()
    base.to_disk(tmp_path / "base")
    out = tmp_path / "out"
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--base", str(tmp_path / "base")]
    assert main([*argv, "--max-steps", "10"]) == 0
    err = capsys.readouterr().err
    assert "does not know EVENT, GPE: added" in err and "frozen: tagger" in err

    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tagger", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"EVENT", "GPE", "PERSON"}
    assert (
        nlp.get_pipe("tagger").model.to_bytes()
        == spacy.load(tmp_path / "base").get_pipe("tagger").model.to_bytes()
    )
    meta = json.loads((out / "meta.json").read_text())["annotator"]
    assert (meta["frozen"], meta["new_labels"]) == (["tagger"], ["EVENT", "GPE"])


@pytest.mark.slow
def test_an_ner_listening_to_a_tok2vec_trains_over_the_frozen_tok2vec(tmp_path: Path) -> None:
    """spaCy's way: the shared tok2vec is frozen and annotating, so the components
    listening to it keep their input; the NER's own layers learn."""
    import spacy
    from spacy.training import Example

    from annotator.formats.records import record_from_document
    from annotator.nlp.training import train_ner
    from annotator.nlp.training_setup import TrainSettings

    base = spacy.blank("en")
    base.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    base.add_pipe("ner", config={"model": {"tok2vec": listener}})
    doc = base.make_doc("Alice went to Paris")
    base.initialize(lambda: [Example.from_dict(doc, {"entities": [(0, 5, "PERSON")]})])
    assert base.get_pipe("tok2vec").listening_components == ["ner"]
    base.to_disk(tmp_path / "base")

    db = tmp_path / "reviews.db"
    ids = make_store(db)
    with Store.open(db) as store:
        result = train_ner(
            lambda i: record_from_document(store.load_document(i), Layer.GOLD, {}),
            ids,
            TrainSettings(output=tmp_path / "out", base=str(tmp_path / "base"), max_steps=6),
        )
    assert result.frozen == ("tok2vec",) and result.new_labels == ("GPE",)
    config = (tmp_path / "out" / "config.cfg").read_text()
    assert 'annotating_components = ["tok2vec"]' in config
    trained = spacy.load(tmp_path / "out")
    assert (
        trained.get_pipe("tok2vec").model.to_bytes()
        == spacy.load(tmp_path / "base").get_pipe("tok2vec").model.to_bytes()
    )


# ---- Ctrl+C ---------------------------------------------------------------------


def _interrupt_at_update(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """spaCy's training step (Language.update) raises KeyboardInterrupt at its
    ``call``-th call, as a Ctrl+C in the middle of training would."""
    from spacy.language import Language

    update = Language.update
    calls = 0

    def interrupted_update(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == call:
            raise KeyboardInterrupt
        return update(self, *args, **kwargs)

    monkeypatch.setattr(Language, "update", interrupted_update)


@pytest.mark.slow
def test_ctrl_c_publishes_the_best_model_so_far(
    trained_db: Path, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The documents name the blank pipeline that imported them: it is the base."""
    import spacy

    _interrupt_at_update(monkeypatch, 3)  # steps 0 and 1 done, step 0 scored
    out = tmp_path / "out"
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--max-steps", "30"]
    assert main(argv) == 130
    captured = capsys.readouterr()
    assert "Training ner from blank:en" in captured.err
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("annotator: interrupted after 2 steps; the best model so far (step 0")
    assert f"is in {out}, recorded as model 1." in last
    assert captured.out == ""
    assert set(spacy.load(out).get_pipe("ner").labels) == {"GPE", "PERSON"}
    meta = json.loads((out / "meta.json").read_text())["annotator"]
    assert meta["interrupted"] is True and meta["best_step"] == 0 and meta["steps"] == 2
    assert leftovers(tmp_path) == []
    with Store.open_to_read(trained_db) as store:
        (entry,) = list_models(store)
    assert entry.model.interrupted and entry.model.steps == 2


@pytest.mark.slow
def test_ctrl_c_before_the_first_evaluation_leaves_nothing(
    trained_db: Path, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _interrupt_at_update(monkeypatch, 1)
    out = tmp_path / "out"
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--base", "blank:en"]
    assert main(argv) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == (
        "annotator: interrupted after 0 steps, before a model was scored; nothing was written."
    )
    assert not out.exists() and leftovers(tmp_path) == []
    with Store.open_to_read(trained_db) as store:
        assert list_models(store) == []


@pytest.mark.slow
def test_a_real_sigint_stops_training_and_keeps_the_best_model(
    trained_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--max-steps", "100000"]
    child = subprocess.Popen(
        [sys.executable, "-m", "annotator", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stderr is not None
    lines = []
    for line in child.stderr:  # wait for the first scores: model-best exists then
        lines.append(line)
        if line.startswith("step ") and "best so far" in line:
            break
    child.send_signal(signal.SIGINT)
    _, rest = child.communicate(timeout=60)
    assert child.returncode == 130, "".join(lines) + rest
    last = rest.strip().splitlines()[-1]
    assert last.startswith("annotator: interrupted after") and f"is in {out}" in last
    assert (out / "meta.json").is_file() and leftovers(tmp_path) == []


# ---- refusals ---------------------------------------------------------------------


def test_too_few_documents_are_refused(tmp_path: Path, capsys) -> None:
    db = tmp_path / "reviews.db"
    make_store(db, count=1)
    out = tmp_path / "out"
    assert main(["train", "--db", str(db), "-o", str(out), "--base", "blank:en"]) == 2
    assert capsys.readouterr().err.strip() == (
        "annotator: error: Training needs at least 2 accepted documents (one to learn from, "
        f"one to score the model on); {db} has 1."
    )
    assert not out.exists()


def test_documents_without_entities_are_refused(tmp_path: Path, capsys) -> None:
    db = tmp_path / "reviews.db"
    with Store.open(db) as store:
        for doc_id in store.add_documents(
            [whitespace_document("Nothing to see here ."), whitespace_document("Nor here .")]
        ):
            assert doc_id is not None
            store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    out = tmp_path / "out"
    assert main(["train", "--db", str(db), "-o", str(out), "--base", "blank:en"]) == 2
    assert "have no entities to learn from" in capsys.readouterr().err
    assert not out.exists() and leftovers(tmp_path) == []


def test_an_existing_folder_is_refused_unless_it_is_a_pipeline_and_overwrite_is_given(
    trained_db: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--base", "blank:en"]
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == (
        f"annotator: error: {out} exists and is not empty; choose a new folder."
    )
    assert main([*argv, "--overwrite"]) == 2
    assert "--overwrite replaces only a pipeline" in capsys.readouterr().err
    (out / "config.cfg").write_text("", encoding="utf-8")
    (out / "meta.json").write_text("{}", encoding="utf-8")
    assert main(argv) == 2
    assert "or pass --overwrite to replace the pipeline in it" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["config.cfg", "meta.json", "notes.txt"]
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_overwrite_replaces_a_pipeline_folder(trained_db: Path, tmp_path: Path) -> None:
    import spacy

    out = tmp_path / "out"
    spacy.blank("en").to_disk(out)
    argv = ["train", "--db", str(trained_db), "-o", str(out), "--base", "blank:en"]
    assert main([*argv, "--max-steps", "2", "--overwrite"]) == 0
    assert spacy.load(out).pipe_names == ["ner"]
    assert leftovers(tmp_path) == []


def test_an_unwritable_output_is_refused(trained_db: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    out = blocker / "out"
    assert main(["train", "--db", str(trained_db), "-o", str(out), "--base", "blank:en"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"annotator: error: Cannot write the trained pipeline to {out}: {blocker} is a file."
    )
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--dev", "1"], "--dev must be between 0 and 1"),
        (["--max-steps", "0"], "--max-steps must be at least 1"),
        (["--status", "finished"], "is not a list of statuses"),
        (["--base", str(Path("no") / "such" / "pipeline")], "Cannot load the base pipeline"),
    ],
)
def test_bad_options_are_refused(trained_db: Path, tmp_path: Path, capsys, option, message):
    out = tmp_path / "out"
    base = [] if "--base" in option else ["--base", "blank:en"]
    assert main(["train", "--db", str(trained_db), "-o", str(out), *base, *option]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists() and leftovers(tmp_path) == []


# ---- which documents, which base ----------------------------------------------------


def test_the_dev_documents_are_those_of_an_export_split_with_the_same_seed():
    from annotator.formats.writing import WriteSettings, train_ids
    from annotator.nlp.training_setup import split_ids

    ids = list(range(3, 40, 3))
    for seed in (0, 1, 7):
        train, dev = split_ids(ids, 0.25, seed)
        settings = WriteSettings(target=Path("x"), document_ids=tuple(ids), split=0.75, seed=seed)
        assert set(train) == train_ids(settings) and sorted(train + dev) == ids
    # where an export would refuse (an empty dev set), one document is still held out
    assert [len(part) for part in split_ids([1, 2], 0.2, 0)] == [1, 1]
    assert [len(part) for part in split_ids([1, 2, 3], 0.9, 0)] == [1, 2]


def test_the_default_base_is_the_pipeline_that_pre_annotated_most_documents(tmp_path: Path):
    from annotator.nlp.training_setup import default_base

    assert default_base({BLANK_PIPELINE: 3}, {}) == ("blank:en", "")
    assert default_base({"": 4}, {}) == (None, "")
    trained = tmp_path / "trained"
    trained.mkdir()
    base, note = default_base(
        {"en_news-0.0.1": 5, BLANK_PIPELINE: 2, "": 9}, {"en_news-0.0.1": str(trained)}
    )
    assert base == str(trained)
    assert note == (
        "The documents were pre-annotated by several pipelines (en_news-0.0.1: 5, "
        f"{BLANK_PIPELINE}: 2); training from the most common, en_news-0.0.1 (--base "
        "chooses another)."
    )
    base, note = default_base({"xx_gone_model-1.0.0": 1}, {})
    assert base is None
    assert note == (
        "xx_gone_model-1.0.0, which pre-annotated the documents, is not installed here: "
        "training from the default pipeline."
    )


def test_the_store_counts_documents_per_pipeline(tmp_path: Path) -> None:
    db = tmp_path / "reviews.db"
    make_store(db, count=3)
    with Store.open(db) as store:
        store.add_documents([whitespace_document("Unreviewed and unnamed .")])
        assert pipelines_of(store, [Status.ACCEPTED]) == {BLANK_PIPELINE: 3}
        assert pipelines_of(store, list(Status)) == {BLANK_PIPELINE: 3, "": 1}


# ---- the models table --------------------------------------------------------------


def test_a_database_from_m005_gets_the_models_table(tmp_path: Path) -> None:
    from annotator.store.schema import known_migration_names, migrations
    from annotator.store.versions import MIGRATION_NAMES

    assert "m006_models" in MIGRATION_NAMES and "m006_models" in known_migration_names()
    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m006_models")
    old.close()
    with pytest.raises(NeedsUpgradeError, match="m006_models"):
        Store.open(db, read_only=True)
    with Store.open(db, actor="trainer") as store:
        assert "models" in store.db.table_names()
        assert list_models(store) == []
        model = NewModel(
            path="/models/news",
            name="en_news-0.0.1",
            base="blank:en",
            documents=10,
            train_documents=8,
            dev_documents=2,
            statuses=("accepted",),
            steps=31,
            labels=("GPE", "PERSON"),
            scores={"ents_f": 0.9},
        )
        model_id = record_model(store, model)
    with Store.open_to_read(db) as store:
        (entry,) = list_models(store)
    assert (entry.id, entry.actor, entry.model) == (model_id, "trainer", model)
