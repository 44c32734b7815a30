"""Write the gold relations of a reviewed document as a test fixture.

    python scripts/export_relation_fixture.py DB [DOC_ID] [OUT.json]

Used to turn the hand review of the bundled article (made in the app) into
tests/fixtures/sample_relations_gold.json, against which the relation rules'
precision and recall are measured (benchmarks/relation_quality.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from annotator.model import Layer
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    db = Path(sys.argv[1])
    out = (
        Path(sys.argv[3])
        if len(sys.argv) > 3
        else (ROOT / "tests" / "fixtures" / "sample_relations_gold.json")
    )
    with Store.open(db) as store:
        doc_id = int(sys.argv[2]) if len(sys.argv) > 2 else store.document_ids()[0]
        doc = store.load_document(doc_id)
        spans = {s.id: s for s in doc.layer(Layer.GOLD).spans}

        def arg(span_id: int) -> dict[str, object]:
            span = spans[span_id]
            return {
                "start": span.start,
                "end": span.end,
                "text": doc.text[span.start : span.end],
                "label": span.label,
            }

        relations = [
            {"head": arg(r.head), "label": r.label, "child": arg(r.child)}
            for r in doc.layer(Layer.GOLD).relations
        ]
    relations.sort(key=lambda r: (r["head"]["start"], r["child"]["start"]))  # type: ignore[index]
    fixture = {
        "source": str(doc.meta.get("source")),
        "note": "Gold relations of the bundled article, reviewed by hand in annotator.",
        "relations": relations,
    }
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(relations)} relations to {out}")


if __name__ == "__main__":
    main()
