"""Issue 13, reviewer identity: --reviewer on every command, $ANNOTATOR_REVIEWER,
the name saved in settings.json, the system user; the window's first-start
question (after the article's first paint) and Document > Change reviewer…; the
name on audit rows, on the document's review and in the export's meta.annotator."""

from __future__ import annotations

import json
import re

import pytest
from helpers import open_window, show_window
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from annotator.cli import main
from annotator.model import Layer, Status
from annotator.store import (
    REVIEWER_ENV,
    InvalidActorError,
    SettingsError,
    Store,
    check_actor,
    resolve_reviewer,
    save_reviewer,
    saved_reviewer,
    settings_path,
)

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def system_user(monkeypatch):
    """No reviewer in the environment; the system user is "osuser" (getpass reads
    LOGNAME first)."""
    monkeypatch.delenv(REVIEWER_ENV, raising=False)
    monkeypatch.setenv("LOGNAME", "osuser")
    return "osuser"


def reviewer_dialog(window):
    from annotator.ui.reviewer import ReviewerDialog

    found = [d for d in window.findChildren(ReviewerDialog) if d.isVisible()]
    return found[0] if found else None


def reviewer_bar(window):
    from annotator.ui.reviewer import ReviewerBar

    found = [b for b in window.findChildren(ReviewerBar) if b.isVisible()]
    return found[0] if found else None


def last_actor(store: Store, doc_id: int) -> str:
    return store.audit_log(doc_id)[-1].actor


# ---- the name and where it comes from ------------------------------------------


def test_precedence_is_option_then_environment_then_saved_then_system_user(monkeypatch):
    assert resolve_reviewer() == resolve_reviewer(None)
    assert (resolve_reviewer().name, resolve_reviewer().source) == ("osuser", "system")
    path = save_reviewer("  Saved Name ")
    assert path == settings_path() and path.name == "settings.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {"reviewer": "Saved Name"}
    assert (resolve_reviewer().name, resolve_reviewer().source) == ("Saved Name", "settings")
    monkeypatch.setenv(REVIEWER_ENV, "from-env")
    assert (resolve_reviewer().name, resolve_reviewer().source) == ("from-env", "environment")
    assert (resolve_reviewer("ana").name, resolve_reviewer("ana").source) == ("ana", "option")
    monkeypatch.setenv(REVIEWER_ENV, "  ")  # empty: as if unset
    assert resolve_reviewer().name == "Saved Name"


def test_saving_keeps_the_other_settings_and_leaves_no_temporary_file():
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"something": [1, 2]}', encoding="utf-8")
    save_reviewer("ana")
    save_reviewer("ben")
    assert json.loads(path.read_text(encoding="utf-8")) == {"something": [1, 2], "reviewer": "ben"}
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]
    assert saved_reviewer() == "ben"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("ana\tlopez", "control character (U+0009)"),
        ("ana\nlopez", "control character (U+000A)"),
        ("ana\u2028b", "control character (U+2028)"),
        ("x" * 65, "65 characters long; at most 64"),
    ],
)
def test_invalid_names_are_refused(name, message, db_path):
    with pytest.raises(InvalidActorError, match=re.escape(message)):
        check_actor(name)
    with pytest.raises(InvalidActorError):
        Store.open(db_path, actor=name)
    assert not db_path.exists()  # refused before the database is touched
    with Store.open(db_path, actor="ana") as store:
        with pytest.raises(InvalidActorError):
            store.actor = name
        assert store.actor == "ana"


def test_a_name_is_trimmed_and_may_be_any_script():
    assert check_actor("  Ана Лопес  ") == "Ана Лопес"
    assert check_actor("x" * 64) == "x" * 64
    persian = "\u0645\u0631\u06cc\u0645\u200c\u0631\u0636\u0627\u06cc\u06cc"
    assert check_actor(persian) == persian  # a zero-width non-joiner is part of the name


@pytest.mark.parametrize(
    "command", [["stats", "--db"], ["export", "out.jsonl", "--db"], ["keys", "--db"], ["--db"]]
)
@pytest.mark.parametrize("name", ["", "a\tb", "y" * 100])
def test_the_command_line_refuses_an_invalid_reviewer(capsys, db_path, command, name):
    code = main([*command, str(db_path), "--reviewer", name])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("annotator: error: --reviewer: The reviewer name")
    assert not db_path.exists()


