"""`annotator eval --relations-by-rule`: each relation rule's precision on the
reviews, and `--disable-below` switching the weak rules off in a rules file.

The database is made by hand: model relations with the rule ids an import would
record, then a reviewer's edits of the gold layer through the store (kept,
deleted, relabelled, a span moved, an undirected relation reversed)."""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import whitespace_document
from sqlite_utils import Database

from annotator.cli import main
from annotator.model import Relation, Status
from annotator.relation_rules import (
    RelationRuleError,
    default_rules_path,
    load_rules,
    switch_off,
)
from annotator.store import Store

PEOPLE_AND_PLACES = {
    **dict.fromkeys(["Ana", "Bo", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal"], "PERSON"),
    **dict.fromkeys(["Paris", "Rome"], "GPE"),
    "NATO": "ORG",
}
ONE = "Ana met Bo and Cy in Paris and Rome ; Dee joined NATO"
# spans of ONE, by index: Ana 0, Bo 1, Cy 2, Paris 3, Rome 4, Dee 5, NATO 6
PLACE, JOIN, COUNTRY = "person-in-place", "join-organization", "place-in-country"


def document(text: str, *relations: Relation):
    return replace(whitespace_document(text, PEOPLE_AND_PLACES), relations=relations)


def gold_relation(store: Store, doc_id: int, head: str, label: str) -> int:
    doc = store.load_document(doc_id)
    words = {s.id: doc.text[s.start : s.end] for s in doc.gold.spans}
    [found] = [r.id for r in doc.gold.relations if words[r.head] == head and r.label == label]
    assert found is not None
    return found


def gold_span(store: Store, doc_id: int, word: str) -> int:
    doc = store.load_document(doc_id)
    [found] = [s.id for s in doc.gold.spans if doc.text[s.start : s.end] == word]
    assert found is not None
    return found


@pytest.fixture
def reviewed(store: Store, db_path: Path) -> Path:
    """Four documents; three accepted.

    person-in-place: Ana-Paris kept, Bo-Paris deleted, Cy-Rome relabelled  -> 1 of 3
    join-organization: Dee-NATO with "Dee" moved to "Dee joined", Eve-NATO kept -> 1 of 2
    place-in-country: Paris-Rome kept -> 1 of 1
    siblings (not in the rules file): Gus-Hal PER-SOC reversed, undirected -> 1 of 1
    Ana-Rome PHYS has no rule (read from a file): not counted
    Fay-NATO (deleted) is in a document still to do: not counted
    """
    one, two, todo, four = store.add_documents(
        [
            document(
                ONE,
                Relation(0, 3, "PHYS", rule=PLACE),
                Relation(1, 3, "PHYS", rule=PLACE),
                Relation(2, 4, "PHYS", rule=PLACE),
                Relation(5, 6, "ORG-AFF", rule=JOIN),
                Relation(3, 4, "PART-WHOLE", rule=COUNTRY),
                Relation(0, 4, "PHYS"),
            ),
            document("Eve joined NATO", Relation(0, 1, "ORG-AFF", rule=JOIN)),
            document("Fay joined NATO", Relation(0, 1, "ORG-AFF", rule=JOIN)),
            document("Gus and Hal argued", Relation(0, 1, "PER-SOC", rule="siblings")),
        ]
    )
    assert one and two and todo and four
    v = store.delete_relation(one, 1, gold_relation(store, one, "Bo", "PHYS")).version
    v = store.relabel_relation(one, v, gold_relation(store, one, "Cy", "PHYS"), "ORG-AFF").version
    v = store.move_span(one, v, gold_span(store, one, "Dee"), 10, 11).version
    store.set_status(one, v, Status.ACCEPTED)
    store.set_status(two, 1, Status.ACCEPTED)
    v = store.reverse_relation(four, 1, gold_relation(store, four, "Gus", "PER-SOC")).version
    store.set_status(four, v, Status.ACCEPTED)
    store.delete_relation(todo, 1, gold_relation(store, todo, "Fay", "ORG-AFF"))
    return db_path


def rule_table(db: Path, capsys, *options: str) -> str:
    """What `annotator eval --relations-by-rule` prints (it must succeed)."""
    capsys.readouterr()
    assert main(["eval", "--db", str(db), "--relations-by-rule", *options]) == 0
    return capsys.readouterr().out


def by_rule(db: Path, capsys, *options: str) -> dict:
    return json.loads(rule_table(db, capsys, "--json", *options))


def below(precision: float, min_proposals: int) -> list[str]:
    return ["--disable-below", str(precision), "--min-proposals", str(min_proposals)]


def test_the_model_layer_keeps_each_relation_s_rule(store: Store, reviewed: Path):
    doc = store.load_document(store.document_ids(Status.ACCEPTED)[0])
    assert [r.rule for r in doc.model.relations] == [PLACE, PLACE, PLACE, JOIN, COUNTRY, None]
    assert {r.rule for r in doc.gold.relations} == {None}


def test_precision_per_rule(reviewed: Path, capsys):
    result = by_rule(reviewed, capsys)
    assert result["documents"] == 3
    assert result["without_rule"] == 1
    assert result["rules_file"] == str(default_rules_path())
    rows = [
        (r["rule"], r["label"], r["state"], r["proposed"], r["kept"], r["precision"])
        for r in result["rules"]
    ]
    assert rows == [
        (PLACE, "PHYS", "on", 3, 1, 1 / 3),
        (JOIN, "ORG-AFF", "on", 2, 1, 0.5),
        (COUNTRY, "PART-WHOLE", "on", 1, 1, 1.0),
        ("siblings", "PER-SOC", "not in file", 1, 1, 1.0),
        ("membership", "ORG-AFF", "on", 0, 0, None),
        ("nationality-role-person", "GEN-AFF", "on", 0, 0, None),
        ("organization-role-person", "ORG-AFF", "on", 0, 0, None),
        ("possessor-joins", "ORG-AFF", "on", 0, 0, None),
        ("role-of-organization", "ORG-AFF", "on", 0, 0, None),
    ]
    # every status: the document still to do counts, its proposal deleted
    every = {r["rule"]: r for r in by_rule(reviewed, capsys, "--status", "all")["rules"]}
    assert (every[JOIN]["proposed"], every[JOIN]["kept"]) == (3, 1)


def test_the_table_and_rules_switched_off(reviewed: Path, tmp_path: Path, capsys):
    rules_file = tmp_path / "rules.json"
    rules_file.write_bytes(default_rules_path().read_bytes())
    switch_off(rules_file, ["membership"])
    out = rule_table(reviewed, capsys)
    lines = out.splitlines()
    assert lines[0] == f"Rules: {default_rules_path()}"
    assert lines[1] == "Documents: 3"
    assert lines[2].split() == ["rule", "label", "state", "proposed", "kept", "precision"]
    assert lines[3].split() == [PLACE, "PHYS", "on", "3", "1", "0.33"]
    assert lines[6].split() == ["siblings", "PER-SOC", "not", "in", "file", "1", "1", "1.00"]
    assert "1 model relation has no rule id" in out
    state = {
        r["rule"]: r["state"]
        for r in by_rule(reviewed, capsys, "--relation-rules", str(rules_file))["rules"]
    }
    assert state["membership"] == "off"
    assert state[PLACE] == "on"


def test_disable_below_switches_the_weak_rules_off_in_the_file(
    reviewed: Path, tmp_path: Path, capsys
):
    rules_file = tmp_path / "rules.json"
    rules_file.write_bytes(default_rules_path().read_bytes())
    before = rules_file.read_text(encoding="utf-8")
    # under 0.6: person-in-place (1 of 3) and join-organization (1 of 2); only the
    # first has the 3 proposals asked for
    out = rule_table(reviewed, capsys, "--relation-rules", str(rules_file), *below(0.6, 3))
    assert (
        f"Switched off in {rules_file} (precision under 0.6 with at least 3 proposals): "
        f"{PLACE} (1 of 3 kept)." in out
    )
    assert {r.id for r in load_rules(rules_file) if not r.enabled} == {PLACE}
    after = rules_file.read_text(encoding="utf-8")
    # one line added after the rule's id; every other byte as it was
    changes = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changes == ['+   "enabled": false,']
    assert after.index('"enabled": false') > after.index(f'"id": "{PLACE}"')
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # again, with 2 proposals enough: join-organization goes too; person-in-place is
    # off already (shown as off, not switched again)
    result = by_rule(reviewed, capsys, "--relation-rules", str(rules_file), *below(0.6, 2))
    assert result["switched_off"] == [{"rule": JOIN, "kept": 1, "proposed": 2}]
    assert {r["rule"]: r["state"] for r in result["rules"]}[PLACE] == "off"
    assert {r.id for r in load_rules(rules_file) if not r.enabled} == {PLACE, JOIN}
    # nothing under the threshold: said, and the file is not touched
    stamp = rules_file.stat().st_mtime_ns
    out = rule_table(
        reviewed, capsys, "--relation-rules", str(rules_file), "--disable-below", "0.1"
    )
    assert "No rule switched off: none switched on has precision under 0.1" in out
    assert rules_file.stat().st_mtime_ns == stamp


def test_the_bundled_rules_file_is_never_rewritten(reviewed: Path, capsys):
    bundled = default_rules_path()
    content = bundled.read_bytes()
    for extra in ([], ["--relation-rules", str(bundled)]):
        code = main(
            ["eval", "--db", str(reviewed), "--relations-by-rule", "--disable-below", "0.9", *extra]
        )
        assert code == 2
        err = capsys.readouterr().err
        assert f"the bundled one ({bundled}) is never rewritten" in err
        assert f"Copy it first: cp {bundled} relation_rules.json ;" in err
        assert "run this again with --relation-rules relation_rules.json" in err
    assert bundled.read_bytes() == content


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--disable-below", "0.5"], "--disable-below goes with --relations-by-rule."),
        (["--relation-rules", "x.json"], "--relation-rules goes with --relations-by-rule."),
        (
            ["--relations-by-rule", "--relation-rules", "r.json", "--disable-below", "1.5"],
            "--disable-below takes a precision above 0 and at most 1, not 1.5.",
        ),
        (
            [
                "--relations-by-rule",
                "--relation-rules",
                "r.json",
                "--disable-below",
                "0.5",
                "--min-proposals",
                "0",
            ],
            "--min-proposals must be at least 1, not 0.",
        ),
    ],
)
def test_rule_options_are_checked(reviewed: Path, capsys, options, message):
    assert main(["eval", "--db", str(reviewed), *options]) == 2
    assert message in capsys.readouterr().err


