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
from annotator.formats.records import Record
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
        (["--rehearse", "-1"], "--rehearse must be 0 (no rehearsal) or more"),
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


# ---- rehearsal: the base's predictions on documents not reviewed ---------------------

SMALL_BASE = "en_small-1.0.0"  # what small_base's pipeline stores as its name
OTHER_PIPELINE = "en_other-2.0.0"


def small_base(folder: Path) -> Path:
    """A pipeline with a small NER (PERSON, GPE; untrained weights: what it predicts
    does not matter, only that it is its own)."""
    import spacy

    base = spacy.blank("en")
    ner = base.add_pipe("ner")
    for label in ("PERSON", "GPE"):
        ner.add_label(label)
    base.initialize()
    base.meta.update(name="small", version="1.0.0")
    base.to_disk(folder)
    return folder


def add_todo(
    db: Path,
    text: str,
    entities: dict[str, str],
    pipeline: str = SMALL_BASE,
    status: Status = Status.TODO,
    sentence_starts: tuple[int, ...] = (0,),
    **meta: object,
) -> int:
    doc = whitespace_document(text, entities)
    doc = dataclasses.replace(
        doc, meta={"pipeline": pipeline, **meta}, sentence_starts=sentence_starts
    )
    with Store.open(db, actor="tester") as store:
        (doc_id,) = store.add_documents([doc])
        assert doc_id is not None
        if status is not Status.TODO:
            store.set_status(doc_id, store.document_version(doc_id), status)
    return doc_id


