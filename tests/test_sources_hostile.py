"""Hostile files are refused early and clearly (issue 10, items 6 and 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.sources import read_source


def test_a_nul_past_the_first_kilobytes_is_refused_with_its_place(tmp_path: Path):
    path = tmp_path / "long.txt"
    path.write_text("a" * 9000 + "\nsecond line\nthird \x00 line\n", encoding="utf-8")
    source = read_source(path)
    assert not source.documents
    [problem] = source.problems
    assert "NUL character (line 3, column 7" in problem.message and problem.line == 3


def test_a_nul_in_a_jsonl_text_is_refused_on_its_line(tmp_path: Path):
    path = tmp_path / "tasks.jsonl"
    lines = [{"text": "fine text"}, {"text": "bad \u0000 text"}, {"text": "more fine text"}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    source = read_source(path)
    [problem] = source.problems
    assert problem.line == 2 and "NUL character" in problem.message


def test_utf16_is_named_as_such(tmp_path: Path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Armenia signed.".encode("utf-16"))  # with its byte-order mark
    [problem] = read_source(path).problems
    assert "UTF-16" in problem.message and "iconv" in problem.message


def test_a_huge_binary_file_is_refused_on_its_first_bytes(tmp_path: Path, monkeypatch):
    path = tmp_path / "sparse.txt"
    with path.open("wb") as file:
        file.truncate(200 * 1024 * 1024)  # 200 MB of NUL bytes, sparse on disk

    def read_whole(self: Path) -> bytes:
        raise AssertionError(f"{self} was read whole")

    monkeypatch.setattr(Path, "read_bytes", read_whole)
    [problem] = read_source(path).problems
    assert "binary" in problem.message


@pytest.mark.parametrize("text", ["plain text", "text\nwith lines\n"])
def test_ordinary_text_still_reads(tmp_path: Path, text: str):
    path = tmp_path / "ok.txt"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    assert not source.problems and source.documents[0].text == text