def test_a_failed_write_leaves_the_rules_file_as_it_was(tmp_path: Path, monkeypatch):
    rules_file = tmp_path / "rules.json"
    rules_file.write_bytes(default_rules_path().read_bytes())
    content = rules_file.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(
        RelationRuleError,
        match=r"Cannot write relation rules .*rules.json: No space left on device; nothing was",
    ):
        switch_off(rules_file, [PLACE])
    assert rules_file.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ["rules.json"]


def test_a_file_the_text_edit_cannot_keep_is_written_whole(tmp_path: Path):
    """A rule with "enabled": true already (or without an id) is switched off in a
    file written anew: same rules, keys and order, indented as before."""
    rules_file = tmp_path / "rules.json"
    raw = json.loads(default_rules_path().read_text(encoding="utf-8"))
    raw["rules"][0] = {"enabled": True, **raw["rules"][0]}
    del raw["rules"][1]["id"]
    rules_file.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    first = raw["rules"][0]["id"]
    assert switch_off(rules_file, [first, "rule-2"]) == [first, "rule-2"]
    written = json.loads(rules_file.read_text(encoding="utf-8"))
    raw["rules"][0]["enabled"] = False
    raw["rules"][1] = {"enabled": False, **raw["rules"][1]}
    assert written == raw
    assert list(written["rules"][1]) == list(raw["rules"][1])
    assert rules_file.read_text(encoding="utf-8").startswith('{\n  "_comment"')


def test_a_database_from_m006_gets_the_rule_column(tmp_path: Path):
    from annotator.store.schema import migrations

    db = tmp_path / "old.db"
    old = Database(db)
    migrations.apply(old, stop_before="m007_relation_rules")
    old.close()
    with Store.open(db, actor="tester") as store:
        [doc_id] = store.add_documents(
            [document("Eve joined NATO", Relation(0, 1, "ORG-AFF", rule=JOIN))]
        )
        assert doc_id is not None
        assert store.conn.execute("SELECT layer, rule FROM relations ORDER BY id").fetchall() == [
            ("model", JOIN),
            ("gold", None),
        ]
