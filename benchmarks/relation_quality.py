"""Precision and recall of the relation rules on the bundled article.

    python benchmarks/relation_quality.py [--model NAME]

Runs the default pipeline (en_core_web_sm) and the bundled relation rules over
the sample article and compares the proposed relations with the hand-reviewed
gold relations in tests/fixtures/sample_relations_gold.json: in all, then per
rule, as `annotator eval --relations-by-rule` scores a database of reviews.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotator.labels import load_labels
from annotator.model import LabelKind
from annotator.nlp.pipeline import Pipeline
from annotator.nlp.relations import load_rules
from annotator.relation_quality import format_rule_table, score_by_rule, score_relations
from annotator.resources import sample_articles

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sample_relations_gold.json"


def proposed_and_gold(model: str | None = None):
    """The pipeline, its proposed relations' keys and the gold keys."""
    pipeline, proposals, gold = proposals_and_gold(model)
    return pipeline, [key for _, key in proposals], gold


def proposals_and_gold(model: str | None = None):
    """The pipeline, its proposed relations as (rule id, key), and the gold keys."""
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    [article] = [p for p in sample_articles() if p.name == fixture["source"]]
    pipeline = Pipeline.load(model)
    [(_, analysis)] = list(pipeline.analyse([(0, article.read_text(encoding="utf-8"))]))
    spans = analysis.spans
    proposals = [
        (
            r.rule,
            (
                (spans[r.head].start, spans[r.head].end),
                r.label,
                (spans[r.child].start, spans[r.child].end),
            ),
        )
        for r in analysis.relations
    ]
    gold = [
        (
            (g["head"]["start"], g["head"]["end"]),
            g["label"],
            (g["child"]["start"], g["child"]["end"]),
        )
        for g in fixture["relations"]
    ]
    return pipeline, proposals, gold


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    pipeline, proposals, gold = proposals_and_gold(args.model)
    proposed = [key for _, key in proposals]
    undirected = [
        lab.name for lab in load_labels() if lab.kind is LabelKind.RELATION and not lab.directed
    ]
    scores = score_relations(proposed, gold, undirected)
    print(
        f"pipeline {pipeline.name}: {scores.proposed} proposed, {scores.gold} gold, "
        f"{scores.true_positives} correct"
    )
    print(f"precision {scores.precision:.2f}, recall {scores.recall:.2f}, F1 {scores.f1:.2f}")
    missed = set(gold) - set(proposed)
    for head, label, child in sorted(missed):
        print(f"  missed: {head} {label} {child}")
    print("per rule (the article as one reviewed document):")
    print(format_rule_table(score_by_rule([(proposals, gold)], undirected, load_rules())))


if __name__ == "__main__":
    sys.exit(main())