def test_the_command_line_refuses_an_invalid_environment_or_settings_file(
    capsys, monkeypatch, db_path
):
    Store.open(db_path).close()
    monkeypatch.setenv(REVIEWER_ENV, "a\x07b")
    assert main(["stats", "--db", str(db_path)]) == 2
    assert "annotator: error: ANNOTATOR_REVIEWER (environment variable)" in capsys.readouterr().err
    assert main(["stats", "--db", str(db_path), "--reviewer", "ana"]) == 0  # the option wins
    capsys.readouterr()
    monkeypatch.delenv(REVIEWER_ENV)
    path = settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('{"reviewer": ', encoding="utf-8")
    assert main(["stats", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"annotator: error: Settings file {path} is not valid JSON (line 1")
    path.write_text('{"reviewer": "a\\u0000b"}', encoding="utf-8")
    with pytest.raises(SettingsError, match="control character"):
        saved_reviewer()


def test_the_reviewer_option_is_accepted_by_every_command(capsys, db_path):
    Store.open(db_path).close()
    for argv in (
        ["stats", "--db", str(db_path), "--reviewer", "ana"],
        ["--reviewer", "ana", "stats", "--db", str(db_path)],
        ["keys", "--db", str(db_path), "--reviewer", "ana"],
        ["formats", "--reviewer", "ana"],
        ["eval", "--db", str(db_path), "--reviewer", "ana"],
    ):
        assert main(argv) == 0, argv
    assert main(["formats", "--reviewer", "a\nb"]) == 2
    capsys.readouterr()
    for command in ("import", "export", "eval", "open"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "--reviewer NAME" in capsys.readouterr().out, command


def imported_review(tmp_path, db_path, *options: str) -> tuple[str, dict]:
    """Import one accepted line that names no reviewer: the importing reviewer stands
    in; return the audit row's actor and detail."""
    path = tmp_path / "reviewed.jsonl"
    path.write_text(json.dumps({"text": "Armenia", "spans": [], "answer": "accept"}) + "\n")
    code = main(["import", str(path), "--db", str(db_path), "--model", "blank:en", *options])
    assert code == 0
    with Store.open_to_read(db_path) as store:
        [doc_id] = store.document_ids()
        [entry] = store.audit_log(doc_id)
        return entry.actor, entry.after


@pytest.mark.slow
def test_import_records_the_reviewer_of_the_option_else_the_environment_else_the_saved(
    tmp_path, monkeypatch, capsys
):
    save_reviewer("saved")
    assert imported_review(tmp_path, tmp_path / "a.db")[0] == "saved"
    monkeypatch.setenv(REVIEWER_ENV, "env")
    assert imported_review(tmp_path, tmp_path / "b.db")[0] == "env"
    actor, detail = imported_review(tmp_path, tmp_path / "c.db", "--reviewer", " ana ")
    assert (actor, detail["imported_by"]) == ("ana", "ana")


# ---- the window: asked once, after the first paint -------------------------------


def started_window(qtbot, store, tmp_path, ask: bool):
    """The window as `annotator` starts it (ui.app.run without its event loop),
    with a timing trace to see when the article was first painted."""
    from annotator.trace import TimingTrace
    from annotator.ui.app import application, start_window

    application()
    trace = tmp_path / "trace.jsonl"
    window = start_window(store, trace=TimingTrace(trace), ask_reviewer=ask)
    qtbot.addWidget(window)
    return window, trace


def test_the_window_is_started_asking_only_when_no_name_is_given_or_saved(
    monkeypatch, db_path, sample_store
):
    import annotator.ui.app

    asked: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        annotator.ui.app,
        "run",
        lambda store, *args, ask_reviewer, **_: asked.append((store.actor, ask_reviewer)) or 0,
    )
    db = str(sample_store.path)
    assert main(["--db", db]) == 0
    assert main(["open", db, "--reviewer", "ana"]) == 0
    monkeypatch.setenv(REVIEWER_ENV, "env")
    assert main(["--db", db]) == 0
    monkeypatch.delenv(REVIEWER_ENV)
    save_reviewer("saved")
    assert main(["--db", db]) == 0
    assert main(["--reviewer", "ana", "--db", db]) == 0
    assert asked == [
        ("osuser", True),
        ("ana", False),
        ("env", False),
        ("saved", False),
        ("ana", False),
    ]


def test_first_start_asks_after_the_first_paint_and_saves_the_name(qtbot, tmp_path, db_path):
    from annotator.ui import reviewer

    with Store.open(db_path) as prepared:  # as the sample fixture, without a pipeline
        from helpers import whitespace_document

        prepared.add_documents([whitespace_document("Armenia and Azerbaijan", {"Armenia": "GPE"})])
    store = Store.open(db_path)  # nothing given or saved: the system user, for now
    assert store.actor == "osuser"
    seen_at_question: list[list[str]] = []
    original = reviewer.ask_reviewer

    def asking(window):
        lines = trace.read_text(encoding="utf-8").splitlines() if trace.exists() else []
        seen_at_question.append([json.loads(line)["event"] for line in lines])
        return original(window)

    reviewer.ask_reviewer = asking
    try:
        window, trace = started_window(qtbot, store, tmp_path, ask=True)
        assert reviewer_bar(window) is None  # never before the window
        qtbot.waitUntil(lambda: reviewer_bar(window) is not None)
    finally:
        reviewer.ask_reviewer = original
    assert seen_at_question == [["first_paint"]]  # the article came first
    bar = reviewer_bar(window)
    assert bar.name_edit.text() == "osuser"
    # under the article: the article does not move, so a click meant for it lands on it
    origin = QPoint(0, 0)
    qtbot.waitUntil(
        lambda: bar.mapTo(window, origin).y() >= window.view.mapTo(window, origin).y() + 100
    )
    assert window.status.reviewer_label.text() == "Reviewer: osuser"
    # the question takes no key from the article: a reviewer may start at once
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    doc_id = window.session.doc_id
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.view.selected_span is not None
    # Ctrl+Shift+I goes to the name; keyboard only: an empty name cannot be saved
    qtbot.keyClick(window.view, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: bar.name_edit.hasFocus())
    assert bar.name_edit.selectedText() == "osuser"
    qtbot.keyClick(bar.name_edit, Qt.Key.Key_Backspace)
    assert not bar.ok_button.isEnabled() and "empty" in bar.hint.text()
    qtbot.keyClick(bar.name_edit, Qt.Key.Key_Return)
    assert bar.isVisible()
    qtbot.keyClicks(bar.name_edit, "  Ana ")
    assert bar.ok_button.isEnabled()
    qtbot.keyClick(bar.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: reviewer_bar(window) is None)
    assert saved_reviewer() == "Ana"
    assert store.actor == "Ana"
    assert window.status.reviewer_label.text() == "Reviewer: Ana"
    qtbot.waitUntil(lambda: window.view.hasFocus())  # the keys go back to the article
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert last_actor(store, doc_id) == "Ana"
    assert resolve_reviewer().source == "settings"  # the next start does not ask
    # the lists follow the last edit before the database is closed
    qtbot.waitUntil(
        lambda: not window._panel_fallback.isActive() and not window._panel_timer.isActive()
    )
    store.close()


def test_first_start_closed_saves_nothing(qtbot, tmp_path, sample_store):
    window, _ = started_window(qtbot, sample_store, tmp_path, ask=True)
    qtbot.waitUntil(lambda: reviewer_bar(window) is not None)
    bar = reviewer_bar(window)
    bar.focus_name()
    qtbot.keyClick(bar.name_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: reviewer_bar(window) is None)
    assert saved_reviewer() is None and not settings_path().exists()
    assert sample_store.actor == "tester"
    assert "asks again at the next start" in window.statusBar().currentMessage()


def test_no_question_when_a_name_is_given_or_saved(qtbot, tmp_path, sample_store):
    window, _ = started_window(qtbot, sample_store, tmp_path, ask=False)
    with qtbot.waitSignal(window.completed, timeout=5000):
        pass
    for _ in range(3):
        QApplication.processEvents()
    assert reviewer_dialog(window) is None and reviewer_bar(window) is None
    assert window.status.reviewer_label.text() == "Reviewer: tester"


# ---- the window: changing the reviewer ------------------------------------------


def change_reviewer_with_keys(qtbot, window, name: str) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: reviewer_dialog(window) is not None)
    dialog = reviewer_dialog(window)
    qtbot.waitUntil(lambda: dialog.name_edit.hasFocus())  # the keys go to the dialog
    assert dialog.windowTitle() == "Change reviewer"
    assert dialog.name_edit.selectedText() == window.store.actor  # typing replaces it
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: reviewer_dialog(window) is None)
    qtbot.waitUntil(lambda: window.view.hasFocus())  # the keys go back to the article


