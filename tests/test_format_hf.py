"""The ``hf`` export (issue 11): a Hugging Face ``save_to_disk`` folder, read back
with ``datasets`` itself."""

from __future__ import annotations

import subprocess
import sys

import datasets
import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.export_options import ExportError, ExportOptions
from annotator.exporter import export
from annotator.model import LabelKind, NewDocument, Status, Tokens, make_span
from annotator.store import Store

NLP = spacy.blank("en")
WORDS = st.sampled_from(["Armenia", "signed", "an", "accord", "with", "Blinken", "in", ",", "."])
LABELS = ["PERSON", "ORG", "GPE", "DATE"]
BY_SENTENCE = (("by_sentence", "1"),)


def new_document(text: str, entities: dict[str, str], sentence_starts=(0,)) -> NewDocument:
    """``text`` tokenized by spaCy's blank English; ``entities``: word -> label."""
    doc = NLP(text)
    tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
    spans = tuple(make_span(tokens, t.i, t.i, entities[t.text]) for t in doc if t.text in entities)
    return NewDocument(text, "t", tokens, tuple(sentence_starts), {}, spans)


def accept_all(store: Store, docs: list[NewDocument]) -> list[int]:
    ids = [i for i in store.add_documents(docs) if i is not None]
    for doc_id in ids:
        store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    return ids


def names(dataset: datasets.Dataset, row: dict) -> list[str]:
    return [dataset.features["ner_tags"].feature.int2str(t) for t in row["ner_tags"]]


def valid_iob2(tags: list[str]) -> list[tuple[str, int, int]]:
    """The entities of an IOB2 sequence (label, first, last), checked with seqeval:
    its strict IOB2 reading (which drops an I- that starts nothing) must agree
    with its lenient one."""
    strict = [(e.tag, e.start, e.end - 1) for e in Entities([tags], IOB2).entities[0]]
    assert strict == get_entities(tags), tags
    return strict


def entity_labels(store: Store) -> list[str]:
    return sorted(label.name for label in store.labels(LabelKind.ENTITY))


def test_one_row_per_document_with_iob2_class_labels(tmp_path, store):
    first, second = accept_all(
        store,
        [
            new_document("Ada Lovelace met Babbage in London.", {"Lovelace": "PERSON"}),
            new_document("Armenia \n\n signed in 2024", {"Armenia": "GPE", "2024": "YEAR"}),
        ],
    )
    # a multi-token span: Ada Lovelace
    store.db.execute("UPDATE spans SET start = 0, token_start = 0 WHERE doc_id = ?", [first])
    # a label in the data that the database does not list (the store adds every
    # label it is given; a database edited by hand or an old one may lack one)
    store.db.execute("DELETE FROM labels WHERE name = 'YEAR'")
    store.db.conn.commit()
    report = export(store, tmp_path / "hf", ExportOptions(format="hf"))
    assert report.files == [tmp_path / "hf"] and report.warnings == []
    dataset = datasets.load_from_disk(str(tmp_path / "hf"))
    assert isinstance(dataset, datasets.Dataset)
    assert dataset.column_names == ["id", "tokens", "ner_tags"]
    assert dataset.features["id"] == datasets.Value("string")
    assert dataset.features["tokens"].feature == datasets.Value("string")
    class_label = dataset.features["ner_tags"].feature
    assert isinstance(class_label, datasets.ClassLabel)
    # "O" first, then B-/I- of every entity label of the database, and of the data
    # (YEAR is not a label of the database), sorted: the same ids in every export
    labels = sorted([*entity_labels(store), "YEAR"])
    assert "YEAR" not in entity_labels(store) and "PHYS" not in labels  # no relation labels
    assert class_label.names == ["O", *(f"{p}-{x}" for x in labels for p in "BI")]
    rows = list(dataset)
    assert [r["id"] for r in rows] == [str(first), str(second)]
    assert rows[0]["tokens"] == ["Ada", "Lovelace", "met", "Babbage", "in", "London", "."]
    assert names(dataset, rows[0]) == ["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O"]
    # whitespace tokens are left out, as in the CoNLL export
    assert rows[1]["tokens"] == ["Armenia", "signed", "in", "2024"]
    assert names(dataset, rows[1]) == ["B-GPE", "O", "O", "B-YEAR"]


def test_by_sentence_rows_leave_out_blank_sentences_and_restart_crossing_spans(tmp_path, store):
    text = "Ada met Armenia Blinken .\n\nAt home ."
    #       0   1   2       3       4 5   6  7    8
    doc = new_document(text, {}, sentence_starts=(0, 3, 5, 6))
    span = make_span(doc.tokens, 2, 3, "GPE")  # "Armenia Blinken", across the start at 3
    [doc_id] = accept_all(store, [NewDocument(text, "t", doc.tokens, (0, 3, 5, 6), {}, (span,))])
    report = export(store, tmp_path / "hf", ExportOptions(format="hf", format_options=BY_SENTENCE))
    assert report.warnings == [
        f"document {doc_id}: span 8..23 (GPE) crosses a sentence boundary; the tag after the "
        "boundary is written as B-"
    ]
    dataset = datasets.load_from_disk(str(tmp_path / "hf"))
    rows = list(dataset)
    # sentence 2 is the "\n\n" token alone: no row
    assert [r["id"] for r in rows] == [f"{doc_id}-0", f"{doc_id}-1", f"{doc_id}-3"]
    assert [r["tokens"] for r in rows] == [
        ["Ada", "met", "Armenia"],
        ["Blinken", "."],
        ["At", "home", "."],
    ]
    assert [names(dataset, r) for r in rows] == [["O", "O", "B-GPE"], ["B-GPE", "O"], ["O"] * 3]


