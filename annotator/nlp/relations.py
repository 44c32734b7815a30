"""Candidate relations from dependency-parse rules kept as data.

Each rule is a spaCy DependencyMatcher pattern with two nodes named ``head`` and
``child``; a match proposes the rule's relation between the entities holding
those two tokens, when the entity labels fit the rule. Rules live in
resources/relation_patterns.json.
"""

from __future__ import annotations

from spacy.matcher import DependencyMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from annotator.model import Relation
from annotator.relation_rules import (
    RelationRule,
    RelationRuleError,
    default_rules_path,
    load_rules,
)

__all__ = [
    "RelationExtractor",
    "RelationRule",
    "RelationRuleError",
    "default_rules_path",
    "load_rules",
]


class RelationExtractor:
    """Applies the rules to parsed docs; returns relations between ``doc.ents``.

    Rules switched off (``"enabled": false``) are left out. Each relation carries
    the id of the rule that proposed it; when several rules propose the same
    relation (same entities, same label), the first of them in the file's order.
    """

    def __init__(self, vocab: Vocab, rules: list[RelationRule]) -> None:
        enabled = [rule for rule in rules if rule.enabled]
        self.rules = {rule.id: rule for rule in enabled}
        self._order = {rule.id: n for n, rule in enumerate(enabled)}
        self.matcher = DependencyMatcher(vocab)
        for rule in enabled:
            try:
                self.matcher.add(rule.id, [rule.pattern])
            except (ValueError, KeyError) as exc:
                raise RelationRuleError(f"Relation rule {rule.id!r} is not valid: {exc}") from exc
        self._node_order = {
            rule.id: [node["RIGHT_ID"] for node in rule.pattern] for rule in enabled
        }

    def __call__(self, doc: Doc) -> list[Relation]:
        """Relations whose head/child are indexes into ``doc.ents``, in text order."""
        if not self.rules or not doc.ents or not doc.has_annotation("DEP"):
            return []
        entity_of = {}
        for index, ent in enumerate(doc.ents):
            for i in range(ent.start, ent.end):
                entity_of[i] = index
        found: dict[tuple[int, int, str], str] = {}  # -> the id of the rule proposing it
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
            key = (head, child, rule.label)
            if key not in found or self._order[rule.id] < self._order[found[key]]:
                found[key] = rule.id
        return [Relation(h, c, label, rule=found[(h, c, label)]) for h, c, label in sorted(found)]