@pytest.fixture
def rehearsal_db(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """Ten accepted documents, and documents not reviewed of every kind."""
    db = tmp_path / "reviews.db"
    make_store(db)
    reviewed = sentence(3)
    ids = {
        "base": add_todo(db, "Zed met Quux in Oslo on Friday .", {"Zed": "PERSON"}),
        "other": add_todo(
            db, "Yara drove to Lima with Acme staff .", {"Acme": "ORG"}, OTHER_PIPELINE
        ),
        "elsewhere": add_todo(
            db,
            "Xena sailed past Tunis at dawn .",
            {"Xena": "PERSON"},
            pipeline_source="/another/small",
        ),
        "overlap": add_todo(
            db,
            f"Wim called . {reviewed}",
            {"Wim": "PERSON"},
            sentence_starts=(0, 3),
        ),
        "touched": add_todo(db, "Vera waited in Kyiv for Uma .", {"Vera": "PERSON"}),
        "rejected": add_todo(db, "Tom ran to Baku .", {"Tom": "PERSON"}, status=Status.REJECTED),
        "skipped": add_todo(db, "Sam hid in Riga .", {"Sam": "PERSON"}, status=Status.SKIPPED),
    }
    with Store.open(db, actor="tester") as store:  # a reviewer begins on "touched"
        doc_id = ids["touched"]
        span = store.load_document(doc_id).gold.spans[0]
        store.delete_span(doc_id, store.document_version(doc_id), span.id)
    return db, ids


def test_silver_documents_are_those_not_reviewed_that_share_no_sentence_with_the_reviews(
    rehearsal_db: tuple[Path, dict[str, int]],
) -> None:
    from annotator.train_runner import silver_documents

    db, ids = rehearsal_db
    with Store.open_to_read(db) as store:
        reviewed = store.document_ids(Status.ACCEPTED)
        offered = list(silver_documents(store, reviewed, seed=0))
        again = [s.doc_id for s in silver_documents(store, reviewed, seed=0)]
        model_layers = {i: store.load_document(i).model.spans for i in ids.values()}
    assert sorted(s.doc_id for s in offered) == sorted(
        [ids["base"], ids["other"], ids["elsewhere"]]
    )
    assert again == [s.doc_id for s in offered]  # the seed fixes the order
    by_id = {s.doc_id: s for s in offered}
    assert (by_id[ids["base"]].pipeline, by_id[ids["base"]].source) == (SMALL_BASE, None)
    assert by_id[ids["other"]].pipeline == OTHER_PIPELINE
    assert by_id[ids["elsewhere"]].source == "/another/small"
    for silver in offered:  # each offered with its stored model layer
        stored = {(s.start, s.end, s.label) for s in model_layers[silver.doc_id]}
        assert {(s.start, s.end, s.label) for s in silver.record.spans} == stored


@pytest.mark.slow
def test_rehearsal_keeps_the_base_s_stored_predictions_and_predicts_the_others_anew(
    rehearsal_db: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    """A model layer the base made is used as it is; one another pipeline made
    (or a model of the same name from another folder) is replaced by what the
    base predicts on the stored tokens."""
    from annotator.formats.records import record_from_document
    from annotator.nlp.pretokenized import analyse_tokens
    from annotator.nlp.rehearsal import SilverDocument, rehearse
    from annotator.nlp.training_setup import load_base
    from annotator.train_runner import silver_documents

    db, ids = rehearsal_db
    base = load_base(str(small_base(tmp_path / "base")))
    with Store.open_to_read(db) as store:
        reviewed = store.document_ids(Status.ACCEPTED)
        gold = [record_from_document(store.load_document(i), Layer.GOLD, {}) for i in reviewed]
        done = rehearse(base, silver_documents(store, reviewed, 0), 1.0, gold)
        texts = {i: store.load_document(i) for i in ids.values()}
    assert done.wanted == 10 and (done.from_model_layer, done.predicted) == (1, 2)
    assert done.doc_ids == sorted([ids["base"], ids["other"], ids["elsewhere"]])
    records = dict(zip(done.doc_ids, done.records, strict=True))
    assert [(s.start, s.end, s.label) for s in records[ids["base"]].spans] == [(0, 3, "PERSON")]
    for name in ("other", "elsewhere"):
        document = texts[ids[name]]
        ((_, analysis),) = analyse_tokens(base.nlp, [(0, document.text, document.tokens)])
        expected = [(s.start, s.end, s.label) for s in analysis.spans]
        assert [(s.start, s.end, s.label) for s in records[ids[name]].spans] == expected
    assert "ORG" not in done.labels  # the other pipeline's label is not the base's
    assert done.note.startswith("Rehearsal: 3 documents not yet reviewed can be rehearsed")

    with Store.open_to_read(db) as store:  # a quarter per training document: 2 of the 3
        few = rehearse(base, silver_documents(store, reviewed, 0), 0.25, gold[:8])
        none = rehearse(base, silver_documents(store, reviewed, 0), 0.0, gold[:8])
    assert few.wanted == 2 and len(few.records) == 2 and few.note == ""
    assert none.wanted == 0 and none.records == ()

    # a base saved without a name of its own is "en_pipeline-0.0.0", as any such
    # pipeline is: a model layer with that name is never taken for its predictions
    import spacy

    unnamed = spacy.blank("en")
    unnamed.add_pipe("ner").add_label("PERSON")
    unnamed.initialize()
    unnamed.to_disk(tmp_path / "unnamed")
    record = dataclasses.replace(
        _record("Zed flew to Oslo .", ("Oslo", "PERSON")), meta={"document_id": 1}
    )
    silver = SilverDocument(record, BLANK_PIPELINE, None)
    done = rehearse(load_base(str(tmp_path / "unnamed")), [silver], 1.0, gold)
    assert (done.from_model_layer, done.predicted) == (0, 1)


@pytest.mark.slow
def test_train_rehearses_silver_documents_and_records_them(
    rehearsal_db: tuple[Path, dict[str, int]], tmp_path: Path, capsys
) -> None:
    import spacy

    db, ids = rehearsal_db
    base = small_base(tmp_path / "base")
    out = tmp_path / "out"
    argv = ["train", "--db", str(db), "-o", str(out), "--base", str(base), "--max-steps", "4"]
    assert main([*argv, "--rehearse", "1"]) == 0
    captured = capsys.readouterr()
    assert "on 8 documents and rehearsing 3 not reviewed with the base's predictions" in (
        captured.err
    )
    assert "rehearsing 3 documents not reviewed" in captured.out
    info = json.loads((out / "meta.json").read_text())["annotator"]
    silver = sorted([ids["base"], ids["other"], ids["elsewhere"]])
    assert info["silver_documents"] == silver
    assert info["rehearsal"]["from_model_layer"] == 1
    assert info["rehearsal"]["predicted_by_base"] == 2
    assert not set(silver) & set(info["documents"])  # never scored on: dev is reviewed only
    assert info["dev_documents"] and set(info["dev_documents"]) <= set(info["documents"])
    assert set(spacy.load(out).get_pipe("ner").labels) == {"GPE", "PERSON"}

    off = tmp_path / "off"
    assert main([*argv[:4], str(off), *argv[5:], "--rehearse", "0"]) == 0
    assert "rehearsing" not in capsys.readouterr().err
    assert json.loads((off / "meta.json").read_text())["annotator"]["silver_documents"] == []
    with Store.open_to_read(db) as store:
        assert [e.model.silver_documents for e in list_models(store)] == [3, 0]
        assert [r[0] for r in store.conn.execute("SELECT silver_documents FROM models")] == [3, 0]


def test_rehearsal_is_off_unless_asked_for(trained_db: Path, tmp_path: Path) -> None:
    """The default (train_options.DEFAULT_REHEARSE): measured, rehearsal did not
    save fixes on benchmarks/learning_curve.py (README, "Rehearsal")."""
    from annotator.train_runner import plan_training

    with Store.open_to_read(trained_db) as store:
        plan = plan_training(store, [Status.ACCEPTED], tmp_path / "out", "blank:en")
        asked = plan_training(store, [Status.ACCEPTED], tmp_path / "out", None, rehearse=0.5)
    assert (plan.settings.rehearse, asked.settings.rehearse) == (0.0, 0.5)
    # the command's help says so (it does not import train_options, for start-up time)
    from annotator.cli.parser import build_parser
    from annotator.train_options import DEFAULT_REHEARSE

    train = build_parser()._subparsers._group_actions[0].choices["train"]  # type: ignore[union-attr]
    assert DEFAULT_REHEARSE == 0 and "0: off (default: off)" in " ".join(
        train.format_help().split()
    )


def test_a_database_from_m010_records_no_silver_documents_for_its_models(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    old = Database(db)
    from annotator.store.schema import migrations

    migrations.apply(old, stop_before="m011_model_silver")
    old.execute(
        "INSERT INTO models (path, name, base, created_at, actor, documents, "
        "train_documents, dev_documents, statuses, steps) "
        "VALUES ('/m', 'en_m-0.0.1', 'blank:en', '2026-01-01', 'x', 2, 1, 1, '[]', 3)"
    )
    old.conn.commit()
    old.close()
    with Store.open(db, actor="trainer") as store:
        (entry,) = list_models(store)
        assert entry.model.silver_documents == 0
        model = dataclasses.replace(entry.model, silver_documents=7)
        record_model(store, model)
    with Store.open_to_read(db) as store:
        assert [e.model.silver_documents for e in list_models(store)] == [0, 7]


def _record(text: str, *entities: tuple[str, str]) -> Record:
    """A whitespace-tokenized record whose spans are ``entities`` (surface, label),
    each at the next place its words stand, in order."""
    from annotator.formats.records import Record, RecordSpan

    spans, position = [], 0
    for surface, label in entities:
        start = f" {text} ".index(f" {surface} ", position)
        spans.append(RecordSpan(start, start + len(surface), label))
        position = start + len(surface)
    return Record(text, tuple(spans), tokens=whitespace_document(text).tokens)


def test_the_reviews_overrule_the_base_where_they_say_otherwise_about_the_same_words() -> None:
    """Left missing in a silver document: a label the reviews never gave those
    words (Armenia as ORG), words the reviews have but not as an entity of their
    own (Islamic, Monday), an entity of the reviews the base missed (Kyiv); kept:
    what the reviews agree with (Armenia as GPE) and names they lack (Zed)."""
    from annotator.nlp.silver_masks import overruled, token_spans, what_reviews_say, words_of

    reviewed = [
        _record("Armenia and Kyiv met on Monday .", ("Armenia", "GPE"), ("Kyiv", "GPE")),
        _record("the Islamic State lost ground .", ("the Islamic State", "ORG")),
    ]
    silver = _record(
        "Zed saw Armenia , Armenia , Kyiv and Islamic art on Monday .",
        ("Zed", "PERSON"),
        ("Armenia", "ORG"),
        ("Armenia", "GPE"),
        ("Islamic", "NORP"),
        ("Monday", "DATE"),
    )
    words = words_of(silver)
    predicted = token_spans(silver)
    asked = {tuple(words[a:b]) for a, b, _ in predicted}
    reviews = what_reviews_say(reviewed, asked)
    assert reviews.labels[("Armenia",)] == {"GPE"} and reviews.longest == 3
    assert reviews.plain == {("Islamic",), ("Monday",)}
    missing = overruled(words, predicted, reviews)
    assert [" ".join(words[a:b]) for a, b in missing] == ["Armenia", "Kyiv", "Islamic", "Monday"]
    kept = [p for p in predicted if not any(a < p[1] and p[0] < b for a, b in missing)]
    assert [(" ".join(words[a:b]), label) for a, b, label in kept] == [
        ("Zed", "PERSON"),
        ("Armenia", "GPE"),
    ]


@pytest.mark.slow
def test_silver_documents_are_written_with_the_overruled_words_missing(tmp_path: Path) -> None:
    """What spaCy reads: the base's entities kept, the overruled words neither
    an entity nor outside one (no loss there), every other word outside."""
    from spacy.tokens import DocBin
    from spacy.training import Example

    from annotator.nlp.rehearsal import SilverDocument, rehearse
    from annotator.nlp.training_setup import load_base

    base = load_base(str(small_base(tmp_path / "base")))
    silver = _record("Zed flew to Armenia today .", ("Zed", "PERSON"), ("Armenia", "PERSON"))
    silver = dataclasses.replace(silver, meta={"document_id": 7})
    reviewed = [_record("Armenia won .", ("Armenia", "GPE"))]
    done = rehearse(base, [SilverDocument(silver, SMALL_BASE, None)], 1.0, reviewed)
    assert done.doc_ids == [7] and done.overruled == 1 and done.missing == (((3, 4),),)
    done.to_disk(tmp_path / "silver.spacy", "en")
    (doc,) = DocBin().from_disk(tmp_path / "silver.spacy").get_docs(base.nlp.vocab)
    example = Example(base.nlp.make_doc(doc.text), doc)
    assert example.get_aligned_ner() == ["U-PERSON", "O", "O", None, "O", "O"]