def split_rows(folder) -> dict[str, list[dict]]:
    loaded = datasets.load_from_disk(str(folder))
    assert isinstance(loaded, datasets.DatasetDict)
    return {name: list(part) for name, part in loaded.items()}


def document_of(row_id: str) -> int:
    return int(row_id.split("-")[0])


def test_split_gives_train_and_validation_by_document(tmp_path, store):
    docs = [
        new_document(f"Doc {i} Armenia .\nIt signed .", {"Armenia": "GPE"}, (0, 4))
        for i in range(10)
    ]
    ids = accept_all(store, docs)
    options = ExportOptions(format="hf", split=0.7, seed=3, format_options=BY_SENTENCE)
    export(store, tmp_path / "a", options)
    parts = split_rows(tmp_path / "a")
    assert list(parts) == ["train", "validation"]  # the names run_ner.py reads
    documents = {name: {document_of(r["id"]) for r in rows} for name, rows in parts.items()}
    assert len(documents["train"]) == 7 and len(documents["validation"]) == 3
    assert documents["train"].isdisjoint(documents["validation"])  # no document in both
    assert documents["train"] | documents["validation"] == set(ids)
    assert all(len(rows) == 2 * len(documents[name]) for name, rows in parts.items())

    # the same seed draws the same split; the same documents as the spaCy export's
    export(store, tmp_path / "b", options)
    assert split_rows(tmp_path / "b") == parts
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    assert [p.as_posix() for p in files if p.suffix] == [
        "dataset_dict.json",
        "train/data-00000-of-00001.arrow",
        "train/dataset_info.json",
        "train/state.json",
        "validation/data-00000-of-00001.arrow",
        "validation/dataset_info.json",
        "validation/state.json",
    ]
    for file in files:  # byte for byte: the fingerprint in state.json too
        if (tmp_path / "a" / file).is_file():
            assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()

    def train_documents(seed: int) -> set[int]:
        out = tmp_path / f"seed{seed}"
        export(store, out, ExportOptions(format="hf", split=0.7, seed=seed))
        return {document_of(r["id"]) for r in split_rows(out)["train"]}

    seeds = {seed: train_documents(seed) for seed in range(4)}
    assert seeds[3] == documents["train"]
    assert len({frozenset(s) for s in seeds.values()}) > 1
    from spacy.tokens import DocBin

    spacy_split = export(
        store, tmp_path / "c.spacy", ExportOptions(format="spacy", split=0.7, seed=3)
    )
    spacy_train = DocBin().from_disk(spacy_split.files[0]).get_docs(NLP.vocab)
    assert {d.text.split()[1] for d in spacy_train} == {
        r["tokens"][1] for r in parts["train"] if r["id"].endswith("-0")
    }


def test_a_split_that_leaves_validation_empty_is_refused(tmp_path, store):
    accept_all(store, [new_document("Armenia signed", {"Armenia": "GPE"})])
    with pytest.raises(ExportError, match="leaves the validation set empty"):
        export(store, tmp_path / "out" / "hf", ExportOptions(format="hf", split=0.8))
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_the_target_must_be_a_new_or_empty_folder_and_nothing_is_left(tmp_path, store):
    ids = accept_all(store, [new_document("Armenia signed", {"Armenia": "GPE"})])
    out = tmp_path / "out"
    target = out / "hf"
    target.mkdir(parents=True)
    (target / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match=f"{target} exists and is not an empty folder"):
        export(store, target, ExportOptions(format="hf"))
    assert [p.name for p in out.iterdir()] == ["hf"]
    assert [p.name for p in target.iterdir()] == ["notes.txt"]

    (target / "notes.txt").unlink()  # an empty folder is fine
    export(store, target, ExportOptions(format="hf"))
    assert len(datasets.load_from_disk(str(target))) == 1

    # a failure while writing (a span off the token boundaries) leaves nothing
    store.db.execute('UPDATE spans SET "end" = 5 WHERE doc_id = ?', [ids[0]])
    store.db.conn.commit()
    with pytest.raises(ExportError, match=rf"document {ids[0]}: span 0\.\.5 does not align"):
        export(store, out / "broken", ExportOptions(format="hf"))
    assert [p.name for p in out.iterdir()] == ["hf"]


