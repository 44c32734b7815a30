"""Real tools read what annotator writes: spaCy (DocBin training, convert, debug
data), seqeval (CoNLL IOB2) and pybrat (brat standoff)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Example

from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats import conll
from annotator.model import Layer, Status
from annotator.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def reviewed(sample_store: Store) -> Store:
    """The bundled article and a second one, both accepted."""
    for doc_id in sample_store.document_ids():
        sample_store.set_status(doc_id, sample_store.document_version(doc_id), Status.ACCEPTED)
    doc_id = sample_store.document_ids()[0]
    doc = sample_store.load_document(doc_id)
    blinken, mirzoyan = (
        s for s in doc.gold.spans if s.label == "PERSON" and " " in doc.text[s.start : s.end]
    )
    sample_store.add_relation(doc_id, doc.version, blinken.id, mirzoyan.id, "PER-SOC")
    return sample_store


def gold_entities(store: Store) -> list[list[tuple[int, int, str]]]:
    return [
        [(s.start, s.end, s.label) for s in store.load_document(i).layer(Layer.GOLD).spans]
        for i in store.document_ids()
    ]


def test_spacy_trains_on_the_docbin(reviewed, tmp_path):
    export(reviewed, tmp_path / "train.spacy", ExportOptions(format="spacy"))
    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(nlp.vocab))
    assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs] == (
        gold_entities(reviewed)
    )
    examples = [Example(nlp.make_doc(d.text), d) for d in docs]
    nlp.add_pipe("ner")
    optimizer = nlp.initialize(lambda: examples)
    losses = nlp.update(examples, sgd=optimizer)
    assert losses["ner"] > 0
    assert set(nlp.get_pipe("ner").labels) == {s[2] for doc in gold_entities(reviewed) for s in doc}


def test_spacy_debug_data_accepts_the_split_export(reviewed, tmp_path):
    export(reviewed, tmp_path / "corpus.spacy", ExportOptions(format="spacy", split=0.5, seed=1))
    config = tmp_path / "config.cfg"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "init",
            "config",
            str(config),
            "--lang",
            "en",
            "--pipeline",
            "ner",
            "--force",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "debug",
            "data",
            str(config),
            "--paths.train",
            str(tmp_path / "corpus-train.spacy"),
            "--paths.dev",
            str(tmp_path / "corpus-dev.spacy"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Corpus is loadable" in out.stdout, out.stdout + out.stderr
    assert "Training stats" in out.stdout


def test_spacy_convert_and_seqeval_read_the_conll(reviewed, tmp_path):
    from seqeval.metrics.sequence_labeling import get_entities

    export(reviewed, tmp_path / "gold.conll", ExportOptions(format="conll"))
    documents = list(conll.read(tmp_path / "gold.conll"))
    assert len(documents) == 2
    for document, expected in zip(documents, gold_entities(reviewed), strict=True):
        tags = [tag for sentence in document for _, tag in sentence]
        words = [word for sentence in document for word, _ in sentence]
        found = [(label, " ".join(words[s : e + 1])) for label, s, e in get_entities(tags)]
        assert len(found) == len(expected)
    out = tmp_path / "converted"
    out.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "spacy",
            "convert",
            str(tmp_path / "gold.conll"),
            str(out),
            "--converter",
            "ner",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    nlp = spacy.blank("en")
    converted = list(DocBin().from_disk(out / "gold.spacy").get_docs(nlp.vocab))
    labels = sorted(e.label_ for d in converted for e in d.ents)
    assert labels == sorted(s[2] for doc in gold_entities(reviewed) for s in doc)


def test_pybrat_reads_the_brat_export(reviewed, tmp_path):
    from pybrat.parser import BratParser

    export(reviewed, tmp_path / "brat", ExportOptions(format="brat"))
    assert (tmp_path / "brat" / "annotation.conf").read_text().startswith("[entities]")
    examples = sorted(BratParser(error="raise").parse(tmp_path / "brat"), key=lambda e: e.id)
    assert len(examples) == 2
    expected = gold_entities(reviewed)
    for example in examples:
        found = sorted((e.start, e.end, e.type) for e in example.entities)
        assert found in expected
    relations = [r for e in examples for r in e.relations]
    assert [(r.type, r.arg1.mention, r.arg2.mention) for r in relations] == [
        ("PER-SOC", "Antony Blinken", "Ararat Mirzoyan")
    ]
