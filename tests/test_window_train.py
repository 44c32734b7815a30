"""Document > Train on my reviews… (Ctrl+Shift+T): training in the background from
the real window, Cancel, errors, and the re-annotation it offers.

The base is spacy.blank("en") with an NER that knows PERSON only, saved to disk;
the documents are short and repeat the same names, as in test_train.py; a few
dozen training steps at most."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from helpers import show_window, whitespace_document
from PySide6.QtCore import Qt

from annotator.model import Status
from annotator.store import Store
from annotator.store.models import list_models
from annotator.train_runner import training_for

PEOPLE = ["Alice", "Bob", "Carol", "Dave"]
PLACES = ["Paris", "Berlin", "Rome", "Madrid"]
ENTITIES = {**dict.fromkeys(PEOPLE, "PERSON"), **dict.fromkeys(PLACES, "GPE")}
TODO_TEXTS = [
    "On day one Alice flew to Paris .",
    "Bob stayed in Rome for a day .",
    "Carol met Dave in Berlin one day .",
]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def sentence(i: int) -> str:
    return (
        f"{PEOPLE[i % 4]} flew to {PLACES[(i * 3) % 4]} on day {i} and "
        f"{PEOPLE[(i + 1) % 4]} stayed in {PLACES[(i + 1) % 4]} ."
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("PERSON")
    nlp.initialize()
    folder = tmp_path_factory.mktemp("pipelines") / "base"
    nlp.to_disk(folder)
    return folder


def reviewed_store(db: Path, accepted: int = 8) -> tuple[list[int], list[int]]:
    """``accepted`` reviewed documents, then documents still to review whose
    model (and untouched gold) layer marks "day" as a DATE, a label the trained
    model cannot predict. Returns (accepted ids, todo ids)."""
    meta = {"pipeline": "en_pipeline-0.0.0"}
    reviewed = [
        dataclasses.replace(whitespace_document(sentence(i), ENTITIES), meta=meta)
        for i in range(accepted)
    ]
    todo = [
        dataclasses.replace(whitespace_document(t, {"day": "DATE"}), meta=meta) for t in TODO_TEXTS
    ]
    with Store.open(db, actor="tester") as store:
        accepted_ids = [i for i in store.add_documents(reviewed) if i is not None]
        for doc_id in accepted_ids:
            store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
        todo_ids = [i for i in store.add_documents(todo) if i is not None]
    return accepted_ids, todo_ids


def open_training_window(qtbot, db: Path):
    from annotator.ui.app import application, create_window

    application()
    store = Store.open(db, actor="tester")
    win = create_window(store, training=training_for(db))
    qtbot.addWidget(win)
    return show_window(qtbot, win)


def ask_to_train(qtbot, win, base: Path | None, max_steps: int | None, rehearse: str | None = None):
    """Ctrl+Shift+T in the article, then the dialog filled from the keyboard."""
    from annotator.ui.training_jobs import TrainingFlow

    qtbot.keyClick(win.view, Qt.Key.Key_T, CTRL_SHIFT)
    flow = win.findChild(TrainingFlow)
    assert flow is not None
    dialog = flow.dialog
    qtbot.waitUntil(lambda: dialog.isActiveWindow() and dialog.output.hasFocus())
    if base is not None:
        qtbot.keyClick(dialog.output, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
        assert dialog.base.hasFocus()
        qtbot.keyClicks(dialog.base, str(base))
    if max_steps is not None:
        dialog.max_steps.setFocus()
        dialog.max_steps.lineEdit().selectAll()
        qtbot.keyClicks(dialog.max_steps, str(max_steps))
    if rehearse is not None:
        qtbot.keyClick(dialog.output, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
        assert dialog.rehearse.hasFocus()
        dialog.rehearse.lineEdit().selectAll()
        qtbot.keyClicks(dialog.rehearse, rehearse)
    return flow, dialog


def spans_of(doc) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in doc.gold.spans]


def test_train_from_the_window_then_reannotate_what_is_left(qtbot, tmp_path: Path, base: Path):
    from annotator.ui.help_dialog import keymap_html

    db = tmp_path / "reviews.db"
    accepted, todo = reviewed_store(db)
    win = open_training_window(qtbot, db)
    current = win.session.doc_id
    assert current == todo[0]  # the first document still to review
    assert [s.label for s in win.view.spans] == ["DATE"]
    with Store.open_to_read(db) as store:
        reviewed_before = {i: store.load_document(i) for i in accepted}
    assert "Train on my reviews…" in keymap_html(win.keymap)  # in the F1 help

    flow, dialog = ask_to_train(qtbot, win, base, 12, rehearse="1")
    assert dialog.request(None).rehearse == 1.0
    output = Path(dialog.output.text())
    assert output.parent == tmp_path and output.name.startswith("reviews-model-")
    assert "en_pipeline-0.0.0" in dialog.base.placeholderText()
    steps: list[tuple[int, int]] = []
    scores = []
    flow.reports.scored.connect(scores.append)
    with qtbot.waitSignal(flow.trained, timeout=60_000) as trained:
        qtbot.keyClick(dialog.max_steps, Qt.Key.Key_Return)  # the Train button
        assert flow.trainer is not None and flow.progress is not None
        assert flow.progress.isVisible() and not flow.progress.isModal()
        flow.trainer.progressed.connect(lambda done, total: steps.append((done, total)))
    outcome = trained.args[0]

    assert steps and steps[-1][1] == 12 and steps[-1][0] >= 12
    assert scores and scores[0].step == 0 and any(s.best for s in scores)
    assert outcome.path == output and (output / "meta.json").is_file()
    assert not outcome.interrupted and outcome.to_reannotate == len(todo)
    with Store.open_to_read(db) as store:
        (entry,) = list_models(store)
    assert entry.id == outcome.model_id and entry.model.path == str(output)
    assert entry.model.base == str(base.resolve()) and entry.model.documents == len(accepted)
    assert entry.actor == "tester" and not entry.model.interrupted
    # rehearsed: the three documents to do, with the base's predictions (its name is
    # spaCy's default, so their stored DATE layer is not taken for the base's)
    assert entry.model.silver_documents == 3 == outcome.silver_documents

    box = flow.message
    assert box is not None and box.isVisible()
    assert str(output) in box.text() and "F " in box.text()
    assert "rehearsing 3 not yet reviewed" in box.text()
    offer = box.defaultButton()
    assert offer.text() == "&Re-annotate 3 documents not yet reviewed with this model"
    with qtbot.waitSignal(flow.reannotated, timeout=60_000) as done:
        qtbot.keyClick(box, Qt.Key.Key_Return)  # the default button
    assert done.args[0].startswith("Re-annotated 3 documents (3 gold layers replaced")

    with Store.open_to_read(db) as store:
        for doc_id in todo:  # the model layer is the new model's; gold followed (untouched)
            doc = store.load_document(doc_id)
            assert doc.meta["pipeline"] == entry.model.name
            assert doc.meta["pipeline_source"] == str(output.resolve())
            assert "DATE" not in {s.label for s in doc.model.spans}
            assert spans_of(doc) == [(s.start, s.end, s.label) for s in doc.model.spans]
            actions = [
                r[0]
                for r in store.conn.execute(
                    "SELECT action FROM audit WHERE doc_id = ? ORDER BY id", [doc_id]
                )
            ]
            assert actions[-1] == "reannotate"
        for doc_id, before in reviewed_before.items():  # reviewed: not touched at all
            after = store.load_document(doc_id)
            assert (after.version, spans_of(after)) == (before.version, spans_of(before))
            assert after.model.spans == before.model.spans and after.meta == before.meta
        now = store.load_document(current)
    # the open document shows what the database holds now
    assert win.session.doc_id == current
    assert [(s.start, s.end, s.label) for s in win.view.spans] == spans_of(now)
    assert "DATE" not in {s.label for s in win.view.spans}
    assert win.documents.total() == len(accepted) + len(todo)


def test_cancel_keeps_the_best_model_so_far_and_reannotates_nothing(
    qtbot, tmp_path: Path, base: Path
):
    db = tmp_path / "reviews.db"
    _, todo = reviewed_store(db)
    win = open_training_window(qtbot, db)
    flow, dialog = ask_to_train(qtbot, win, base, 100_000)
    output = Path(dialog.output.text())
    qtbot.keyClick(dialog.max_steps, Qt.Key.Key_Return)
    progress = flow.progress
    assert progress is not None and progress.isVisible()
    qtbot.waitUntil(win.view.hasFocus)  # the review goes on meanwhile
    qtbot.waitUntil(lambda: progress.best is not None, timeout=60_000)  # scored once
    assert "Best so far: F" in progress.scores.text()
    assert "Cancel stops and keeps the best model so far" in progress.heading.text()
    with qtbot.waitSignal(flow.trained, timeout=60_000) as trained:
        qtbot.keyClick(win.view, Qt.Key.Key_T, CTRL_SHIFT)  # again: to the progress
        qtbot.waitUntil(progress.isActiveWindow)
        qtbot.keyClick(progress, Qt.Key.Key_Escape)  # Cancel
        assert "Stopping" in progress.scores.text()
    outcome = trained.args[0]

    assert outcome.interrupted and outcome.path == output and outcome.steps < 1000
    import spacy

    assert "ner" in spacy.load(output).pipe_names  # a whole pipeline, nothing half-written
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with Store.open_to_read(db) as store:
        (entry,) = list_models(store)
        assert entry.model.interrupted and entry.model.path == str(output)
    box = flow.message
    assert box is not None and box.text().startswith("Training stopped at step")
    assert f"Saved to {output}, recorded as model {entry.id}." in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # not now
    qtbot.waitUntil(lambda: not box.isVisible())
    assert flow.reannotator is None
    with Store.open_to_read(db) as store:
        assert all([s.label for s in store.load_document(i).model.spans] == ["DATE"] for i in todo)


def test_closing_the_window_stops_the_training_and_keeps_its_best_model(
    qtbot, tmp_path: Path, base: Path
):
    db = tmp_path / "reviews.db"
    reviewed_store(db)
    win = open_training_window(qtbot, db)
    flow, dialog = ask_to_train(qtbot, win, base, 100_000)
    output = Path(dialog.output.text())
    qtbot.keyClick(dialog.max_steps, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: flow.progress is not None and flow.progress.best, timeout=60_000)
    win.close()  # returns once the training has stopped
    assert (output / "meta.json").is_file()
    with Store.open_to_read(db) as store:
        (entry,) = list_models(store)
    assert entry.model.interrupted


@pytest.mark.parametrize("problem", ["too few documents", "unwritable folder"])
def test_a_training_that_cannot_run_says_why(qtbot, tmp_path: Path, base: Path, problem):
    db = tmp_path / "reviews.db"
    reviewed_store(db, accepted=1 if problem == "too few documents" else 4)
    win = open_training_window(qtbot, db)
    flow, dialog = ask_to_train(qtbot, win, base, 5)
    if problem == "unwritable folder":
        blocker = tmp_path / "file.txt"
        blocker.write_text("a file, not a folder", encoding="utf-8")
        dialog.output.setText(str(blocker / "model"))
    with qtbot.waitSignal(flow.failed, timeout=60_000) as failed:
        qtbot.keyClick(dialog.max_steps, Qt.Key.Key_Return)
    expected = {
        "too few documents": (
            "Training needs at least 2 accepted documents (one to learn from, one to score "
            f"the model on); {db} has 1."
        ),
        "unwritable folder": (
            f"Cannot write the trained pipeline to {tmp_path / 'file.txt' / 'model'}: "
            f"{tmp_path / 'file.txt'} is a file."
        ),
    }[problem]
    assert failed.args[0] == expected
    box = flow.message
    assert box is not None and box.isVisible() and expected in box.text()
    assert flow.progress is None and flow.trainer is None  # the progress is gone
    with Store.open_to_read(db) as store:
        assert list_models(store) == []
    assert [p.name for p in tmp_path.iterdir() if "model" in p.name or p.name[0] == "."] == []


def test_without_a_trainer_the_action_says_where_training_is(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_T, CTRL_SHIFT)
    assert "annotator train" in window.statusBar().currentMessage()