def test_cli_by_sentence_and_split(tmp_path, db_path, capsys):
    from annotator.cli import main

    with Store.open(db_path) as store:
        accept_all(
            store,
            [new_document(f"Doc {i} Armenia .\nIt signed .", {}, (0, 4)) for i in range(4)],
        )
    out = tmp_path / "hf"
    argv = ["export", str(out), "--db", str(db_path), "--format", "hf", "--by-sentence"]
    assert main([*argv, "--split", "0.5", "--seed", "7"]) == 0
    captured = capsys.readouterr()
    assert f"Exported 4 documents (hf, gold) to {out}." in captured.out
    assert "Saving the dataset" not in captured.err  # datasets' progress bar is off
    parts = split_rows(out)
    assert [len(rows) for rows in parts.values()] == [4, 4]  # 2 documents x 2 sentences
    assert main(["export", str(tmp_path / "x.jsonl"), "--db", str(db_path), "--by-sentence"]) == 2
    assert "The jsonl format has no option 'by_sentence'" in capsys.readouterr().err


@pytest.mark.slow
def test_other_exports_do_not_import_datasets(tmp_path, store):
    accept_all(store, [new_document("Armenia signed", {"Armenia": "GPE"})])
    store.close()
    argv = ["export", str(tmp_path / "o.jsonl"), "--db", str(store.path)]
    code = (
        "import sys\n"
        "from annotator.cli import main\n"
        f"assert main({argv!r}) == 0\n"
        "assert 'datasets' not in sys.modules and 'pyarrow' not in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


@st.composite
def sentenced_documents(draw):
    """Lines of words (some empty: blank lines make whitespace tokens), sentence
    starts anywhere, and spans of 1-3 words that may run across lines and sentences."""
    lines = draw(st.lists(st.lists(WORDS, max_size=8), min_size=1, max_size=4))
    if not any(lines):
        lines[0] = ["Armenia"]
    doc = NLP("\n".join(" ".join(words) for words in lines))
    tokens = Tokens(tuple(t.idx for t in doc), tuple(t.idx + len(t) for t in doc))
    starts = [0, *(i for i in range(1, len(doc)) if draw(st.integers(0, 3)) == 0)]
    words = [t.i for t in doc if not t.is_space]
    spans, i = [], 0
    while i < len(words):
        if draw(st.booleans()):
            last = min(i + draw(st.integers(0, 2)), len(words) - 1)
            spans.append(make_span(tokens, words[i], words[last], draw(st.sampled_from(LABELS))))
            i = last + 1
        else:
            i += 1
    return NewDocument(doc.text, "t", tokens, tuple(starts), {}, tuple(spans))


def decoded(dataset, row, kept: list[int], doc: NewDocument) -> list[tuple[int, int, str]]:
    """The row's IOB2 tags read back as character spans of the document."""
    assert row["tokens"] == [doc.text[doc.tokens.starts[i] : doc.tokens.ends[i]] for i in kept]
    return [
        (doc.tokens.starts[kept[first]], doc.tokens.ends[kept[last]], label)
        for label, first, last in valid_iob2(names(dataset, row))
    ]


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(doc=sentenced_documents())
def test_spans_survive_the_dataset(tmp_path_factory, doc):
    """Spans -> IOB2 ClassLabel ids in the dataset -> spans: the exported spans per
    document; per sentence, each span cut at the sentence starts (one warning for
    each span that is cut)."""
    tmp = tmp_path_factory.mktemp("hf")
    with Store.open(tmp / "source.db") as store:
        [doc_id] = accept_all(store, [doc])
        export(store, tmp / "docs", ExportOptions(format="hf"))
        report = export(
            store, tmp / "sents", ExportOptions(format="hf", format_options=BY_SENTENCE)
        )
    spaces = [
        doc.text[s:e].isspace() for s, e in zip(doc.tokens.starts, doc.tokens.ends, strict=True)
    ]
    expected = [(s.start, s.end, s.label) for s in doc.spans]

    by_document = datasets.load_from_disk(str(tmp / "docs"))
    [row] = list(by_document)
    assert row["id"] == str(doc_id)
    kept = [i for i, space in enumerate(spaces) if not space]
    assert decoded(by_document, row, kept, doc) == expected

    cuts = list(zip(doc.sentence_starts, [*doc.sentence_starts[1:], len(spaces)], strict=True))
    pieces, crossing = [], 0
    for span in doc.spans:
        parts = []
        for a, b in cuts:
            inside = [
                i
                for i in range(max(a, span.token_start), min(b, span.token_end + 1))
                if not spaces[i]
            ]
            if inside:
                parts.append(
                    (doc.tokens.starts[inside[0]], doc.tokens.ends[inside[-1]], span.label)
                )
        pieces += parts
        crossing += len(parts) > 1
    by_sentence = datasets.load_from_disk(str(tmp / "sents"))
    found, row_ids = [], []
    for row in by_sentence:
        document, k = map(int, row["id"].split("-"))
        assert document == doc_id
        a, b = cuts[k]
        found += decoded(by_sentence, row, [i for i in range(a, b) if not spaces[i]], doc)
        row_ids.append(k)
    assert found == pieces
    assert row_ids == [k for k, (a, b) in enumerate(cuts) if not all(spaces[a:b])]
    assert len(report.warnings) == crossing
