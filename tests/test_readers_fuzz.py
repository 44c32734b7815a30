"""Whatever a file holds, reading it gives documents or named problems, never a
traceback (issue 10, item 7)."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats import brat, conll
from annotator.formats.records import FormatError
from annotator.sources import read_source

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
tasks = st.fixed_dictionaries(
    {},
    optional={
        "text": st.text(max_size=40) | json_values,
        "meta": json_values,
        "spans": json_values,
        "tokens": json_values,
        "relations": json_values,
        "entities": json_values,
    },
)


def check(path: Path) -> None:
    source = read_source(path)
    for problem in source.problems:
        assert problem.message and str(problem.path) == str(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from([".txt", ".jsonl", ".conll", ""]))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        check(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tasks | json_values, min_size=1, max_size=3))
def test_arbitrary_json_lines(lines: list[object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.jsonl"
        path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
        check(path)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.text(max_size=200))
def test_arbitrary_brat(text: str, ann: str) -> None:
    with contextlib.suppress(FormatError):  # a named problem is fine; nothing else is
        brat.from_ann(text, ann, "a.ann")


conll_lines = st.one_of(
    st.just(""),
    st.just("-DOCSTART- -X- O O"),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["EU", "New York", "#", "-DOCSTART-", "_", "", " ", "\u2028"]),
        st.sampled_from([" ", "\t", "  ", " NNP ", "\t\t", "\r", ""]),
        st.sampled_from(
            ["O", "B-ORG", "I-ORG", "E-ORG", "S-ORG", "L-PER", "U-PER", "B-", "X", "b-x", ""]
        )
        | st.text(max_size=6),
    ),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(conll_lines, max_size=12))
def test_arbitrary_conll(lines: list[str]) -> None:
    text = "\n".join(lines)
    with contextlib.suppress(FormatError):  # a named problem is fine; nothing else is
        for where, record in conll.read_file(Path("in.conll"), text):
            assert where.startswith("in.conll:")
            record.check(where)
    conll.looks_like(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conll_lines, min_size=1, max_size=12), st.sampled_from(["", ".conll", ".txt"]))
def test_arbitrary_conll_files_sniffed_or_named(lines: list[str], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_text("\n".join(lines), encoding="utf-8")
        check(path)


def test_the_cases_of_the_hostile_review(tmp_path: Path) -> None:
    lines = [
        '{"text": "a", "meta": {"n": ' + "9" * 5000 + "}}",
        '{"text": "a", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "a \\ud800 b"}',
        '{"text": "fine"}',
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    source = read_source(path)
    assert [p.line for p in source.problems] == [1, 2, 3]
    assert "not valid Unicode" in source.problems[2].message
