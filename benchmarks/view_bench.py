"""Review window speed on a 1 MB article with 10,000 spans and 3,000 relations,
and on 100,000 documents, as ratios to floors measured in the same run.

    python benchmarks/view_bench.py [--spans 10000] [--relations 3000] [--documents 100000]

Runs offscreen. Floors: reading the text and laying out and painting the first
screen of it as plain text with QTextLayout (no spans); a key press to the
repaint of that plain view; one bare committed write (UPDATE + INSERT,
synchronous=FULL). Prints, with relations and for the same article without them:
open to the end of the first painted frame; key press to the end of the repaint
for relabel, resize, undo and relation relabel (the side lists follow between
keys, as they do between a reviewer's keys); one page scrolled and painted.
Then adjudication (issue 13) on the same article reviewed twice (10,000 spans
and 3,000 relations per reviewer, about one in six of each different): computing
the disagreements of spans and of relations (and of the spans alone, as before
relations were compared), opening it in adjudication mode, and key to repaint
for the next disagreement (F8) and taking a version (Alt+1 / Alt+2). Then peak
RSS, and the time to show the window on 100,000 documents.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import PySide6
import spacy
from corpus import synthetic_articles
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QPainter, QPaintEvent, QTextLayout
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractScrollArea, QApplication

from annotator.model import NewDocument, Relation, Span, Tokens, make_span
from annotator.store import Store
from annotator.ui.app import application, create_window

LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE"]
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


RELATION_LABELS = ["PHYS", "PART-WHOLE", "ORG-AFF", "GEN-AFF"]


def big_document(span_count: int, relation_count: int = 0) -> NewDocument:
    text = "\n".join(synthetic_articles(260, seed=11))[:1_000_000]
    doc = spacy.blank("en")(text)
    tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
    words = [i for i, t in enumerate(doc) if not t.is_space]
    step = max(1, len(words) // span_count)
    rng = random.Random(5)
    spans = tuple(
        make_span(tokens, words[i], words[i], rng.choice(LABELS))
        for i in range(0, step * span_count, step)
    )
    starts = tuple(i for i, t in enumerate(doc) if i == 0 or doc[i - 1].text.endswith("."))
    # mostly neighbours, one in ten reaching 2 to 6 spans ahead (often across lines)
    relations = tuple(
        Relation(
            i,
            min(len(spans) - 1, i + (1 if i % 10 else rng.randint(2, 6))),
            rng.choice(RELATION_LABELS),
        )
        for i in range(0, len(spans) - 1, max(1, len(spans) // max(1, relation_count)))
    )[:relation_count]
    return NewDocument(text, "1 MB article", tokens, starts, {}, spans, relations)


def stats(seconds: list[float]) -> tuple[float, float, float]:
    values = sorted(s * 1000 for s in seconds)
    return statistics.median(values), values[max(0, int(len(values) * 0.95) - 1)], values[-1]


def ms(seconds: list[float]) -> str:
    median, p95, worst = stats(seconds)
    return f"median {median:6.2f} ms, p95 {p95:6.2f} ms, worst {worst:6.2f} ms"


class PlainView(QAbstractScrollArea):
    """The floor: the same text laid out with QTextLayout, no spans, no arcs;
    paragraphs are laid out only until the screen is full, and a key moves a caret."""

    painted = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.layouts: list[QTextLayout] = []
        self.caret = 0

    def show_text(self, text: str) -> None:
        self.layouts = []
        width = self.viewport().width() - 36
        y = 0.0
        for paragraph in text.split("\n"):
            layout = QTextLayout(paragraph, self.font())
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                line.setPosition(QPointF(0, y))
                y += line.height() + 20  # room for tags, as the real view leaves
            layout.endLayout()
            self.layouts.append(layout)
            if y > self.viewport().height():
                break

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.caret += 1
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        for layout in self.layouts:
            layout.draw(painter, QPointF(18, 10))
        painter.fillRect(18 + self.caret % 400, 30, 8, 2, Qt.GlobalColor.black)
        painter.end()
        self.painted.emit(True)


def floors(path: Path, doc_id: int, size: QSize) -> tuple[list[float], list[float], list[float]]:
    """Open floor (read the text, lay out and paint the first screen), key floor
    (key to repaint), commit floor (one committed UPDATE + INSERT, synchronous=FULL)."""
    view = PlainView()
    view.resize(size)
    view.show()
    QTest.qWaitForWindowExposed(view, 5000)
    conn = sqlite3.connect(path)
    opens, keys, commits = [], [], []

    def show() -> None:
        (text,) = conn.execute(
            "SELECT text FROM document_texts WHERE doc_id = ?", [doc_id]
        ).fetchone()
        view.show_text(text)
        view.viewport().update()

    for _ in range(7):
        opens.append(until_painted(view, show) or 0.0)
    for _ in range(100):
        keys.append(until_painted(view, lambda: QTest.keyClick(view, Qt.Key.Key_Right)) or 0.0)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, at TEXT)")
    conn.commit()
    for i in range(100):
        t = time.perf_counter()
        conn.execute("UPDATE documents SET version = version WHERE id = ?", [doc_id])
        conn.execute("INSERT INTO bench_floor (at) VALUES (?)", [str(i)])
        conn.commit()
        commits.append(time.perf_counter() - t)
    conn.close()
    view.close()
    return opens, keys, commits


def until_painted(view, action, changed=None) -> float | None:
    """Seconds from ``action`` to the end of the paint it causes (what the timing
    trace measures; what follows the paint in the same event-loop turn, such as the
    side lists, is not counted): the view repaints only what changed, at the next
    event-loop turn.
    ``changed`` tells, once the action has run, whether it changed anything; if not
    (a refused resize), no paint is waited for and None is returned. A paint is
    waited for up to 10 s, so that a slow disk flush counts in the figures."""
    painted: list[float] = []  # when the paint ended: the frame is on screen then

    def done(_with_text: bool) -> None:
        if not painted:
            painted.append(time.perf_counter())

    view.painted.connect(done)
    t = time.perf_counter()
    action()
    if changed is not None and not changed():
        view.painted.disconnect(done)
        return None
    deadline = t + 10.0
    while not painted and time.perf_counter() < deadline:
        QApplication.processEvents()
    view.painted.disconnect(done)
    # an edit that shows nothing (a span's end moved onto a line break) paints nothing
    return painted[0] - t if painted else None


def repaint_after(view, key, modifier=Qt.KeyboardModifier.NoModifier) -> float | None:
    """A key that edits: timed to its repaint, or None if the store refused the edit."""
    window = view.window()
    version = window.session.version

    return until_painted(
        view,
        lambda: QTest.keyClick(view, key, modifier),
        lambda: window.session.version != version,
    )


def article_figures(path: Path, docs: dict[str, int]) -> dict[str, dict[str, list[float]]]:
    """Per document (with and without relations, measured alternately so that the
    machine's ups and downs hit both alike): open, and key to repaint for
    relabel / resize / undo (and relation relabel), and scrolling."""
    store = Store.open(path)
    app, window = shown_window(store)
    view = window.view
    figures: dict[str, dict[str, list[float]]] = {name: {} for name in docs}

    def add(name: str, what: str, seconds: float | None) -> None:
        if seconds is not None:  # a key that changed nothing (e.g. a refused resize)
            figures[name].setdefault(what, []).append(seconds)

    for _ in range(7):
        for name, doc_id in docs.items():
            add(name, "open", until_painted(view, lambda d=doc_id: window.open_document(d)))
    view.setFocus()
    for _ in range(10):
        for name, doc_id in docs.items():
            window.open_document(doc_id)
            settle(app, window)
            for i in range(10):
                QTest.keyClick(view, Qt.Key.Key_Tab)
                settle(app, window)
                relabel = repaint_after(view, Qt.Key.Key_2 if i % 2 else Qt.Key.Key_3)
                add(name, "relabel", relabel)
                settle(app, window)
                # undo that relabel; after a refused one (a relation's rule), Ctrl+Z
                # would undo the last edit of the other document and open it
                if relabel is not None:
                    add(name, "undo", repaint_after(view, Qt.Key.Key_Z, CTRL))
                    settle(app, window)
                add(name, "resize", repaint_after(view, Qt.Key.Key_Right, ALT | SHIFT))
                settle(app, window)
    window.open_document(docs["with relations"])
    settle(app, window)
    figures["with relations"]["relation relabel"] = relation_relabels(app, window)
    for name, doc_id in docs.items():
        window.open_document(doc_id)
        bar = view.verticalScrollBar()
        value = 0
        while value < bar.maximum():
            value += bar.pageStep()
            add(
                name,
                "scroll a page (first visit)",
                until_painted(view, lambda v=value, b=bar: b.setValue(v)),
            )
            settle(app, window)
    window.close()
    store.close()
    return figures


def shown_window(store: Store):
    """The review window on ``store``, 1280x800, shown and active."""
    app = application()
    window = create_window(store)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    QTest.qWaitForWindowActive(window, 5000)
    return app, window


def settle(app, window) -> None:
    """Between two keys, as between a reviewer's: the side lists follow the edit
    and everything is painted, so that the next key's repaint holds only its own."""
    app.processEvents()
    window.repaint()
    app.processEvents()


def relation_relabels(app, window) -> list[float]:
    """Select a relation with ] and press the key of another label its spans allow."""
    view, session = window.view, window.session
    labels = {lab.name: lab for lab in window.relation_labels}
    times: list[float] = []
    while len(times) < 100:
        QTest.keyClick(view, Qt.Key.Key_Tab)
        QTest.keyClick(view, Qt.Key.Key_BracketRight)
        settle(app, window)
        relation = session.relation(view.selected_relation)
        if relation is None:
            continue
        head, child = session.span(relation.head), session.span(relation.child)
        assert head is not None and child is not None
        fitting = [
            lab
            for lab in labels.values()
            if lab.name != relation.label
            and lab.hotkey
            and lab.refuses(head.label, child.label) is None
        ]
        if not fitting:
            continue
        key = QKeySequence(fitting[0].hotkey)[0].key()
        elapsed = repaint_after(view, key)
        assert elapsed is not None, "the relabel painted nothing"
        times.append(elapsed)
        updated = session.relation(relation.id)
        assert updated is not None and updated.label == fitting[0].name, "not relabelled"
        settle(app, window)
    return times


def list_figures(tmp: Path, count: int) -> None:
    path = tmp / "many.db"
    texts = synthetic_articles(200, size=600)
    t = time.perf_counter()
    with Store.open(path) as store:
        nlp = spacy.blank("en")
        batch = []
        for i in range(count):
            text = f"Item {i}. " + texts[i % len(texts)]
            doc = nlp.make_doc(text)
            tokens = Tokens(tuple(x.idx for x in doc), tuple(x.idx + len(x) for x in doc))
            spans = (make_span(tokens, 2, 2, "ORG"),)
            batch.append(NewDocument(text, f"Item {i}", tokens, (0,), {}, spans))
            if len(batch) == 2000:
                store.add_documents(batch)
                batch = []
        if batch:
            store.add_documents(batch)
    print(f"built {count:,} documents in {time.perf_counter() - t:.0f} s")
    app = application()
    t = time.perf_counter()
    store = Store.open(path)
    window = create_window(store)
    window.show()
    window.document_table.viewport().repaint()
    window.view.viewport().repaint()
    app.processEvents()
    shown = time.perf_counter() - t
    rows = window.documents.rowCount()
    print(
        f"show the window with the document list ({count:,} documents, {rows} rows "
        f"loaded): {shown * 1000:.0f} ms"
    )
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=10_000)
    parser.add_argument("--relations", type=int, default=3_000)
    parser.add_argument("--documents", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
        f"PySide6 {PySide6.__version__}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        doc = big_document(args.spans, args.relations)
        # the same article without relations (one more character: texts are unique)
        bare = dataclasses.replace(doc, text=doc.text + " ", title="no relations", relations=())
        print(
            f"article: {len(doc.text):,} characters, {len(doc.tokens):,} tokens, "
            f"{len(doc.spans):,} spans, {len(doc.relations):,} relations"
        )
        path = Path(tmp) / "articles.db"
        with Store.open(path) as store:
            with_id, without_id = store.add_documents([doc, bare])
        assert with_id is not None and without_id is not None
        application()
        figures = article_figures(path, {"with relations": with_id, "without": without_id})
        open_floor, key_floor, commit_floor = floors(path, with_id, QSize(760, 760))
        report(figures["with relations"], figures["without"], open_floor, key_floor, commit_floor)
        adjudication_figures(Path(tmp), doc, key_ms=stats(key_floor)[0] + stats(commit_floor)[0])
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        if args.documents:
            list_figures(Path(tmp), args.documents)


def second_review(doc: NewDocument, seed: int = 13) -> tuple[Span, ...]:
    """Another reviewer's spans of ``doc``: most the same, about one in six
    relabelled, dropped, one token longer, or added on a free word."""
    rng = random.Random(seed)
    tokens, spans = doc.tokens, list(doc.spans)
    taken = {t for s in spans for t in range(s.token_start, s.token_end + 1)}
    other: list[Span] = []
    for span in spans:
        x = rng.random()
        if x < 0.84:
            other.append(span)
        elif x < 0.90:
            other.append(dataclasses.replace(span, label=rng.choice(LABELS)))
        elif x < 0.94 and span.token_end + 1 < len(tokens) and span.token_end + 1 not in taken:
            other.append(make_span(tokens, span.token_start, span.token_end + 1, span.label))
            taken.add(span.token_end + 1)
        elif x < 0.97:
            free = span.token_end + 2
            if free < len(tokens) and free not in taken:
                other.append(make_span(tokens, free, free, rng.choice(LABELS)))
                taken.add(free)
            other.append(span)
    return tuple(sorted(other, key=lambda s: s.start))


def second_relations(
    ana: tuple[Span, ...], relations: tuple[Relation, ...], ben: tuple[Span, ...], seed: int = 17
) -> tuple[Relation, ...]:
    """Another reviewer's relations (heads and children: ids of ``ben``) for ana's
    (ids of ``ana``), where ben has both spans: most the same, about one in six
    relabelled, reversed, dropped, or with one more to the next span."""
    rng = random.Random(seed)
    key_of = {s.id: (s.start, s.end, s.label) for s in ana}
    ids = {(s.start, s.end, s.label): s.id for s in ben}
    order = [s.id for s in ben]
    other: list[Relation] = []
    for relation in relations:
        head, child = ids.get(key_of[relation.head]), ids.get(key_of[relation.child])
        if head is None or child is None:
            continue
        x = rng.random()
        if x < 0.84:
            other.append(Relation(head, child, relation.label))
        elif x < 0.90:
            labels = [lab for lab in RELATION_LABELS if lab != relation.label]
            other.append(Relation(head, child, rng.choice(labels)))
        elif x < 0.94:
            other.append(Relation(child, head, relation.label))
        elif x >= 0.97:
            other.append(Relation(head, child, relation.label))
            after = order.index(child) + 1
            if after < len(order) and order[after] != head:
                other.append(Relation(head, order[after], rng.choice(RELATION_LABELS)))
    return tuple(dict.fromkeys(other))


def adjudication_figures(tmp: Path, doc: NewDocument, key_ms: float) -> None:
    """Disagreements computed for the article reviewed twice; the window adjudicating it."""
    from annotator.adjudication import (
        compare_layers,
        open_disagreements,
        open_relation_disagreements,
        proposals_of,
        relations_from_keys,
    )
    from annotator.model import Annotations, Status
    from annotator.store.records import MergedReview
    from annotator.ui.adjudicating import start_adjudication

    ana = tuple(dataclasses.replace(s, id=i) for i, s in enumerate(doc.spans, 1))
    ben = tuple(dataclasses.replace(s, id=i) for i, s in enumerate(second_review(doc), 1))
    ana_relations = tuple(Relation(r.head + 1, r.child + 1, r.label) for r in doc.relations)
    ben_relations = second_relations(ana, ana_relations, ben)
    relations = {"ana": ana_relations, "ben": ben_relations}
    for with_relations in (False, True):
        layers = {
            name: Annotations(spans, relations[name] if with_relations else ())
            for name, spans in (("ana", ana), ("ben", ben))
        }
        times = []
        for _ in range(7):
            t = time.perf_counter()
            comparison = compare_layers(layers)
            proposals_of(open_disagreements(comparison, comparison.agreed, {}))
            if not times:  # the final layer as seeded (outside the time: the window has it)
                final = tuple(
                    dataclasses.replace(s, id=i) for i, s in enumerate(comparison.agreed, 1)
                )
                seeded = relations_from_keys(comparison.agreed_relations, final)
            disputes = comparison.relation_disputes
            opened = open_relation_disagreements(disputes, final, seeded, ())
            times.append(time.perf_counter() - t)
        what = (
            f"{len(ana_relations):,} and {len(ben_relations):,} relations "
            f"({len(comparison.agreed_relations):,} agreed, {len(opened):,} relation "
            "disagreements)"
            if with_relations
            else "no relations"
        )
        print(
            f"adjudication: disagreements of the 1 MB article, {len(ana):,} and {len(ben):,} "
            f"spans ({len(comparison.agreed):,} agreed, {len(comparison.disagreements):,} "
            f"disagreements), {what}: {ms(times)} (limit 300 ms)"
        )
    path = tmp / "team.db"
    store = Store.open(path, actor="lead")
    [doc_id] = store.add_documents([dataclasses.replace(doc, relations=(), gold_spans=())])
    assert doc_id is not None
    document = store.load_document(doc_id)
    store.merge_document(
        document,
        doc.title,
        [
            MergedReview(
                name, Status.ACCEPTED, "2026-01-01", "bench", doc_id, name, spans, relations[name]
            )
            for name, spans in (("ana", ana), ("ben", ben))
        ],
    )
    app, window = shown_window(store)
    view = window.view
    opened = until_painted(view, lambda: start_adjudication(window))
    settle(app, window)
    view.setFocus()
    figures: dict[str, list[float]] = {"next disagreement (F8)": [], "take a version (Alt+n)": []}
    for i in range(60):
        seconds = until_painted(view, lambda: QTest.keyClick(view, Qt.Key.Key_F8))
        if seconds is not None:
            figures["next disagreement (F8)"].append(seconds)
        settle(app, window)
        key = Qt.Key.Key_1 if i % 2 else Qt.Key.Key_2
        seconds = repaint_after(view, key, ALT)
        if seconds is not None:
            figures["take a version (Alt+n)"].append(seconds)
        settle(app, window)
    print(
        f"  open in adjudication mode (seed, compare, first paint): {(opened or 0) * 1000:.0f} ms"
    )
    for name, values in figures.items():
        print(f"  {name:<26} {ms(values)}  = {stats(values)[0] / key_ms:5.1f}x key floor")
    window.close()
    store.close()


def report(
    with_relations: dict[str, list[float]],
    without: dict[str, list[float]],
    open_floor: list[float],
    key_floor: list[float],
    commit_floor: list[float],
) -> None:
    open_ms = stats(open_floor)[0]
    key_ms = stats(key_floor)[0] + stats(commit_floor)[0]
    print(
        f"floors (same run, medians): read + lay out + paint the first screen of plain text "
        f"{open_ms:.2f} ms; plain key to repaint {stats(key_floor)[0]:.2f} ms; "
        f"bare committed write {stats(commit_floor)[0]:.2f} ms"
    )
    for name, figures in with_relations.items():
        floor = open_ms if name == "open" else key_ms
        median = stats(figures)[0]
        line = f"{name:<28} {ms(figures)}  = {median / floor:5.1f}x floor"
        if name in without:
            extra = median / stats(without[name])[0] - 1
            line += f"; without relations {stats(without[name])[0]:6.2f} ms ({extra:+.0%})"
        print(line)


if __name__ == "__main__":
    main()
