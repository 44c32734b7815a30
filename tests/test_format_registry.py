"""One table of formats: the CLI, the export dialog, the exporter and the
importer all take their formats from annotator/formats/registry.py."""

from __future__ import annotations

import argparse
import json

import pytest
from helpers import whitespace_document

from annotator.cli import build_parser
from annotator.export_options import ExportError, ExportOptions
from annotator.exporter import export
from annotator.formats.registry import FORMATS, NAMES, get_format
from annotator.model import Status


def accepted_store(store):
    [doc_id] = store.add_documents(
        [whitespace_document("Ada Lovelace met Babbage in London", {"London": "GPE"})]
    )
    assert doc_id is not None
    store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    return store


def export_choices() -> tuple[str, ...]:
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    export_parser = commands.choices["export"]
    [fmt] = [a for a in export_parser._actions if "--format" in a.option_strings]
    return tuple(fmt.choices or ())


def test_the_cli_offers_exactly_the_registered_formats():
    assert export_choices() == NAMES
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_registered_format_exports_with_its_own_writer(tmp_path, store, fmt):
    """Each entry's writer loads and writes (no format falls back to another's writer)."""
    accepted_store(store)
    target = tmp_path / f"out{fmt.suffix}"
    report = export(store, target, ExportOptions(format=fmt.name))
    assert report.documents == 1
    assert report.files[0] == target  # (Label Studio adds its labeling config)
    assert target.is_dir() == fmt.folder
    written = (
        "\n".join(p.read_text(encoding="utf-8") for p in sorted(target.glob("*.ann")))
        if fmt.folder
        else target.read_bytes().decode("utf-8", errors="replace")
    )
    if fmt.name == "jsonl":
        assert '"spans"' in written and '"_task_hash"' in written
    elif fmt.name == "doccano":
        assert '"entities"' in written and '"start_offset"' in written
    elif fmt.name == "conll":
        assert "London B-GPE" in written
    elif fmt.name == "brat":
        assert "\tGPE 28 34\tLondon" in written
    elif fmt.name == "labelstudio":
        assert '"annotations"' in written and '"from_name":"label"' in written


def test_every_format_has_a_writer_of_its_own():
    assert len({f.writer for f in FORMATS}) == len(FORMATS)


def test_an_unknown_format_is_refused_and_nothing_is_written(tmp_path, store):
    accepted_store(store)
    with pytest.raises(ExportError, match=r"Unknown format 'xml'; choose one of jsonl, doccano"):
        export(store, tmp_path / "out" / "out.xml", ExportOptions(format="xml"))
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="Unknown format"):
        get_format("xml")


def test_split_is_refused_for_a_format_that_does_not_split(tmp_path, store):
    accepted_store(store)
    splitting = [f.name for f in FORMATS if f.splits]
    with pytest.raises(ExportError, match=f"--split works with these formats only: {splitting[0]}"):
        export(store, tmp_path / "out.jsonl", ExportOptions(format="jsonl", split=0.5))


def test_the_export_dialog_lists_the_registered_formats(qtbot, tmp_path):
    from annotator.ui.export_dialog import ExportDialog

    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    items = [
        (dialog.format.itemData(i), dialog.format.itemText(i)) for i in range(dialog.format.count())
    ]
    assert items == [(f.name, f.title) for f in FORMATS]
    for i, fmt in enumerate(FORMATS):
        dialog.format.setCurrentIndex(i)
        assert dialog.split.isEnabled() == fmt.splits
        expected = f"annotator-{fmt.name}" if fmt.folder else f"annotator-export{fmt.suffix}"
        assert dialog.path.text().endswith(expected)


def test_every_importable_format_is_recognised_by_the_importer():
    from annotator.formats.registry import folder_format, line_format

    for fmt in FORMATS:
        if fmt.read_line is not None:
            assert fmt.line_looks_like is not None
        if fmt.read_folder is not None:
            assert fmt.folder_looks_like is not None
        if fmt.read_file is not None:
            assert fmt.file_looks_like is not None and fmt.file_suffixes
    assert line_format({"text": "x"}) is None  # a plain article
    assert line_format({"text": "x", "spans": []}) is get_format("jsonl")
    assert line_format({"text": "x", "entities": []}) is get_format("doccano")
    assert folder_format  # brat folders: tests/test_formats.py reads them back


def test_the_formats_command_lists_the_table(capsys):
    from annotator.cli import main

    assert main(["formats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(NAMES)
    assert main(["formats", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["title"], r["imports"]) for r in rows] == [
        (f.name, f.title, f.imports) for f in FORMATS
    ]


def test_an_option_of_another_format_is_refused(tmp_path, store, capsys):
    from annotator.cli import main

    accepted_store(store)
    target = tmp_path / "out.jsonl"
    code = main(["export", str(target), "--db", str(store.path), "--doccano-shape", "label"])
    assert code == 2
    assert "The jsonl format has no option 'doccano_shape'" in capsys.readouterr().err
    assert not target.exists()


def test_the_export_dialog_offers_each_format_its_options(qtbot, tmp_path):
    from PySide6.QtWidgets import QComboBox

    from annotator.formats.options import OPTIONS
    from annotator.ui.export_dialog import ExportDialog

    dialog = ExportDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert set(dialog.options) == {o.name for o in OPTIONS}
    for control in dialog.options.values():  # every option away from its default
        if isinstance(control, QComboBox):
            control.setCurrentIndex(control.count() - 1)
        else:
            control.setChecked(True)
    for i, fmt in enumerate(FORMATS):
        dialog.format.setCurrentIndex(i)
        live = {name for name, control in dialog.options.items() if control.isEnabled()}
        assert live == set(fmt.options)
        _, options = dialog.choice()
        assert [name for name, _ in options.format_options] == list(fmt.options)


def test_the_readme_format_table_lists_every_format():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| format | what is written |") :].split("\n\n", 1)[0]
    listed = [row.split("|")[1].strip().split()[0].strip("`") for row in table.splitlines()[2:]]
    assert listed == list(NAMES)
