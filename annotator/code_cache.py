"""A disk cache for the code that ``dataclasses`` compiles as classes are made.

Python compiles the ``__init__``, ``__eq__``, ``__hash__``, ``__repr__``,
``__setattr__`` and ``__delattr__`` of every dataclass from generated source
when the class is created, six ``compile`` calls for a frozen one, at every start:
the 19 dataclasses the window makes before its first paint spent 9 ms of the
start-up there on the 2-core machine of benchmarks/startup_bench.py. Modules get
``__pycache__``; this gives the generated methods the same: the code compiled from
each source text is kept (marshalled, like a ``.pyc``) in the user's cache folder,
and the next start loads it instead of compiling it again.

What runs is what ``exec`` would have compiled: the key is the whole source text,
compiled with the flags ``dataclasses`` itself gets (no ``from __future__`` of
ours), under the file name ``exec`` gives it; the file is tied to the Python that
wrote it (its bytecode magic number and optimisation level) and read only if it
matches. A missing, foreign, damaged or unwritable cache costs the compile and
nothing else. Python's own switch for bytecode files (``-B``,
``PYTHONDONTWRITEBYTECODE``) stops it writing too.

``annotator.launch`` installs it for the command line and the window; importing
annotator as a library never does.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
from contextlib import suppress
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

import platformdirs

FILE_NAME = f"dataclass-code.{sys.implementation.cache_tag}.bin"
# beyond this many entries (different annotator versions, commands), a save keeps
# only what this process used: reading 1,000 (about 1.4 MB) takes 1 ms, while the
# window's start uses some 110 and saves 9 ms with them
MAX_ENTRIES = 1000


def header() -> bytes:
    """What a cache file starts with: the bytecode magic number of this Python and
    its optimisation level (``-O`` compiles differently)."""
    return MAGIC_NUMBER + bytes([sys.flags.optimize])


def default_path() -> Path:
    """The cache file in the user's cache folder (``~/.cache/annotator`` on Linux)."""
    return Path(platformdirs.user_cache_dir("annotator", appauthor=False)) / FILE_NAME


class CodeCache:
    """Compiled generated code by source text, read from and saved to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.hits = 0
        self.compiled = 0
        self._stored: dict[str, bytes] = {}  # source -> marshalled code, from the file
        self._new: dict[str, bytes] = {}  # compiled here, not saved yet
        self._used: set[str] = set()
        self._load()

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        if not data.startswith(header()):
            return
        try:
            stored = marshal.loads(data[len(header()) :])
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(stored, dict):
            self._stored = {
                k: v for k, v in stored.items() if isinstance(k, str) and isinstance(v, bytes)
            }

    def code(self, source: str) -> CodeType:
        """The code ``exec(source)`` would compile: from the cache, or compiled now."""
        self._used.add(source)
        blob = self._stored.get(source) or self._new.get(source)
        if blob is not None:
            try:
                code = marshal.loads(blob)
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                self.hits += 1
                return code
        code = compile(source, "<string>", "exec", dont_inherit=True)
        self.compiled += 1
        self._new[source] = marshal.dumps(code)
        return code

    def exec(self, source: Any, namespace: Any = None, local: Any = None, /, **kwargs: Any) -> None:
        """``exec``, for the ``dataclasses`` module: source text goes through the cache."""
        if isinstance(source, str):
            source = self.code(source)
        builtins.exec(source, namespace, local, **kwargs)

    def save(self) -> None:
        """Write what was compiled since the last save (with what the file held),
        through a temporary file, so that a reader never sees half a cache. Does
        nothing when nothing is new or Python may not write bytecode; a failure to
        write leaves the old file and is otherwise ignored: it costs a compile."""
        if not self._new or sys.dont_write_bytecode:
            return
        entries = {**self._stored, **self._new}
        if len(entries) > MAX_ENTRIES:
            entries = {k: v for k, v in entries.items() if k in self._used}
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(header() + marshal.dumps(entries))
            temporary.replace(self.path)
        except OSError:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        self._stored, self._new = entries, {}


def install(path: Path | None = None) -> CodeCache | None:
    """Route the ``dataclasses`` module's compiling through a cache at ``path``
    (default: ``default_path()``) for the rest of the process; None, and nothing
    changed, when there is no cache folder to name (no home directory)."""
    try:
        cache = CodeCache(path or default_path())
    except RuntimeError:  # platformdirs: no home directory
        return None
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]
    return cache
