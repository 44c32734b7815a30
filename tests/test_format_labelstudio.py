"""Label Studio JSON (issue 11): the tasks annotator writes, the exports Label
Studio writes read back, every bad input named, and Label Studio's own converter
reading our export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import whitespace_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_formats import annotations, documents, stored

from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats import labelstudio
from annotator.formats.labelstudio import LabelStudioWriter, labeling_config, looks_like, read_file
from annotator.formats.records import FormatError, Record, RecordSpan
from annotator.formats.registry import file_formats, get_format
from annotator.formats.writing import WriteSettings
from annotator.importer import plan_import, run_import
from annotator.model import Label, LabelKind, Layer, Relation, Status, make_span
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.sources import file_format_of, read_source
from annotator.store import Store


@pytest.fixture(scope="module")
def tokenizer_only():
    return Pipeline(load_pipeline("blank:en"), relation_rules=[])


def accepted(store: Store, text: str, entities: dict[str, str]) -> int:
    [doc_id] = store.add_documents([whitespace_document(text, entities)])
    assert doc_id is not None
    store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    return doc_id


def written(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


# -- the format as written ----------------------------------------------------------


def test_the_registry_entry():
    fmt = get_format("labelstudio")
    assert (fmt.suffix, fmt.folder, fmt.file_suffixes) == (".json", False, (".json",))
    assert fmt.writer == "annotator.formats.labelstudio:LabelStudioWriter"
    assert fmt in file_formats() and fmt.imports
    assert file_format_of(Path("tasks.JSON")) is fmt


def test_a_gold_export_is_an_array_of_tasks_with_annotations(tmp_path, store):
    doc_id = accepted(store, "Ada Lovelace met Babbage in London", {"Lovelace": "PERSON"})
    doc = store.load_document(doc_id)
    [lovelace] = doc.gold.spans
    london = store.add_span(doc_id, doc.version, make_span(doc.tokens, 5, 5, "GPE"))
    assert london.span is not None
    store.add_relation(doc_id, london.version, lovelace.id, london.span.id, "PHYS")
    target = tmp_path / "tasks.json"
    report = export(store, target, ExportOptions(format="labelstudio"))
    assert report.files == [target, tmp_path / "tasks.label-config.xml"]
    [task] = written(target)
    assert task["id"] == doc_id
    assert task["data"]["text"] == "Ada Lovelace met Babbage in London"
    assert task["data"]["meta"]["document_id"] == doc_id
    assert task["data"]["meta"]["layer"] == "gold"
    assert "predictions" not in task
    [annotation] = task["annotations"]
    assert "completed_by" not in annotation  # Label Studio wants a user id or email there
    assert annotation["result"] == [
        {
            "id": f"{doc_id}-e1",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 4, "end": 12, "text": "Lovelace", "labels": ["PERSON"]},
        },
        {
            "id": f"{doc_id}-e2",
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 28, "end": 34, "text": "London", "labels": ["GPE"]},
        },
        {
            "from_id": f"{doc_id}-e1",
            "to_id": f"{doc_id}-e2",
            "type": "relation",
            "direction": "right",
            "labels": ["PHYS"],
        },
    ]


def test_a_model_layer_export_goes_to_predictions(tmp_path, store):
    doc_id = accepted(store, "Ada Lovelace met Babbage in London", {"London": "GPE"})
    doc = store.load_document(doc_id)
    store.delete_span(doc_id, doc.version, doc.gold.spans[0].id)  # gold now differs
    target = tmp_path / "model.json"
    export(store, target, ExportOptions(format="labelstudio", layer=Layer.MODEL))
    [task] = written(target)
    assert "annotations" not in task
    [prediction] = task["predictions"]
    assert prediction["model_version"]  # Label Studio groups predictions by it
    assert [r["value"]["text"] for r in prediction["result"]] == ["London"]
    assert task["data"]["meta"]["layer"] == "model"
    export(store, tmp_path / "gold.json", ExportOptions(format="labelstudio"))
    assert written(tmp_path / "gold.json")[0]["annotations"] == [{"result": []}]


def test_an_undirected_relation_is_written_both_ways_and_read_back_once(tmp_path, store):
    doc_id = accepted(store, "Ada met Babbage", {"Ada": "PERSON", "Babbage": "PERSON"})
    doc = store.load_document(doc_id)
    ada, babbage = doc.gold.spans
    store.add_relation(doc_id, doc.version, ada.id, babbage.id, "PER-SOC")  # undirected
    target = tmp_path / "tasks.json"
    export(store, target, ExportOptions(format="labelstudio"))
    [task] = written(target)
    [relation] = [r for r in task["annotations"][0]["result"] if r["type"] == "relation"]
    assert relation["direction"] == "bi"
    [(_, record)] = read_file(target, target.read_text(encoding="utf-8"))
    assert record.relations == (Relation(0, 1, "PER-SOC"),)


def test_the_writer_streams_a_valid_array(tmp_path):
    settings = WriteSettings(target=tmp_path / "none.json")
    empty = LabelStudioWriter(settings)
    assert empty.finish() == [settings.target, tmp_path / "none.label-config.xml"]
    assert settings.target.read_text() == "[]\n"
    writer = LabelStudioWriter(WriteSettings(target=tmp_path / "two.json"))
    for i in range(2):
        writer.add(Record(f"text {i}", (RecordSpan(0, 4, "X"),), meta={"document_id": i + 1}))
    path, _ = writer.finish()
    lines = path.read_text().splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 4  # one task a line
    assert [t["id"] for t in json.loads(path.read_text())] == [1, 2]
    aborted = LabelStudioWriter(WriteSettings(target=tmp_path / "gone.json"))
    aborted.add(Record("text"))
    aborted.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "none.json",
        "none.label-config.xml",
        "two.json",
        "two.label-config.xml",
    ]


def test_offsets_count_code_points_as_label_studio_does(tmp_path):
    # the case of Label Studio's own front-end test (tests/.../ner/emoji): "test" is 21..25
    text = "🐱 Warning: This is a test text"
    assert text[21:25] == "test"
    task = labelstudio.to_task(Record(text, (RecordSpan(21, 25, "region"),)))
    assert task["annotations"][0]["result"][0]["value"] == {
        "start": 21,
        "end": 25,
        "text": "test",
        "labels": ["region"],
    }
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    [(_, record)] = read_file(path, path.read_text(encoding="utf-8"))
    assert record.spans == (RecordSpan(21, 25, "region"),)


def test_the_labeling_config_matches_the_tasks():
    labels = [
        Label("PERSON", LabelKind.ENTITY, "#aa9cfc"),
        Label('A&B"<', LabelKind.ENTITY, "#123456"),
        Label("PER-SOC", LabelKind.RELATION, "#e8590c", directed=False),
    ]
    view = ET.fromstring(labeling_config(labels))
    [control] = view.findall("Labels")
    assert (control.get("name"), control.get("toName")) == ("label", "text")
    assert [lab.get("value") for lab in control] == ["PERSON", 'A&B"<']
    assert [r.get("value") for r in view.find("Relations") or ()] == ["PER-SOC"]
    [text] = view.findall("Text")
    assert (text.get("name"), text.get("value")) == ("text", "$text")
    assert ET.fromstring(labeling_config(labels[:1])).find("Relations") is None


# -- round trip ----------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=documents())
def test_round_trip(tmp_path_factory, tokenizer_only, doc):
    tmp = tmp_path_factory.mktemp("labelstudio")
    source, doc_id = stored(tmp, doc)
    target = tmp / "out.json"
    export(source, target, ExportOptions(format="labelstudio"))
    with Store.open(tmp / "again.db") as again:
        report = run_import(again, tokenizer_only, [target])
        assert report.problems == [] and report.imported == 1
        [new_id] = report.doc_ids
        assert annotations(again, new_id) == annotations(source, doc_id)
        assert annotations(again, new_id, Layer.MODEL) == annotations(source, doc_id)
    source.close()


def test_round_trip_of_each_layer(tmp_path, store, tokenizer_only):
    doc_id = accepted(store, "Ada met Babbage in London", {"Ada": "PERSON", "London": "GPE"})
    doc = store.load_document(doc_id)
    store.add_span(doc_id, doc.version, make_span(doc.tokens, 2, 2, "PERSON"))  # + Babbage
    for layer in (Layer.MODEL, Layer.GOLD):  # a reviewer's database (no final layer)
        target = tmp_path / f"{layer.value}.json"
        export(store, target, ExportOptions(format="labelstudio", layer=layer))
        with Store.open(tmp_path / f"{layer.value}.db") as again:
            [new_id] = run_import(again, tokenizer_only, [target]).doc_ids
            assert annotations(again, new_id)[1] == annotations(store, doc_id, layer)[1]
    assert annotations(store, doc_id, Layer.GOLD) != annotations(store, doc_id, Layer.MODEL)


# -- reading Label Studio's own exports -----------------------------------------------

# A task as Label Studio 1.x exports it (Export > JSON): its own ids, annotation
# bookkeeping, "data" after the annotations, no value.text in one span, a
# cancelled annotation first, and a relation pointing right to left.
LABEL_STUDIO_EXPORT = [
    {
        "id": 41,
        "annotations": [
            {
                "id": 7,
                "completed_by": 1,
                "result": [],
                "was_cancelled": True,
                "ground_truth": False,
                "created_at": "2024-05-02T10:00:00.000000Z",
                "lead_time": 3.1,
            },
            {
                "id": 8,
                "completed_by": 1,
                "result": [
                    {
                        "value": {"start": 0, "end": 7, "text": "Armenia", "labels": ["GPE"]},
                        "id": "Xk2-v9aQ1b",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "origin": "manual",
                    },
                    {
                        "value": {"start": 51, "end": 65, "labels": ["PERSON"]},
                        "id": "0aPq7Lm_3Z",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "origin": "prediction",
                    },
                    {
                        "from_id": "Xk2-v9aQ1b",
                        "to_id": "0aPq7Lm_3Z",
                        "type": "relation",
                        "direction": "left",
                        "labels": ["ORG-AFF"],
                    },
                    {
                        "value": {"choices": ["Politics"]},
                        "id": "c1",
                        "from_name": "topic",
                        "to_name": "text",
                        "type": "choices",
                    },
                ],
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2024-05-02T10:01:00.000000Z",
                "updated_at": "2024-05-02T10:01:00.000000Z",
                "lead_time": 20.5,
                "prediction": {},
                "result_count": 0,
                "task": 41,
                "project": 3,
                "updated_by": 1,
            },
        ],
        "file_upload": "a1b2c3-articles.json",
        "drafts": [],
        "predictions": [],
        "data": {
            "text": "Armenia signed an accord on Tuesday with Secretary Antony Blinken.",
            "title": "Accord",
        },
        "meta": {},
        "created_at": "2024-05-02T09:59:00.000000Z",
        "updated_at": "2024-05-02T10:01:00.000000Z",
        "inner_id": 1,
        "total_annotations": 1,
        "cancelled_annotations": 1,
        "total_predictions": 0,
        "project": 3,
        "updated_by": 1,
    },
    {  # not annotated yet: the pre-annotation is read
        "id": 42,
        "annotations": [],
        "predictions": [
            {
                "model_version": "en_core_web_sm",
                "score": 0.5,
                "result": [
                    {
                        "id": "p1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 0, "end": 6, "text": "Russia", "labels": ["GPE"]},
                    }
                ],
            }
        ],
        "data": {"text": "Russia watched."},
    },
    {"id": 43, "data": {"text": "Nothing was labelled here."}},
]


def test_an_export_as_label_studio_writes_it_is_imported(tmp_path, store, tokenizer_only):
    path = tmp_path / "project-3-at-2024-05-02.json"
    path.write_text(json.dumps(LABEL_STUDIO_EXPORT, indent=2), encoding="utf-8")
    assert looks_like(path.read_text(encoding="utf-8")[:1024])
    report = run_import(store, tokenizer_only, [path])
    assert report.problems == [] and report.imported == 3
    first, second, third = (store.load_document(i) for i in report.doc_ids)
    text = first.text
    assert [(text[s.start : s.end], s.label) for s in first.gold.spans] == [
        ("Armenia", "GPE"),
        ("Antony Blinken", "PERSON"),
    ]
    [relation] = first.gold.relations
    spans = {s.id: text[s.start : s.end] for s in first.gold.spans}
    # "left": the relation points from to_id to from_id
    assert (spans[relation.head], relation.label, spans[relation.child]) == (
        "Antony Blinken",
        "ORG-AFF",
        "Armenia",
    )
    assert first.meta["title"] == "Accord" and first.meta["labelstudio_id"] == 41
    assert first.meta["source"] == f"{path.name}:2"  # the line its task starts on
    assert [(s.start, s.end, s.label) for s in second.gold.spans] == [(0, 6, "GPE")]
    assert third.gold.spans == ()


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('{"data": {"text": "a"}}', None, "it holds a single JSON object (put it in [ ]"),
        ("[1, 2", 1, "task 1: a task must be a JSON object, not a number"),
        ('[\n{"data": {"text": "a"}}\n{"data": {}}]', 3, "expected , or ] after task 1"),
        ('[{"data": {"text": "a"}}] x', 1, "more after the array"),
        ('[\n{"id": 1, "data": {"text": "a"},}\n]', 2, "task 1: not valid JSON (Expecting"),
        ('[{"id": 7}]', 1, 'task 1 (id 7): has no "data" object'),
        ('[{"id": "t7", "data": {"content": "a"}}]', 1, 'task 1 (id "t7"): "data" has no "text"'),
        ('[{"data": {"text": " "}}]', 1, '"data.text" is empty'),
        ('[{"data": {"text": "a\\u0000b"}}]', 1, "contains a NUL character (at offset 1)"),
        ('[{"data": {"text": "a \\ud800"}}]', 1, "not valid Unicode"),
        ('[{"data": {"text": "a"}, "annotations": {}}]', 1, '"annotations" must be a list'),
    ],
)
def test_a_file_that_is_not_a_task_list_is_named(tmp_path, content, line, message):
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    source = read_source(path)
    [problem] = source.problems
    assert message in problem.message
    assert problem.line == line


def span(start, end, label, text=None, id_="s1"):
    value = {"start": start, "end": end, "labels": [label] if isinstance(label, str) else label}
    if text is not None:
        value["text"] = text
    return {"id": id_, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def relation(from_id, to_id, labels=("PHYS",), direction="right"):
    return {
        "from_id": from_id,
        "to_id": to_id,
        "type": "relation",
        "direction": direction,
        "labels": list(labels),
    }


TEXT = "Armenia signed an accord in Yerevan"


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([span(0, 7, "GPE", "Armen")], "says 'Armen' but the text at 0..7 reads 'Armenia'"),
        ([span(0, 99, "GPE")], "span 0..99 (GPE) lies outside the text (length 35)"),
        ([span("0", 7, "GPE")], "value.start and value.end must be character offsets"),
        ([span(0, 7, "GPE"), span(0, 14, "ORG", id_="s2")], "span 0..14 (ORG) overlaps"),
        ([span(0, 7, "Geo political")], "a label is one word"),
        ([span(0, 7, ["GPE", "ORG"])], "span 0..7 has 2 labels (GPE, ORG); annotator keeps one"),
        ([span(0, 7, [])], "span 0..7 has no label"),
        ([span(0, 7, "GPE"), span(28, 35, "GPE")], "region 's1' is labelled twice"),
        ([span(0, 7, "GPE"), relation("s1", "zz")], "to_id 'zz' is not the id of one of its"),
        ([span(0, 7, "GPE"), relation(["s1"], "s1")], "from_id ['s1'] is not the id"),
        (
            [span(0, 7, "GPE"), span(28, 35, "GPE", id_="s2"), relation("s1", "s2", ())],
            "relation 's1' -> 's2' has no label; annotator's relations need one",
        ),
        (
            [span(0, 7, "GPE"), span(28, 35, "GPE", id_="s2"), relation("s1", "s2", ["a b"])],
            "relation label 'a b' is not one word",
        ),
        (
            [span(0, 7, "GPE"), span(28, 35, "GPE", id_="s2"), relation("s1", "s2", ["P"], "up")],
            "has the direction 'up'",
        ),
        ([span(0, 7, "GPE"), relation("s1", "s1")], "relation PHYS links a span to itself"),
        ([{"type": "hypertextlabels", "value": {}}], "holds a 'hypertextlabels' result"),
        ([{"type": "labels", "value": None}], 'a result has no "value" object'),
        ([{"type": "labels", "id": {}, "value": {}}], "must be character offsets"),
        ("nope", '"annotations[].result" must be a list of objects'),
    ],
)
def test_a_bad_result_is_named_with_its_task_and_line(tmp_path, result, message):
    tasks = [
        {"id": 1, "data": {"text": TEXT}},
        {"id": 2, "data": {"text": TEXT}, "annotations": [{"result": result}]},
    ]
    path = tmp_path / "in.json"
    path.write_text("[\n" + ",\n".join(json.dumps(t) for t in tasks) + "\n]", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        list(read_file(path, path.read_text(encoding="utf-8")))
    assert caught.value.where == f"{path}:3"
    assert caught.value.message.startswith("task 2 (id 2): ")
    assert message in caught.value.message
    [problem] = read_source(path).problems
    assert problem.line == 3 and problem.message == caught.value.message


def test_which_annotation_is_read():
    gpe, org = [span(0, 7, "GPE")], [span(0, 7, "ORG")]
    cancelled = {"result": gpe, "was_cancelled": True}
    cases = [
        ({"annotations": [{"result": gpe}, {"result": org}]}, "GPE"),  # the first
        ({"annotations": [cancelled, {"result": org}]}, "ORG"),
        ({"annotations": [cancelled], "predictions": [{"result": org}]}, "ORG"),
        ({"annotations": [], "predictions": [{"result": gpe}, {"result": org}]}, "GPE"),
        ({"completions": [{"result": gpe, "skipped": True}, {"result": org}]}, "ORG"),
        ({"annotations": [cancelled]}, None),
    ]
    for fields, label in cases:
        record = labelstudio.from_task({"data": {"text": TEXT}, **fields}, "in.json:1")
        assert [s.label for s in record.spans] == ([label] if label else []), fields


def test_spans_that_do_not_fall_on_tokens_name_the_line(tmp_path, store, tokenizer_only):
    path = tmp_path / "in.json"
    tasks = [
        {"data": {"text": TEXT}},
        {"data": {"text": TEXT}, "predictions": [{"result": [span(0, 5, "GPE")]}]},
    ]
    path.write_text("[\n" + ",\n".join(json.dumps(t) for t in tasks) + "\n]", encoding="utf-8")
    plan = plan_import(store, [path], tokenizer_only)
    [problem] = plan.problems
    assert (problem.line, problem.message) == (
        3,
        "span 0..5 (GPE) does not align to token boundaries",
    )


def test_the_sniff():
    export_head = json.dumps(LABEL_STUDIO_EXPORT, indent=2)[:1024]
    assert '"data"' not in export_head  # Label Studio writes it after the annotations
    assert looks_like(export_head)
    assert looks_like('[{"data": {"text": "x"}}]')
    assert looks_like('\ufeff [\n  {"id": 1, "data": {')
    assert not looks_like("[]")
    assert not looks_like('{"data": {"text": "x"}}')
    assert not looks_like('[{"text": "x", "spans": []}]')
    assert not looks_like('[{"text": "x", "annotations": [{"label": "A"}]}]')
    assert not looks_like('{"text": "x"}\n{"text": "y"}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
results = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(["a", "b", 1]) | json_values,
            "type": st.sampled_from(["labels", "relation", "choices", "rectanglelabels"]),
            "value": st.fixed_dictionaries(
                {},
                optional={
                    "start": st.integers(-1, 12) | json_values,
                    "end": st.integers(-1, 12) | json_values,
                    "text": st.text(max_size=4) | json_values,
                    "labels": st.lists(st.sampled_from(["GPE", "a b", ""]), max_size=2),
                },
            )
            | json_values,
            "from_id": st.sampled_from(["a", "b", 1]) | json_values,
            "to_id": st.sampled_from(["a", "b"]) | json_values,
            "direction": st.sampled_from(["right", "left", "bi", "x"]),
            "labels": st.lists(st.sampled_from(["R", "a b"]), max_size=2) | json_values,
        },
    ),
    max_size=4,
)
tasks = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "data": st.fixed_dictionaries({}, optional={"text": st.text(max_size=12) | json_values})
        | json_values,
        "annotations": st.lists(
            st.fixed_dictionaries(
                {}, optional={"result": results | json_values, "was_cancelled": st.booleans()}
            )
        )
        | json_values,
        "predictions": st.lists(st.fixed_dictionaries({"result": results})) | json_values,
        "meta": json_values,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tasks | json_values, max_size=3) | json_values)
def test_whatever_a_json_file_holds_gives_documents_or_named_problems(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "in.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    source = read_source(path)  # never raises
    for problem in source.problems:
        assert problem.message and problem.path == path
    for document in source.documents:
        assert document.annotations is not None
        document.annotations.check("again")


# -- Label Studio's own converter reads our export ----------------------------------


def test_label_studio_converter_reads_the_export(sample_store, tmp_path):
    """label-studio-converter (the converter Label Studio runs for its JSON_MIN and
    CONLL2003 exports) reads our tasks with our labeling config: every gold span
    comes back with its offsets, text and label."""
    from label_studio_converter import Converter
    from label_studio_tools.core.label_config import parse_config
    from nltk.tokenize.treebank import TreebankWordTokenizer

    emoji = accepted(sample_store, "🐱 Ada Lovelace met Babbage in London .", {"London": "GPE"})
    for doc_id in sample_store.document_ids():
        sample_store.set_status(doc_id, sample_store.document_version(doc_id), Status.ACCEPTED)
    target = tmp_path / "tasks.json"
    export(sample_store, target, ExportOptions(format="labelstudio"))
    config = labeling_config(sample_store.labels())
    schema = parse_config(config)
    assert schema["label"]["to_name"] == ["text"]
    assert set(schema["label"]["labels"]) >= {"PERSON", "GPE", "ORG"}

    gold = {}
    for doc_id in sample_store.document_ids():
        doc = sample_store.load_document(doc_id)
        gold[doc_id] = [
            (s.start, s.end, doc.text[s.start : s.end], s.label) for s in doc.gold.spans
        ]
    assert all(gold.values()) and gold[emoji] == [(30, 36, "London", "GPE")]
    converter = Converter(config, project_dir=str(tmp_path), download_resources=False)
    assert "CONLL2003" in converter.supported_formats
    converter.convert_to_json_min(str(target), str(tmp_path / "min"), is_dir=False)
    rows = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    assert {
        row["id"]: [(e["start"], e["end"], e["text"], *e["labels"]) for e in row["label"]]
        for row in rows
    } == gold

    converter.convert_to_conll2003(str(target), str(tmp_path / "conll"), is_dir=False)
    blocks = (tmp_path / "conll" / "result.conll").read_text(encoding="utf-8").split("\n\n")
    conll_docs = [
        [line.split(" ") for line in block.splitlines() if not line.startswith("-DOCSTART-")]
        for block in blocks
        if block.strip()
    ]
    assert len(conll_docs) == len(gold)
    # CoNLL is per token, and the converter tokenizes with NLTK's Treebank tokenizer
    # ("Armenia-Azerbaijan" is one token there, as is a word with a curly apostrophe):
    # every token it tags lies on a gold span of that label, and every gold span has
    # its tagged tokens.
    for rows_of_doc, (doc_id, expected) in zip(conll_docs, gold.items(), strict=True):
        text = sample_store.load_document(doc_id).text
        offsets = list(TreebankWordTokenizer().span_tokenize(text))
        assert [text[s:e] for s, e in offsets] == [row[0] for row in rows_of_doc]
        tagged = [
            (s, e, row[-1][2:])
            for (s, e), row in zip(offsets, rows_of_doc, strict=True)
            if row[-1] != "O"
        ]
        for s, e, label in tagged:
            assert any(gs < e and s < ge and label == g for gs, ge, _, g in expected)
        for gs, ge, _, g in expected:
            assert any(gs < e and s < ge and label == g for s, e, label in tagged)
        assert {row[-1][:2] for row in rows_of_doc} <= {"B-", "I-", "O"}


def test_the_export_writes_the_labeling_config_beside_the_tasks(tmp_path, store):
    """OUT.label-config.xml: what Label Studio needs to show the exported tasks."""
    import xml.etree.ElementTree as ET

    from helpers import whitespace_document

    from annotator.export_options import ExportOptions
    from annotator.exporter import export
    from annotator.model import Status

    [doc_id] = store.add_documents(
        [whitespace_document("Ada met Babbage in London", {"London": "GPE"})]
    )
    store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    target = tmp_path / "tasks.json"
    report = export(store, target, ExportOptions(format="labelstudio"))
    config = tmp_path / "tasks.label-config.xml"
    assert report.files == [target, config]
    root = ET.fromstring(config.read_text(encoding="utf-8"))
    labels = root.find("Labels")
    assert labels is not None and labels.get("name") == "label"
    assert "GPE" in {label.get("value") for label in labels}
    assert {"tasks.json", "tasks.label-config.xml"} <= {p.name for p in tmp_path.iterdir()}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
