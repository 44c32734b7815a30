"""Time of one committed edit (add span + audit row) on a 10,000-document database.

    python benchmarks/store_bench.py [--docs 10000] [--edits 300]

Builds the database from synthetic ~4 KB articles tokenized on spaces (no spaCy,
so it is quick), then adds one span to each of ``--edits`` random documents and
prints the median, 95th percentile and worst time per committed edit, for
``synchronous=FULL`` (what annotator uses) and ``NORMAL`` (for comparison).
Also times loading one document and listing the first page of documents.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus import synthetic_articles
from helpers import whitespace_document

from annotator.model import make_span
from annotator.store import Store


def build(path: Path, count: int) -> None:
    texts = synthetic_articles(count)
    with Store.open(path) as store:
        for i in range(0, count, 500):
            docs = []
            for text in texts[i : i + 500]:
                doc = whitespace_document(text.replace("\n", " "))
                spans = tuple(
                    make_span(doc.tokens, t, t, "ORG") for t in range(0, len(doc.tokens), 25)
                )
                docs.append(
                    type(doc)(doc.text, doc.title, doc.tokens, doc.sentence_starts, {}, spans)
                )
            store.add_documents(docs)


def time_edits(path: Path, edits: int, synchronous: str, first_token: int) -> list[float]:
    rng = random.Random(3)
    with Store.open(path) as store:
        store.db.execute(f"PRAGMA synchronous = {synchronous}")
        ids = store.document_ids()
        times = []
        for doc_id in rng.sample(ids, edits):
            doc = store.load_document(doc_id)
            # spans sit on every 25th token, so tokens 1..24 are free
            span = make_span(doc.tokens, first_token, first_token + 1, "PERSON")
            t = time.perf_counter()
            store.add_span(doc_id, doc.version, span)
            times.append(time.perf_counter() - t)
        return times


def report(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"{name}: median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, "
        f"worst {ms[-1]:.2f} ms over {len(ms)} edits"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=Path.home()) as tmp:
        path = Path(tmp) / "bench.db"
        t = time.perf_counter()
        build(path, args.docs)
        size = path.stat().st_size / 1e6
        print(f"built {args.docs} documents in {time.perf_counter() - t:.1f} s ({size:.0f} MB)")
        report("add span + audit row, synchronous=FULL  ", time_edits(path, args.edits, "FULL", 10))
        report(
            "add span + audit row, synchronous=NORMAL", time_edits(path, args.edits, "NORMAL", 14)
        )
        with Store.open(path) as store:
            t = time.perf_counter()
            for doc_id in range(1, 101):
                store.load_document(doc_id)
            print(f"load one document: {(time.perf_counter() - t) * 10:.2f} ms (mean of 100)")
            t = time.perf_counter()
            store.list_documents(limit=200)
            store.count_by_status()
            print(
                f"first page of 200 documents + status counts: "
                f"{(time.perf_counter() - t) * 1000:.1f} ms"
            )


if __name__ == "__main__":
    main()
