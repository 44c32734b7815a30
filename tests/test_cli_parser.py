"""The command line's lean parser (only the command being run gets its options,
for the window's start-up time) parses, helps and refuses exactly as the full one."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from annotator.cli.parser import build_parser, command_named
from annotator.formats.options import OPTIONS as FORMAT_OPTIONS


def _format_option_words() -> list[str]:
    words: list[str] = []
    for option in FORMAT_OPTIONS:
        words.append(option.flag)
        if option.choices:
            words.append(option.choices[-1])
    return words


VALID = [
    [],
    ["--db", "x.db"],
    ["--db", "import", "stats"],  # a database file named like a command
    ["--db=import", "stats"],
    ["--reviewer", "ana", "open", "x.db"],
    ["--rev", "ana", "--keymap", "k.json"],  # an abbreviated option before no command
    ["--keymap=k.json", "--trace-timings", "t.jsonl"],
    ["import", "a.txt", "b", "--model", "blank:en", "--jobs", "2", "--strict", "--to-gold"],
    ["annotate", "a.txt", "-o", "out.jsonl", "--batch-size", "8", "-j", "auto"],
    ["reannotate", "--model", "m", "--status", "all"],
    ["stats", "--db", "x.db", "--reviewer", "ben"],
    ["export", "out", "--format", "conll", "--split", "0.8", "--layer", "reviewer:ana"],
    ["export", "out.jsonl", "--ids", "1-3", *_format_option_words()],
    ["eval", "--json", "--relations-by-rule", "--disable-below", "0.5"],
    ["train", "-o", "dir", "--max-steps", "5", "--rehearse", "0.5"],
    ["keys", "--json", "--keymap", "k.json"],
    ["formats", "--json"],
    ["open", "x.db", "--trace-timings", "t.jsonl"],
    ["merge", "a.db", "b.db", "-o", "team.db"],
    ["agreement", "--lowest", "3", "--json"],
    ["adjudicate", "team.db", "--keymap", "k.json"],
]


def _run(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[object, str, str]:
    """(the namespace or the exit code, stdout, stderr) of parsing ``argv``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = vars(parser.parse_args(argv))
        except SystemExit as exc:
            result = exc.code
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", VALID, ids=" ".join)
def test_the_lean_parser_reads_every_command_as_the_full_one(argv: list[str]) -> None:
    lean, full = _run(build_parser(argv), argv), _run(build_parser(), argv)
    assert isinstance(full[0], dict), full  # the sample itself is a valid command line
    assert lean == full


REFUSED_OR_HELP = [
    ["-h"],
    ["--help"],
    ["export", "--help"],
    ["--db", "x.db", "train", "-h"],
    ["merge", "a.db"],  # no --output
    ["export"],  # no OUT
    ["export", "o", "--format", "nope"],
    ["imprt", "a.txt"],  # not a command
    ["stats", "--model", "m"],  # another command's option
    ["--db"],
    ["annotate", "a.txt", "-o", "o.jsonl", "--jobs", "-3"],
    ["--", "stats"],
]


@pytest.mark.parametrize("argv", REFUSED_OR_HELP, ids=" ".join)
def test_help_and_errors_are_the_full_parsers(argv: list[str]) -> None:
    lean, full = _run(build_parser(argv), argv), _run(build_parser(), argv)
    assert full[0] in (0, 2)
    assert lean == full


def test_every_option_before_the_command_but_help_takes_a_value() -> None:
    """command_named skips the word after each such option: a flag added there
    later would make it take the flag's next word for its value."""
    parser = build_parser()
    flags = [
        action.option_strings
        for action in parser._actions
        if action.option_strings and action.nargs == 0
    ]
    assert flags == [["-h", "--help"]]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["--db", "open", "--reviewer", "x"], None),
        (["--db", "a.db", "open", "b.db"], "open"),
        (["--db=a.db", "stats"], "stats"),
        (["--he", "stats"], "stats"),
        (["-h"], None),
        (["--", "keys"], "keys"),
    ],
)
def test_the_command_an_argv_names(argv: list[str], command: str | None) -> None:
    assert command_named(argv) == command
