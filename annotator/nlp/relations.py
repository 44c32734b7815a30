"""Candidate relations from dependency-parse rules kept as data.

Each rule is a spaCy DependencyMatcher pattern with two nodes named ``head`` and
``child``; a match proposes the rule's relation between the entities holding
those two tokens, when the entity labels fit the rule. Rules live in
resources/relation_patterns.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from annotator.errors import AnnotatorError
from annotator.model import Relation
from annotator.resources import resources_dir


class RelationRuleError(AnnotatorError, ValueError):
    """A relation rule file that cannot be used; the message names the rule."""


@dataclass(frozen=True, slots=True)
class RelationRule:
    id: str
    label: str
    head_types: tuple[str, ...]
    child_types: tuple[str, ...]
    pattern: list[dict[str, Any]]


def default_rules_path() -> Path:
    return resources_dir() / "relation_patterns.json"


def load_rules(path: Path | None = None) -> list[RelationRule]:
    path = path or default_rules_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RelationRuleError(f"Cannot read relation rules {path}: {exc}") from exc
    entries = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise RelationRuleError(f"Relation rules {path} need a 'rules' list.")
    rules = []
    for n, entry in enumerate(entries, 1):
        where = f"relation rules {path}, rule #{n}"
        if not isinstance(entry, dict):
            raise RelationRuleError(f"{where} must be an object")
        rule_id = str(entry.get("id", f"rule-{n}"))
        pattern = entry.get("pattern")
        label = entry.get("label")
        if not isinstance(label, str) or not label:
            raise RelationRuleError(f"{where} ({rule_id}) needs a 'label'")
        if not isinstance(pattern, list) or not all(isinstance(p, dict) for p in pattern):
            raise RelationRuleError(f"{where} ({rule_id}) needs a 'pattern' list")
        names = {node.get("RIGHT_ID") for node in pattern}
        if not {"head", "child"} <= names:
            raise RelationRuleError(f"{where} ({rule_id}) must name nodes 'head' and 'child'")
        rules.append(
            RelationRule(
                rule_id,
                label,
                tuple(entry.get("head_types", [])),
                tuple(entry.get("child_types", [])),
                pattern,
            )
        )
    return rules


class RelationExtractor:
    """Applies the rules to parsed docs; returns relations between ``doc.ents``."""

    def __init__(self, vocab: Vocab, rules: list[RelationRule]) -> None:
        self.rules = {rule.id: rule for rule in rules}
        self.matcher = DependencyMatcher(vocab)
        for rule in rules:
            try:
                self.matcher.add(rule.id, [rule.pattern])
            except (ValueError, KeyError) as exc:
                raise RelationRuleError(f"Relation rule {rule.id!r} is not valid: {exc}") from exc
        self._node_order = {rule.id: [node["RIGHT_ID"] for node in rule.pattern] for rule in rules}

    def __call__(self, doc: Doc) -> list[Relation]:
        """Relations whose head/child are indexes into ``doc.ents``, in text order."""
        if not doc.ents or not doc.has_annotation("DEP"):
            return []
        entity_of = {}
        for index, ent in enumerate(doc.ents):
            for i in range(ent.start, ent.end):
                entity_of[i] = index
        found: dict[tuple[int, int, str], None] = {}
        for match_id, tokens in self.matcher(doc):
            rule = self.rules[doc.vocab.strings[match_id]]
            nodes = dict(zip(self._node_order[rule.id], tokens, strict=True))
            head = entity_of.get(nodes["head"])
            child = entity_of.get(nodes["child"])
            if head is None or child is None or head == child:
                continue
            if rule.head_types and doc.ents[head].label_ not in rule.head_types:
                continue
            if rule.child_types and doc.ents[child].label_ not in rule.child_types:
                continue
            found[(head, child, rule.label)] = None
        return [Relation(h, c, label) for h, c, label in sorted(found)]