def test_change_reviewer_updates_the_status_bar_the_store_and_the_default(
    qtbot, window, sample_store
):
    from annotator.ui.keymap import ACTIONS

    [spec] = [s for s in ACTIONS if s.id == "doc.reviewer"]
    assert spec.group == "Document" and spec.keys == ("Ctrl+Shift+I",)
    document_menu = window.menuBar().actions()[0].menu()
    assert window.actions_by_id["doc.reviewer"] in document_menu.actions()
    assert window.status.reviewer_label.text() == "Reviewer: tester"
    doc_id = window.session.doc_id
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert last_actor(sample_store, doc_id) == "tester"
    change_reviewer_with_keys(qtbot, window, "ben")
    assert sample_store.actor == "ben"
    assert window.status.reviewer_label.text() == "Reviewer: ben"
    assert saved_reviewer() == "ben"
    assert "saved as the default" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    log = sample_store.audit_log(doc_id)
    assert [e.actor for e in log[-2:]] == ["tester", "ben"]
    # undo is an edit too: recorded as ben's
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert last_actor(sample_store, doc_id) == "ben"


def test_change_reviewer_refuses_a_bad_name_and_cancel_changes_nothing(qtbot, window):
    qtbot.keyClick(window.view, Qt.Key.Key_I, CTRL_SHIFT)
    qtbot.waitUntil(lambda: reviewer_dialog(window) is not None)
    dialog = reviewer_dialog(window)
    qtbot.waitUntil(lambda: dialog.name_edit.hasFocus())
    qtbot.keyClicks(dialog.name_edit, "x" * 65)
    assert not dialog.ok_button.isEnabled()
    assert "at most 64" in dialog.hint.text()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: reviewer_dialog(window) is None)
    assert window.store.actor == "tester" and saved_reviewer() is None


