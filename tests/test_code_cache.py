"""The disk cache for the code dataclasses compile (annotator/code_cache.py) and the
end of the start-up it is saved at (annotator/startup.py)."""

from __future__ import annotations

import dataclasses
import gc
import marshal
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import python_output

from annotator import code_cache, startup
from annotator.code_cache import CodeCache


@pytest.fixture(autouse=True)
def may_write_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a user's machine (the sandbox this was written in sets
    PYTHONDONTWRITEBYTECODE, which the cache obeys)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@contextmanager
def installed(cache: CodeCache) -> Iterator[CodeCache]:
    """``cache`` in use for the ``with`` block only, as annotator.launch installs it."""
    previous = vars(dataclasses).get("exec")
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    try:
        yield cache
    finally:
        if previous is None:
            del dataclasses.exec  # type: ignore[attr-defined]
        else:
            dataclasses.exec = previous  # type: ignore[attr-defined]


def make_class() -> type:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)

    return Point


def behaviour(point_class: type) -> None:
    a, b = point_class(1, 2), point_class(1, 2)
    assert a == b and hash(a) == hash(b) and a != point_class(2)
    assert repr(a).endswith(".Point(x=1, y=2, tags=())")
    assert point_class.__slots__ == ("x", "y", "tags")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 3  # type: ignore[misc]
    # compiled without this module's `from __future__ import annotations`:
    # the return annotation is the object None, as exec makes it, not a string
    assert point_class.__init__.__annotations__["return"] is None


def test_a_dataclass_is_made_the_same_through_the_cache(tmp_path: Path) -> None:
    behaviour(make_class())  # without the cache
    first = CodeCache(tmp_path / "code.bin")
    with installed(first):
        behaviour(make_class())
    assert first.compiled >= 5 and first.hits == 0
    first.save()
    second = CodeCache(tmp_path / "code.bin")
    with installed(second):
        behaviour(make_class())
    assert second.compiled == 0 and second.hits == first.compiled
    assert "exec" not in vars(dataclasses)  # put back as it was


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a cache",
        code_cache.header()[:-1] + b"\x07" + marshal.dumps({}),  # another -O level
        b"\x00\x00\r\n\x00" + marshal.dumps({"def f(): pass": b"x"}),  # another Python
        code_cache.header() + marshal.dumps({"a": b"x"})[:5],  # cut short
        code_cache.header() + marshal.dumps(["a list"]),
        code_cache.header() + marshal.dumps({"def f(): pass": "not code", 3: b"x"}),
    ],
    ids=["empty", "garbage", "other-optimisation", "other-python", "truncated", "list", "types"],
)
def test_a_damaged_or_foreign_cache_costs_a_compile_and_is_rewritten(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "code.bin"
    path.write_bytes(content)
    cache = CodeCache(path)
    with installed(cache):
        behaviour(make_class())
    assert cache.hits == 0 and cache.compiled >= 5
    cache.save()
    assert path.read_bytes().startswith(code_cache.header())
    assert CodeCache(path).code("x = 1") is not None


def test_an_entry_that_does_not_unmarshal_is_compiled_again(tmp_path: Path) -> None:
    path = tmp_path / "code.bin"
    source = "def __create_fn__():\n def f(): return 1\n return f"
    path.write_bytes(code_cache.header() + marshal.dumps({source: b"\x00garbage"}))
    cache = CodeCache(path)
    namespace: dict[str, object] = {}
    cache.exec(source, {}, namespace)
    assert cache.compiled == 1 and cache.hits == 0
    assert namespace["__create_fn__"]()() == 1  # type: ignore[operator]


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    cache = CodeCache(blocker / "code.bin")  # its folder cannot be made
    with installed(cache):
        behaviour(make_class())
    cache.save()
    assert blocker.read_text() == "in the way"
    assert list(tmp_path.iterdir()) == [blocker]


def test_nothing_is_written_when_python_may_not_write_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    cache = CodeCache(tmp_path / "code.bin")
    with installed(cache):
        make_class()
    cache.save()
    assert not (tmp_path / "code.bin").exists()


def test_a_full_cache_keeps_what_this_process_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "code.bin"
    old = {f"x = {i}": marshal.dumps(compile(f"x = {i}", "<string>", "exec")) for i in range(5)}
    path.write_bytes(code_cache.header() + marshal.dumps(old))
    monkeypatch.setattr(code_cache, "MAX_ENTRIES", 4)
    cache = CodeCache(path)
    cache.code("x = 1")  # a hit, used
    cache.code("y = 2")  # new
    cache.save()
    kept = marshal.loads(path.read_bytes()[len(code_cache.header()) :])
    assert sorted(kept) == ["x = 1", "y = 2"]


def test_without_a_home_folder_nothing_is_cached_and_nothing_breaks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr("pwd.getpwuid", lambda _uid: (_ for _ in ()).throw(KeyError("no user")))
    assert code_cache.install() is None
    assert "exec" not in vars(dataclasses)
    behaviour(make_class())


def run_python(code: str, cache_home: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return python_output(code, env=env)


def test_the_command_line_saves_the_cache_and_the_next_start_compiles_nothing(
    tmp_path: Path,
) -> None:
    cache_file = tmp_path / "cache" / "annotator" / code_cache.FILE_NAME
    run_python(
        "import sys; sys.argv = ['annotator', 'formats']\n"
        "from annotator.launch import main; main()",
        tmp_path / "cache",
    )
    assert cache_file.is_file()
    counts = (
        "from annotator import code_cache\n"
        "cache = code_cache.install()\n"
        "import annotator.model, annotator.store\n"
        "print(cache.hits, cache.compiled)"
    )
    hits, compiled = map(int, run_python(counts, tmp_path / "cache").split())
    assert hits >= 30 and compiled == 0


def test_the_startup_ends_once_in_the_order_given() -> None:
    ran: list[str] = []
    startup.after_startup(lambda: ran.append("first"))
    startup.after_startup(lambda: ran.append("second"))
    assert startup.starting()
    startup.started()
    startup.started()
    assert ran == ["first", "second"] and not startup.starting()


def test_a_command_other_than_the_window_ends_the_startup() -> None:
    from annotator.cli import main

    gc.disable()
    startup.after_startup(gc.enable)
    try:
        assert main(["formats"]) == 0
        assert gc.isenabled() and not startup.starting()
    finally:
        gc.enable()
