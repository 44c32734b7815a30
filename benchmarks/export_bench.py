"""Export speed and memory for 10,000 reviewed documents in each format.

    python benchmarks/export_bench.py [--docs 10000]

Builds a database of ~4 KB accepted documents (30 entities and 5 relations each,
tokens from spaCy's blank English tokenizer), then for each format prints the
export time, and for JSONL the time of bare ``json.dumps`` over the same task
records in the same run. Peak traced memory is printed for 1/10 of the
documents and for all of them: a streaming export does not grow with the count.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import spacy
from corpus import synthetic_articles

from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats.jsonl import to_task
from annotator.formats.records import record_from_document
from annotator.formats.registry import FORMATS
from annotator.model import Layer, NewDocument, Relation, Status, Tokens, make_span
from annotator.store import Store

LABELS = ["PERSON", "ORG", "GPE", "DATE"]


def build(path: Path, count: int) -> None:
    nlp = spacy.blank("en")
    texts = synthetic_articles(count)
    with Store.open(path) as store:
        batch = []
        for text in texts:
            doc = nlp.make_doc(text)
            tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
            words = [i for i, t in enumerate(doc) if not t.is_space]
            step = max(1, len(words) // 30)
            spans = tuple(
                make_span(tokens, words[i], words[i], LABELS[(i // step) % 4])
                for i in range(0, step * 30, step)
                if i < len(words)
            )
            relations = tuple(Relation(i, i + 1, "ORG-AFF") for i in range(0, 10, 2))
            batch.append(NewDocument(text, "t", tokens, (0,), {}, spans, relations))
            if len(batch) == 1000:
                store.add_documents(batch)
                batch = []
        if batch:
            store.add_documents(batch)
        store.db.execute("UPDATE documents SET status = 'accepted'")
        store.db.conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t = time.perf_counter()
        build(db, args.docs)
        print(f"built {args.docs:,} accepted documents in {time.perf_counter() - t:.0f} s")
        store = Store.open(db)
        ids = store.document_ids(Status.ACCEPTED)
        tasks = [to_task(record_from_document(store.load_document(i), Layer.GOLD, {})) for i in ids]
        t = time.perf_counter()
        size = sum(len(json.dumps(task, ensure_ascii=False)) for task in tasks)
        bare = time.perf_counter() - t
        del tasks
        print(
            f"bare json.dumps of the {len(ids):,} JSONL tasks: {bare:6.2f} s ({size / 1e6:.0f} MB)"
        )
        for entry in FORMATS:
            fmt = entry.name
            target = Path(tmp) / f"out-{fmt}{entry.suffix}"
            t = time.perf_counter()
            report = export(store, target, ExportOptions(format=fmt))
            took = time.perf_counter() - t
            ratio = f"  ({took / bare:.2f}x bare json.dumps)"
            print(f"export {fmt:<12} {report.documents:,} documents: {took:6.2f} s{ratio}")
        for fmt in ("jsonl", "spacy"):
            for n in (len(ids) // 10, len(ids)):
                first = ids[n - 1]
                tracemalloc.start()
                export(
                    store,
                    Path(tmp) / f"mem-{fmt}-{n}.{fmt}",
                    ExportOptions(format=fmt, ids=((ids[0], first),)),
                )
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(f"peak traced memory, {fmt} export of {n:,} documents: {peak / 1e6:6.1f} MB")
        store.close()


if __name__ == "__main__":
    main()