# ---- end to end: audit rows, the review, the export ------------------------------


def test_reviewer_goes_to_the_audit_the_review_and_the_export(
    qtbot, monkeypatch, tmp_path, sample_store, capsys
):
    monkeypatch.setenv(REVIEWER_ENV, "ana")  # as `annotator --reviewer ana` would
    store = Store.open(sample_store.path)
    assert store.actor == "ana"
    from annotator.export_runner import exporter_for
    from annotator.ui.app import application, create_window

    application()
    window = create_window(store, exporter=exporter_for(store.path))
    qtbot.addWidget(window)
    show_window(qtbot, window)
    assert window.status.reviewer_label.text() == "Reviewer: ana"
    first = window.session.doc_id
    qtbot.keyClick(window.view, Qt.Key.Key_A)  # accept, and on to the next
    assert store.load_document(first).status is Status.ACCEPTED
    assert last_actor(store, first) == "ana"
    assert store.review_info(first)[1] == "ana"
    monkeypatch.delenv(REVIEWER_ENV)  # the export reads who reviewed from the audit
    out = tmp_path / "out.jsonl"
    assert main(["export", str(out), "--db", str(store.path), "--reviewer", "zoe"]) == 0
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["meta"]["annotator"] == "ana"
    # another reviewer takes over in the same window
    change_reviewer_with_keys(qtbot, window, "ben")
    second = window.session.doc_id
    assert second != first
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert {e.actor for e in store.audit_log(second)} == {"ben"}
    assert store.review_info(second)[1] == "ben"
    assert main(["export", str(out), "--db", str(store.path)]) == 0
    by_text = {
        json.loads(line)["text"][:7]: json.loads(line)["meta"]["annotator"]
        for line in out.read_text(encoding="utf-8").splitlines()
    }
    assert sorted(by_text.values()) == ["ana", "ben"]
    assert store.load_document(second).layer(Layer.GOLD).spans  # the rest was kept
    capsys.readouterr()
    window.close()
    store.close()


def test_windows_made_for_tests_never_ask(qtbot, sample_store):
    window = open_window(qtbot, sample_store)
    assert reviewer_dialog(window) is None
