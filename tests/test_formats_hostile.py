"""Pre-annotated input that would corrupt data is refused with file and line
(issue 10, items 2, 4 and 5; doccano cases of item 7)."""

from __future__ import annotations

import pytest

from annotator.formats import brat, doccano, jsonl
from annotator.formats.records import FormatError

TEXT = "Blinken met Mirzoyan in Armenia"


def test_a_brat_entity_id_used_twice_is_refused_on_its_line():
    ann = "T1\tPERSON 0 7\tBlinken\nT1\tPERSON 12 20\tMirzoyan\nR1\tMET Arg1:T1 Arg2:T1\n"
    with pytest.raises(FormatError, match=r"a\.ann:2.*entity id T1 is used twice"):
        brat.from_ann(TEXT, ann, "a.ann")


def test_a_doccano_entity_id_used_twice_is_refused():
    line = {
        "text": TEXT,
        "entities": [
            {"id": 1, "start_offset": 0, "end_offset": 7, "label": "PERSON"},
            {"id": 1, "start_offset": 12, "end_offset": 20, "label": "PERSON"},
        ],
        "relations": [{"id": 1, "from_id": 1, "to_id": 1, "type": "MET"}],
    }
    with pytest.raises(FormatError, match=r"f\.jsonl:3.*entity id 1 is used twice"):
        doccano.from_line(line, "f.jsonl:3")


@pytest.mark.parametrize("label", ["", "NEW\tLABEL", "TWO WORDS", "LINE\nBREAK"])
def test_labels_must_be_one_word(label):
    task = {"text": TEXT, "spans": [{"start": 0, "end": 7, "label": label}]}
    with pytest.raises(FormatError, match="one word"):
        jsonl.from_task(task, "g.jsonl:1")


def test_self_and_duplicate_relations_are_refused():
    entities = [
        {"id": 1, "start_offset": 0, "end_offset": 7, "label": "PERSON"},
        {"id": 2, "start_offset": 12, "end_offset": 20, "label": "PERSON"},
    ]
    own = {
        "text": TEXT,
        "entities": entities,
        "relations": [{"from_id": 1, "to_id": 1, "type": "X"}],
    }
    with pytest.raises(FormatError, match="links a span to itself"):
        doccano.from_line(own, "f.jsonl:1")
    twice = {
        "text": TEXT,
        "entities": entities,
        "relations": [{"from_id": 1, "to_id": 2, "type": "X"}] * 2,
    }
    with pytest.raises(FormatError, match="given twice"):
        doccano.from_line(twice, "f.jsonl:2")


@pytest.mark.parametrize(
    "line",
    [
        {"text": TEXT, "entities": [], "relations": ["x"]},
        {"text": TEXT, "entities": [{"id": [1], "start_offset": 0, "end_offset": 7, "label": "P"}]},
    ],
)
def test_odd_doccano_values_give_a_message_not_a_traceback(line):
    with pytest.raises(FormatError):
        doccano.from_line(line, "f.jsonl:1")
