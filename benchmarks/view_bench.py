"""Review window speed on a 1 MB article with 10,000 spans, and on 100,000 documents.

    python benchmarks/view_bench.py [--spans 10000] [--relations 3000] [--documents 100000]

Runs offscreen. Prints: time from opening the document to the end of the first
painted frame; median and worst time from a relabel / resize / undo key event
to the end of the repaint; time to paint one screen while scrolling (pages
through the whole article, every page laid out for the first time); peak RSS;
time to show the window with its document list on a 100,000-document database.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import spacy
from corpus import synthetic_articles
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from annotator.model import NewDocument, Relation, Tokens, make_span
from annotator.store import Store
from annotator.ui.app import application, create_window

LABELS = ["PERSON", "ORG", "GPE", "LOC", "NORP", "DATE"]


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


def ms(seconds: list[float]) -> str:
    values = sorted(s * 1000 for s in seconds)
    return (
        f"median {statistics.median(values):6.2f} ms, "
        f"p95 {values[int(len(values) * 0.95) - 1]:6.2f} ms, worst {values[-1]:6.2f} ms"
    )


def repaint_after(view, key, modifier=Qt.KeyboardModifier.NoModifier) -> float:
    t = time.perf_counter()
    QTest.keyClick(view, key, modifier)
    view.viewport().repaint()
    return time.perf_counter() - t


def article_figures(tmp: Path, span_count: int, relation_count: int) -> None:
    doc = big_document(span_count, relation_count)
    with Store.open(tmp / "big.db") as store:
        [doc_id] = store.add_documents([doc])
    print(
        f"article: {len(doc.text):,} characters, {len(doc.tokens):,} tokens, "
        f"{len(doc.spans):,} spans, {len(doc.relations):,} relations"
    )
    app = application()
    store = Store.open(tmp / "big.db")
    window = create_window(store)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    QTest.qWaitForWindowActive(window, 5000)
    view = window.view
    opens = []
    for _ in range(5):
        t = time.perf_counter()
        window.open_document(doc_id)
        view.viewport().repaint()
        opens.append(time.perf_counter() - t)
    print(f"open document to first painted frame: {ms(opens)} (5 opens)")

    view.setFocus()
    app.processEvents()
    relabel, resize, undo = [], [], []
    for i in range(100):
        QTest.keyClick(view, Qt.Key.Key_Tab)
        relabel.append(repaint_after(view, Qt.Key.Key_2 if i % 2 else Qt.Key.Key_3))
        undo.append(repaint_after(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier))
        resize.append(
            repaint_after(
                view,
                Qt.Key.Key_Right,
                Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier,
            )
        )
    print(f"relabel key to repainted: {ms(relabel)}")
    print(f"resize key to repainted:  {ms(resize)}")
    print(f"undo key to repainted:    {ms(undo)}")
    settled = []
    for i in range(30):
        QTest.keyClick(view, Qt.Key.Key_Tab)
        t = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_2 if i % 2 else Qt.Key.Key_3)
        view.viewport().repaint()
        app.processEvents()  # the span list, palette and document list follow
        settled.append(time.perf_counter() - t)
    print(f"relabel key to side panels updated too: {ms(settled)}")

    bar = view.verticalScrollBar()
    frames = []
    value = 0
    while value < bar.maximum():
        value += bar.pageStep()
        t = time.perf_counter()
        bar.setValue(value)
        view.viewport().repaint()
        frames.append(time.perf_counter() - t)
    print(f"scroll one page and paint (first visit): {ms(frames)} over {len(frames)} pages")
    frames = []
    for _ in range(200):
        bar.setValue(bar.value() - 40)
        t = time.perf_counter()
        view.viewport().repaint()
        frames.append(time.perf_counter() - t)
    print(f"paint one screen (laid out already):     {ms(frames)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    window.close()
    store.close()


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
    with tempfile.TemporaryDirectory() as tmp:
        article_figures(Path(tmp), args.spans, args.relations)
        if args.documents:
            list_figures(Path(tmp), args.documents)


if __name__ == "__main__":
    main()
