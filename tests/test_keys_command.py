"""`annotator keys`: the effective keymap, as the window binds it."""

from __future__ import annotations

import json

from PySide6.QtGui import QKeySequence

from annotator.cli import main


def run_keys(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["keys", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_every_action_with_label_keys_and_modes(capsys, sample_store):
    code, out, _ = run_keys(capsys, "--db", str(sample_store.path), "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["span.delete"]["keys"] == ["Del", "Backspace"]
    assert rows["label.GPE"]["keys"] == ["3"] and rows["label.GPE"]["mode"] == "entity"
    assert rows["relation_label.PHYS"]["mode"] == "relation"
    assert rows["edit.redo"]["keys"] == ["Ctrl+Shift+Z", "Ctrl+Y"]


def test_overrides_apply_and_unknown_actions_are_refused(capsys, sample_store, tmp_path):
    keymap = tmp_path / "keymap.json"
    keymap.write_text('{"doc.skip": [], "doc.accept": ["Ctrl+Return"]}', encoding="utf-8")
    code, out, _ = run_keys(capsys, "--db", str(sample_store.path), "--keymap", str(keymap))
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "(none)" in lines["doc.skip"] and "Ctrl+Return" in lines["doc.accept"]
    keymap.write_text('{"no.such.action": ["X"]}', encoding="utf-8")
    code, _, err = run_keys(capsys, "--db", str(sample_store.path), "--keymap", str(keymap))
    assert code == 2 and "unknown actions: no.such.action" in err


def test_the_window_binds_exactly_what_the_command_prints(capsys, window, sample_store):
    code, out, _ = run_keys(capsys, "--db", str(sample_store.path), "--json")
    assert code == 0
    portable = QKeySequence.SequenceFormat.PortableText
    for row in json.loads(out):
        action = window.actions_by_id[row["id"]]
        assert [k.toString(portable) for k in action.shortcuts()] == row["keys"], row["id"]
