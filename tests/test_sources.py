from __future__ import annotations

import json

from annotator.sources import expand_paths, read_source


def test_plain_text_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Title line\nBody of the article.", encoding="utf-8")
    source = read_source(path)
    assert source.ok
    [doc] = source.documents
    assert doc.title == "Title line"
    assert doc.meta == {"source": "a.txt"}


def test_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffArmenia".encode())
    assert read_source(path).documents[0].text == "Armenia"


def test_jsonl_lines_with_meta_and_title(tmp_path):
    path = tmp_path / "news.jsonl"
    lines = [
        {"text": "First article", "meta": {"title": "One", "id": 7}},
        {"text": "Second\u2028article"},  # U+2028 is legal inside a JSON string
    ]
    path.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8"
    )
    source = read_source(path)
    assert source.ok, source.problems
    assert [d.title for d in source.documents] == ["One", "Second"]
    assert source.documents[1].text == "Second\u2028article"
    assert source.documents[0].meta == {"title": "One", "id": 7, "source": "news.jsonl:1"}
    assert source.documents[1].origin.endswith("news.jsonl:2")


def test_every_bad_jsonl_line_is_named(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                '{"text": "fine"}',
                '{"text": "broken',
                "[1, 2]",
                '{"title": "no text"}',
                '{"text": 42}',
                '{"text": "   "}',
                '{"text": "x", "meta": []}',
            ]
        ),
        encoding="utf-8",
    )
    source = read_source(path)
    assert not source.ok
    assert [(p.line, p.message.split(" (")[0]) for p in source.problems] == [
        (2, "not valid JSON"),
        (3, "expected a JSON object, found list"),
        (4, 'has no "text" string'),
        (5, '"text" must be a string'),
        (6, '"text" is empty'),
        (7, '"meta" must be a JSON object'),
    ]
    assert str(source.problems[0]).startswith(f"{path}:2: not valid JSON")


def test_binary_non_utf8_and_empty_files(tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("line one\nCaf\xe9".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    assert "binary" in read_source(binary).problems[0].message
    [problem] = read_source(latin).problems
    assert problem.line == 2 and "not UTF-8" in problem.message and "0xe9" in problem.message
    assert read_source(empty).problems[0].message == "file is empty"
    assert read_source(tmp_path / "gone.txt").problems[0].message.startswith("cannot read")


def test_folders_are_searched_recursively_and_missing_paths_reported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b.txt", "sub/a.jsonl", "notes.csv", ".hidden/x.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "empty").mkdir()
    files, problems = expand_paths([tmp_path, tmp_path / "empty", tmp_path / "nope.txt"])
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["b.txt", "sub/a.jsonl"]
    assert [p.message for p in problems] == [
        "folder holds no .txt, .text, .jsonl or .ndjson files",
        "no such file or folder",
    ]


def test_folders_yield_conll_files_and_a_conll_txt_is_read_as_conll(tmp_path):
    (tmp_path / "gold.conll").write_text("-DOCSTART- O\n\nEU B-ORG\nrejects O\n", "utf-8")
    (tmp_path / "train.txt").write_text("Peter B-PER\nBlackburn I-PER\n\nsaid O\n", "utf-8")
    (tmp_path / "article.txt").write_text("EU rejects German call.\nMore text.\n", "utf-8")
    files, problems = expand_paths([tmp_path])
    assert [f.name for f in files] == ["article.txt", "gold.conll", "train.txt"] and not problems
    article, gold, train = (read_source(f) for f in files)
    assert [d.annotations for d in article.documents] == [None]
    assert [d.text for d in gold.documents] == ["EU rejects"]
    [doc] = train.documents
    assert doc.text == "Peter Blackburn\nsaid" and doc.annotations is not None
    assert [(s.start, s.end, s.label) for s in doc.annotations.spans] == [(0, 15, "PER")]


def test_tab_indented_prose_without_suffix_is_still_an_article(tmp_path):
    path = tmp_path / "notes.md"
    text = "# Notes\n\tindented line one.\n\tindented line two.\nEnd.\n"
    path.write_text(text, encoding="utf-8")
    assert [d.text for d in read_source(path).documents] == [text]
