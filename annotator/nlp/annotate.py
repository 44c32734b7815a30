"""Run a pipeline over texts and turn its output into tokens, sentences and spans.

With ``n_process`` above 1 the pipeline runs in that many worker processes
(spaCy's ``nlp.pipe(..., n_process=N)``, which forks them on Linux: the pipeline
and its custom components are inherited, not pickled). What runs per document
here (token offsets, sentences, entities, the relation rules) runs in this
process on the Docs the workers send back, so its results are the same as with
one process. The workers ignore Ctrl+C: this process stops them (they finish
the batch they hold and exit) and says what was kept.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Generic, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from annotator.errors import AnnotatorError
from annotator.model import Analysis, Relation, Span, Tokens
from annotator.nlp.relations import RelationExtractor

K = TypeVar("K")

# Texts are cut into pieces of at most this many characters at paragraph (or
# failing that, word) boundaries. It keeps the parser's memory bounded and lets
# articles longer than the pipeline's max_length through.
CHUNK_CHARS = 100_000
# Characters handed to one nlp.pipe batch at most (one piece may exceed it).
BATCH_CHARS = 100_000
# Pieces per batch sent to a worker process (n_process > 1). spaCy deals the
# batches out in turn, so small ones keep every worker busy to the end (200
# articles in batches of 64 would give one of two workers 128, the other 72);
# they also bound what a worker holds (8 pieces of CHUNK_CHARS at most).
PROCESS_BATCH = 8


class PipelineProcessError(AnnotatorError):
    """A worker process of a multi-process run ended without sending its results."""


@dataclass(slots=True)
class _Partial(Generic[K]):
    key: K
    pieces: int
    starts: list[int]
    ends: list[int]
    sentence_starts: list[int]
    spans: list[Span]
    relations: list[Relation] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)
    done: int = 0


def split_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """Cut ``text`` into ``(offset, piece)`` pairs of at most ``limit`` characters.

    Cuts fall after a newline where possible, else after a space, else anywhere.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[tuple[int, str]] = []
    offset = 0
    while len(text) - offset > limit:
        window = text[offset : offset + limit]
        cut = window.rfind("\n") + 1 or window.rfind(" ") + 1 or limit
        pieces.append((offset, window[:cut]))
        offset += cut
    pieces.append((offset, text[offset:]))
    return pieces


def annotate(
    nlp: Language,
    items: Iterable[tuple[K, str]],
    batch_size: int = 64,
    chunk_chars: int = CHUNK_CHARS,
    relations: RelationExtractor | None = None,
    n_process: int = 1,
) -> Iterator[tuple[K, Analysis]]:
    """Yield ``(key, Analysis)`` for each ``(key, text)``, in input order.

    Texts go to ``nlp.pipe`` in groups of at most ``batch_size`` pieces and about
    ``BATCH_CHARS`` characters, so a batch of long articles does not hold the
    parser's state for megabytes of text at once. With ``n_process`` above 1,
    one ``nlp.pipe`` stream runs in that many processes, in batches of at most
    ``PROCESS_BATCH`` pieces; the texts are cut into the same pieces.
    """
    limit = max(1, min(chunk_chars, nlp.max_length - 1))
    if n_process > 1:
        yield from _in_processes(
            nlp, items, limit, min(batch_size, PROCESS_BATCH), relations, n_process
        )
        return
    group: list[tuple[str, tuple[_Partial[K], int]]] = []
    chars = 0
    for key, text in items:
        parts = split_text(text, limit)
        partial = _Partial(key, len(parts), [], [], [], [])
        for offset, piece in parts:
            group.append((piece, (partial, offset)))
            chars += len(piece)
            if len(group) >= batch_size or chars >= BATCH_CHARS:
                yield from _run(nlp, group, relations)
                group, chars = [], 0
    yield from _run(nlp, group, relations)


def _run(
    nlp: Language,
    group: list[tuple[str, tuple[_Partial[K], int]]],
    relations: RelationExtractor | None,
) -> Iterator[tuple[K, Analysis]]:
    if not group:
        return
    for doc, (partial, offset) in nlp.pipe(group, batch_size=len(group), as_tuples=True):
        _append(partial, doc, offset, relations)
        partial.done += 1
        if partial.done == partial.pieces:
            yield partial.key, _analysis(partial)


def _analysis(partial: _Partial[K]) -> Analysis:
    return Analysis(
        Tokens(tuple(partial.starts), tuple(partial.ends)),
        tuple(partial.sentence_starts),
        tuple(partial.spans),
        tuple(partial.relations),
        tuple(partial.pos) if any(partial.pos) else (),
    )


