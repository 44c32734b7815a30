"""Each bundled relation rule on a small hand-parsed sentence, and relations on import."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.importer import run_import
from annotator.model import Layer
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.nlp.relations import (
    RelationExtractor,
    RelationRule,
    RelationRuleError,
    default_rules_path,
    load_rules,
)
from annotator.relation_rules import switch_off

NLP = spacy.blank("en")
EXTRACT = RelationExtractor(NLP.vocab, load_rules())


def parsed(spec: list[tuple[str, int, str, str, str]], lemmas: dict[str, str] | None = None):
    """Tokens as (word, head index, dep, POS, IOB entity tag)."""
    words = [w for w, *_ in spec]
    return Doc(
        NLP.vocab,
        words=words,
        heads=[h for _, h, *_ in spec],
        deps=[d for _, _, d, *_ in spec],
        pos=[p for *_, p, _ in spec],
        lemmas=[(lemmas or {}).get(w, w.lower()) for w in words],
        ents=[e for *_, e in spec],
    )


def relations(doc: Doc) -> list[tuple[str, str, str]]:
    return [(doc.ents[r.head].text, r.label, doc.ents[r.child].text) for r in EXTRACT(doc)]


CASES = {
    "role-of-organization": (
        [
            ("Secretary", 4, "nmod", "PROPN", "O"),
            ("of", 0, "prep", "ADP", "O"),
            ("State", 1, "pobj", "PROPN", "B-ORG"),
            ("Antony", 4, "compound", "PROPN", "B-PERSON"),
            ("Blinken", 5, "nsubj", "PROPN", "I-PERSON"),
            ("spoke", 5, "ROOT", "VERB", "O"),
        ],
        [("Antony Blinken", "ORG-AFF", "State")],
    ),
    "organization-role-person": (
        [
            ("Kremlin", 1, "compound", "PROPN", "B-ORG"),
            ("spokesman", 3, "compound", "NOUN", "O"),
            ("Dmitry", 3, "compound", "PROPN", "B-PERSON"),
            ("Peskov", 4, "nsubj", "PROPN", "I-PERSON"),
            ("sneered", 4, "ROOT", "VERB", "O"),
        ],
        [("Dmitry Peskov", "ORG-AFF", "Kremlin")],
    ),
    "nationality-role-person": (
        [
            ("Armenian", 2, "amod", "ADJ", "B-NORP"),
            ("Prime", 2, "compound", "PROPN", "O"),
            ("Minister", 4, "compound", "PROPN", "O"),
            ("Nikol", 4, "compound", "PROPN", "B-PERSON"),
            ("Pashinian", 5, "nsubj", "PROPN", "I-PERSON"),
            ("said", 5, "ROOT", "VERB", "O"),
        ],
        [("Nikol Pashinian", "GEN-AFF", "Armenian")],
    ),
    "membership": (
        [
            ("Armenia", 1, "nsubj", "PROPN", "B-GPE"),
            ("retains", 1, "ROOT", "VERB", "O"),
            ("membership", 1, "dobj", "NOUN", "O"),
            ("in", 2, "prep", "ADP", "O"),
            ("CSTO", 3, "pobj", "PROPN", "B-ORG"),
        ],
        [("Armenia", "ORG-AFF", "CSTO")],
    ),
    "join-organization": (
        [
            ("Armenia", 1, "nsubj", "PROPN", "B-GPE"),
            ("joined", 1, "ROOT", "VERB", "O"),
            ("NATO", 1, "dobj", "PROPN", "B-ORG"),
        ],
        [("Armenia", "ORG-AFF", "NATO")],
    ),
    "possessor-joins": (
        [
            ("Armenia", 2, "poss", "PROPN", "B-GPE"),
            ("'s", 0, "case", "PART", "O"),
            ("intent", 2, "ROOT", "NOUN", "O"),
            ("to", 4, "aux", "PART", "O"),
            ("join", 2, "acl", "VERB", "O"),
            ("NATO", 4, "dobj", "PROPN", "B-ORG"),
        ],
        [("Armenia", "ORG-AFF", "NATO")],
    ),
    "place-in-country": (
        [
            ("Yerevan", 0, "ROOT", "PROPN", "B-GPE"),
            (",", 0, "punct", "PUNCT", "O"),
            ("Armenia", 0, "appos", "PROPN", "B-GPE"),
        ],
        [("Yerevan", "PART-WHOLE", "Armenia")],
    ),
    "person-in-place": (
        [
            ("Blinken", 1, "nsubj", "PROPN", "B-PERSON"),
            ("met", 1, "ROOT", "VERB", "O"),
            ("Mirzoyan", 1, "dobj", "PROPN", "B-PERSON"),
            ("in", 1, "prep", "ADP", "O"),
            ("Washington", 3, "pobj", "PROPN", "B-GPE"),
        ],
        [("Blinken", "PHYS", "Washington")],
    ),
}
LEMMAS = {"joined": "join", "join": "join", "met": "meet"}


def test_every_bundled_rule_has_a_case():
    assert {rule.id for rule in load_rules()} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_on_its_sentence(rule_id):
    spec, expected = CASES[rule_id]
    assert relations(parsed(spec, LEMMAS)) == expected


def test_argument_types_are_enforced():
    spec, _ = CASES["role-of-organization"]
    spec = [(w, h, d, p, "B-DATE" if w == "State" else e) for w, h, d, p, e in spec]
    assert relations(parsed(spec)) == []


def test_no_parse_no_relations():
    doc = NLP("Secretary of State Antony Blinken spoke")
    assert EXTRACT(doc) == []


def test_bad_rule_files_are_named(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"id": "x", "label": "PHYS", "pattern": [{"RIGHT_ID": "a"}]}]}')
    with pytest.raises(RelationRuleError, match=r"\(x\) must name nodes 'head' and 'child'"):
        load_rules(path)
    path.write_text("{")
    with pytest.raises(RelationRuleError, match="Cannot read relation rules"):
        load_rules(path)


@Language.component("fixed_parse")
def fixed_parse(doc: Doc) -> Doc:
    """Stands in for a parser: gives "Kremlin spokesman Dmitry Peskov sneered" its parse."""
    spec, _ = CASES["organization-role-person"]
    if [t.text for t in doc] == [w for w, *_ in spec]:
        for token, (_, head, dep, pos, _) in zip(doc, spec, strict=True):
            token.head = doc[head]
            token.dep_ = dep
            token.pos_ = pos
    return doc


def test_import_stores_proposed_relations_in_both_layers(store, tmp_path):
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [
            {"label": "ORG", "pattern": "Kremlin"},
            {"label": "PERSON", "pattern": [{"TEXT": "Dmitry"}, {"TEXT": "Peskov"}]},
        ]
    )
    nlp.add_pipe("fixed_parse", name="parser")
    path = tmp_path / "a.txt"
    path.write_text("Kremlin spokesman Dmitry Peskov sneered", encoding="utf-8")
    [doc_id] = run_import(store, Pipeline(nlp), [path]).doc_ids
    doc = store.load_document(doc_id)
    for layer in (Layer.MODEL, Layer.GOLD):
        annotations = doc.layer(layer)
        spans = {s.id: doc.text[s.start : s.end] for s in annotations.spans}
        assert [(spans[r.head], r.label, spans[r.child]) for r in annotations.relations] == [
            ("Dmitry Peskov", "ORG-AFF", "Kremlin")
        ]


# ---- which rule proposed a relation, and rules switched off -----------------------


def kremlin_pipeline(rules_file=None) -> Pipeline:
    """blank:en with an EntityRuler and a stand-in parser, so the bundled
    organization-role-person rule proposes "Dmitry Peskov" ORG-AFF "Kremlin"."""
    nlp = load_pipeline("blank:en")
    nlp.add_pipe("entity_ruler").add_patterns(
        [
            {"label": "ORG", "pattern": "Kremlin"},
            {"label": "PERSON", "pattern": [{"TEXT": "Dmitry"}, {"TEXT": "Peskov"}]},
        ]
    )
    nlp.add_pipe("fixed_parse", name="parser")
    return Pipeline(nlp, load_rules(rules_file) if rules_file else None)


KREMLIN = "Kremlin spokesman Dmitry Peskov sneered"


def stored_relations(store, doc_id: int) -> list[tuple[str, str, str | None]]:
    return store.conn.execute(
        "SELECT layer, label, rule FROM relations WHERE doc_id = ? ORDER BY layer DESC, id",
        [doc_id],
    ).fetchall()


def test_import_records_the_rule_on_the_model_relation_only(store, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(KREMLIN, encoding="utf-8")
    [doc_id] = run_import(store, kremlin_pipeline(), [path]).doc_ids
    assert stored_relations(store, doc_id) == [
        ("model", "ORG-AFF", "organization-role-person"),
        ("gold", "ORG-AFF", None),  # the reviewer's layer: no rule
    ]
    doc = store.load_document(doc_id)
    assert [r.rule for r in doc.model.relations] == ["organization-role-person"]
    assert [r.rule for r in doc.gold.relations] == [None]


def test_reannotation_records_the_rule(store, tmp_path):
    from annotator.reannotate import run_reannotation

    path = tmp_path / "a.txt"
    path.write_text(KREMLIN, encoding="utf-8")
    no_parser = load_pipeline("blank:en")
    no_parser.meta["name"] = "no_parser"  # another pipeline than kremlin_pipeline's
    [doc_id] = run_import(store, Pipeline(no_parser), [path]).doc_ids
    assert stored_relations(store, doc_id) == []
    report = run_reannotation(store, kremlin_pipeline(), "test")
    assert report.reannotated == 1
    assert stored_relations(store, doc_id) == [
        ("model", "ORG-AFF", "organization-role-person"),
        ("gold", "ORG-AFF", None),
    ]


def test_a_relation_several_rules_propose_is_the_first_rule_s(tmp_path):
    [rule] = [r for r in load_rules() if r.id == "organization-role-person"]
    rules = [
        RelationRule("second", rule.label, rule.head_types, rule.child_types, rule.pattern),
        RelationRule("first", rule.label, rule.head_types, rule.child_types, rule.pattern),
    ]
    spec, _ = CASES["organization-role-person"]
    for order in (rules, rules[::-1]):
        found = RelationExtractor(NLP.vocab, order)(parsed(spec))
        assert [(r.label, r.rule) for r in found] == [("ORG-AFF", order[0].id)]


def test_a_switched_off_rule_proposes_nothing_at_the_next_import(store, tmp_path):
    rules_file = tmp_path / "rules.json"
    rules_file.write_bytes(default_rules_path().read_bytes())
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(KREMLIN, encoding="utf-8")
    second.write_text(KREMLIN + "\n", encoding="utf-8")
    [before] = run_import(store, kremlin_pipeline(rules_file), [first]).doc_ids
    assert [rule for *_, rule in stored_relations(store, before)] == [
        "organization-role-person",
        None,
    ]
    assert switch_off(rules_file, ["organization-role-person"]) == ["organization-role-person"]
    [rule] = [r for r in load_rules(rules_file) if r.id == "organization-role-person"]
    assert rule.enabled is False
    [after] = run_import(store, kremlin_pipeline(rules_file), [second]).doc_ids
    assert stored_relations(store, after) == []
    # the others still propose: the extractor keeps every rule switched on
    extractor = kremlin_pipeline(rules_file).relations
    assert extractor is not None
    assert set(extractor.rules) == {r.id for r in load_rules()} - {"organization-role-person"}


def test_enabled_must_be_true_or_false_and_ids_unique(tmp_path):
    path = tmp_path / "rules.json"
    pattern = '[{"RIGHT_ID": "head", "RIGHT_ATTRS": {}}, {"LEFT_ID": "head", "REL_OP": ">", '
    pattern += '"RIGHT_ID": "child", "RIGHT_ATTRS": {}}]'
    path.write_text(
        f'{{"rules": [{{"id": "x", "label": "PHYS", "enabled": "no", "pattern": {pattern}}}]}}'
    )
    with pytest.raises(RelationRuleError, match=r"rule #1 \(x\): 'enabled' must be true or false"):
        load_rules(path)
    rule = f'{{"id": "x", "label": "PHYS", "pattern": {pattern}}}'
    path.write_text(f'{{"rules": [{rule}, {rule}]}}')
    with pytest.raises(RelationRuleError, match=r"rule #2: the id 'x' is also rule #1's"):
        load_rules(path)
