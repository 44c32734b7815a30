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


def test_brat_text_with_crlf_keeps_its_offsets(tmp_path):
    """brat offsets count "\\r\\n" as two characters: the text is read as stored."""
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"X\r\nY\r\na b c d")
    (folder / "a.ann").write_bytes(b"T1\tPERSON 6 7\ta\n")
    [(_, record)] = list(brat.read(folder))
    [span] = record.spans
    assert record.text[span.start : span.end] == "a"


def test_brat_export_of_a_crlf_text_reads_back_the_same(tmp_path):
    from annotator.formats.records import Record, RecordSpan

    text = "First line\r\nArmenia and\r\nAzerbaijan"
    record = Record(text, (RecordSpan(12, 19, "GPE"), RecordSpan(24, 34, "GPE")))
    brat.write_record(record, tmp_path, "doc")
    [(_, back)] = list(brat.read(tmp_path))
    assert back.text == text and back.spans == record.spans


def test_a_brat_surface_that_does_not_match_the_text_is_refused():
    with pytest.raises(FormatError, match=r"a\.ann:1.*T1 says 'Mirzoyan'"):
        brat.from_ann(TEXT, "T1\tPERSON 0 7\tMirzoyan\n", "a.ann")


@pytest.mark.parametrize(
    "tokens",
    [
        [(0, 7), (5, 11)],  # overlapping
        [(-1, 7)],  # negative
        [(7, 0)],  # inverted
        [(0, 7), (8, 99)],  # past the end
        [(0, 3), (3, 3)],  # empty
    ],
)
def test_pre_annotated_tokens_are_checked_against_the_text(tokens):
    task = {"text": TEXT, "tokens": [{"start": s, "end": e} for s, e in tokens]}
    with pytest.raises(FormatError, match=r"g\.jsonl:4: token"):
        jsonl.from_task(task, "g.jsonl:4")


def test_a_token_across_a_line_break_is_refused():
    task = {"text": "Angela\nMerkel", "tokens": [{"start": 0, "end": 13}]}
    with pytest.raises(FormatError, match="line break"):
        jsonl.from_task(task, "g.jsonl:1")