def _in_processes(
    nlp: Language,
    items: Iterable[tuple[K, str]],
    limit: int,
    batch_size: int,
    relations: RelationExtractor | None,
    n_process: int,
) -> Iterator[tuple[K, Analysis]]:
    """One ``nlp.pipe`` stream over every piece, in ``n_process`` processes.

    The pieces go to spaCy as plain strings, so the workers make the Docs
    (``as_tuples`` would make each Doc here and send it serialized, and would
    pickle the context); what each piece belongs to waits here, in order, since
    spaCy yields the Docs in input order (each is checked against its piece)."""
    stream = iter(items)
    first = next(stream, None)
    if first is None:
        return  # no worker processes for nothing
    waiting: deque[tuple[str, _Partial[K], int]] = deque()

    def pieces() -> Iterator[str]:
        for key, text in chain([first], stream):
            parts = split_text(text, limit)
            partial = _Partial(key, len(parts), [], [], [], [])
            for offset, piece in parts:
                waiting.append((piece, partial, offset))
                yield piece

    docs: Generator[Doc, None, None] = nlp.pipe(  # type: ignore[assignment]
        pieces(), batch_size=batch_size, n_process=n_process
    )
    watchdog: _Watchdog | None = None
    try:
        before = set(multiprocessing.active_children())
        with _workers_ignore_interrupts():
            started = next(docs, None)  # spaCy forks its workers for the first batch
        watchdog = _Watchdog([p for p in multiprocessing.active_children() if p not in before])
        for doc in chain([started] if started is not None else [], docs):
            piece, partial, offset = waiting.popleft()
            if doc.text != piece:  # cannot happen while spaCy keeps the input order
                raise RuntimeError(f"a worker returned {doc.text[:40]!r} for {piece[:40]!r}")
            _append(partial, doc, offset, relations)
            partial.done += 1
            if partial.done == partial.pieces:
                yield partial.key, _analysis(partial)
    except EOFError as exc:  # the pipes of the workers closed: one died, the watchdog
        raise PipelineProcessError(  # stopped the others
            "A pipeline worker process ended without sending its results (killed, or out "
            "of memory?). Run again with fewer --jobs, or --jobs 1."
        ) from exc
    finally:
        if watchdog is not None:
            watchdog.stop()
        docs.close()  # spaCy's own cleanup: the workers are told to stop, and joined


class _Watchdog:
    """Stops every worker when one dies. spaCy would wait for the dead one's results
    for ever: the others hold its pipe open (they were forked after it was made).
    With them gone the pipe closes, and the wait ends in an EOFError."""

    def __init__(self, workers: list[multiprocessing.process.BaseProcess]) -> None:
        self.workers = workers
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="worker watchdog", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopped.wait(0.2):
            if any(w.exitcode not in (None, 0) for w in self.workers):
                for worker in self.workers:
                    if worker.exitcode is None:
                        worker.terminate()
                return

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join()


_ignore_interrupts_after_fork = False


@contextmanager
def _workers_ignore_interrupts() -> Iterator[None]:
    """Processes forked meanwhile ignore Ctrl+C (SIGINT, which a terminal sends to
    the whole process group) and die on SIGTERM: this process handles both, stops
    them through spaCy, and reports once, without a traceback from each worker."""
    global _ignore_interrupts_after_fork
    _ignore_interrupts_after_fork = True
    try:
        yield
    finally:
        _ignore_interrupts_after_fork = False


def _after_fork_in_child() -> None:
    if _ignore_interrupts_after_fork:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere spaCy spawns its workers
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _append(
    partial: _Partial[K], doc: Doc, offset: int, relations: RelationExtractor | None
) -> None:
    first_token = len(partial.starts)
    first_span = len(partial.spans)
    if relations is not None:
        partial.relations.extend(
            Relation(first_span + r.head, first_span + r.child, r.label, rule=r.rule)
            for r in relations(doc)
        )
    for token in doc:
        start = token.idx + offset
        partial.starts.append(start)
        partial.ends.append(start + len(token.text))
        partial.pos.append(token.pos_)
    if len(doc):
        partial.sentence_starts.extend(first_token + s.start for s in doc.sents)
    partial.spans.extend(
        Span(
            ent.start_char + offset,
            ent.end_char + offset,
            first_token + ent.start,
            first_token + ent.end - 1,
            ent.label_,
        )
        for ent in doc.ents
    )
