"""CoNLL in and out (issue 11): IOB1 / IOB2 / BIOES / BILUO files become spans,
files named without the usual suffix are recognised by their content, ``--conll-sep
tab`` writes tabs, and a span across a sentence boundary is cut with a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import whitespace_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.export_options import ExportOptions
from annotator.exporter import export
from annotator.formats import conll
from annotator.formats.records import FormatError, Record
from annotator.importer import run_import
from annotator.model import NewDocument, Span, Status, Tokens
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.sources import read_source
from annotator.store import Store

ROOT = Path(__file__).resolve().parent.parent

CONLL_2003 = """\
-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O
"""


def entities(record: Record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def words(record: Record) -> list[str]:
    assert record.tokens is not None
    tokens = record.tokens
    return [record.text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]


def read(tmp_path: Path, text: str, name: str = "in.conll") -> list[Record]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    assert source.ok, source.problems
    return [d.annotations for d in source.documents if d.annotations is not None]


# ---------------------------------------------------------------- reading


def test_conll_2003_documents_sentences_tokens_and_spans(tmp_path):
    first, second = read(tmp_path, CONLL_2003)
    assert first.text == "EU rejects German call .\nPeter Blackburn"
    assert first.tokens == Tokens((0, 3, 11, 18, 23, 25, 31), (2, 10, 17, 22, 24, 30, 40))
    assert first.sentence_starts == (0, 5)
    assert entities(first) == [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert second.text == "BRUSSELS 1996-08-22" and entities(second) == [("BRUSSELS", "LOC")]
    source = read_source(tmp_path / "in.conll")
    assert [d.origin for d in source.documents] == [
        f"{tmp_path / 'in.conll'}:1",
        f"{tmp_path / 'in.conll'}:12",
    ]
    assert source.documents[0].meta["source"] == "in.conll:1"


def test_without_docstart_the_file_is_one_document(tmp_path):
    [record] = read(tmp_path, "EU B-ORG\nrejects O\n\nGerman B-MISC\n\n\nPeter B-PER\n")
    assert record.text == "EU rejects\nGerman\nPeter"
    assert record.sentence_starts == (0, 2, 3)


def test_iob1_i_after_o_starts_an_entity_and_b_splits_two_of_a_kind(tmp_path):
    text = (
        "Peter I-PER\nBlackburn I-PER\nmet O\nBRUSSELS I-LOC\nBonn B-LOC\n"
        "and O\nEU I-ORG\nUN I-MISC\n"
    )
    [record] = read(tmp_path, text)
    assert entities(record) == [
        ("Peter Blackburn", "PER"),
        ("BRUSSELS", "LOC"),
        ("Bonn", "LOC"),
        ("EU", "ORG"),
        ("UN", "MISC"),
    ]


@pytest.mark.parametrize("sep", [" ", "\t"])
@pytest.mark.parametrize(("end", "single"), [("E", "S"), ("L", "U")], ids=["BIOES", "BILUO"])
def test_bioes_and_biluo_with_either_separator(tmp_path, sep, end, single):
    rows = [
        ("New", "B-LOC"),
        ("York", f"{end}-LOC"),
        ("and", "O"),
        ("Paris", f"{single}-LOC"),
        ("", ""),
        ("Antony", "B-PER"),
        ("J.", "I-PER"),
        ("Blinken", f"{end}-PER"),
    ]
    text = "\n".join(f"{w}{sep}{t}" if w else "" for w, t in rows) + "\n"
    [record] = read(tmp_path, text, "in.bio")
    assert entities(record) == [("New York", "LOC"), ("Paris", "LOC"), ("Antony J. Blinken", "PER")]
    assert record.sentence_starts == (0, 4)


def test_tabs_keep_spaces_in_words_and_underscores_stay(tmp_path):
    [record] = read(tmp_path, "New York\tB-LOC\nsnake_case\tO\nNew_Jersey\tB-LOC\n", "in.iob")
    assert words(record) == [
        "New York",
        "snake_case",
        "New_Jersey",
    ]
    assert entities(record) == [("New York", "LOC"), ("New_Jersey", "LOC")]


def test_crlf_line_ends_and_extra_columns(tmp_path):
    [record] = read(tmp_path, "EU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n\r\n")
    assert record.text == "EU rejects" and entities(record) == [("EU", "ORG")]
    [record] = read(tmp_path, "EU\tNNP\t\tB-ORG\nrejects\t\t\tO\n")  # empty middle columns
    assert record.text == "EU rejects" and entities(record) == [("EU", "ORG")]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("EU B-ORG\nrejects\n", 2, "found one column"),
        ("EU B-ORG\nrejects PER\n", 2, "the tag 'PER' is not O, or B-, I-, E-, S-, L- or U-"),
        ("EU B-ORG\nrejects b-per\n", 2, "the tag 'b-per' is not O"),
        ("EU B-\n", 1, "the tag 'B-' has an empty label"),
        ("EU\tB-NEW ORG\n", 1, "has a label with spaces"),
        ("EU\t\n", 1, "found one column"),
        ("\tO\n", 1, "the word (the first column) is empty"),
        ("New B-LOC\nYork O\nParis S-LOC\n", 2, "the tag O follows B-LOC (line 1)"),
        ("in O\nYork E-LOC\nParis S-LOC\n", 2, "the tag E-LOC does not follow B-LOC"),
        ("New B-LOC\nYork I-LOC\n\nParis S-LOC\n", 1, "the sentence ends inside"),
        ("Paris S-LOC\n\nBonn U-LOC\n", 3, "mixes BIOES tags (E-, S-) and BILUO tags (L-, U-)"),
    ],
)
def test_malformed_files_are_refused_with_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "bad.conll"
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    assert not source.ok
    [problem] = source.problems
    assert problem.line == line and message in problem.message, problem
    assert str(problem).startswith(f"{path}:{line}: ")
    with pytest.raises(FormatError, match=f"^{path}:{line}: "):
        list(conll.read_file(path, text))


def test_bioes_errors_say_why_the_file_is_read_as_bioes(tmp_path):
    text = "EU I-ORG\nrejects O\n\nParis S-LOC\n"
    with pytest.raises(FormatError) as caught:
        list(conll.read_file(tmp_path / "x.conll", text))
    assert caught.value.where.endswith("x.conll:1")
    assert "read as BIOES (it has E-/S- tags, the first on line 4)" in caught.value.message


def test_a_file_of_docstart_lines_only_holds_no_documents(tmp_path):
    path = tmp_path / "empty.conll"
    path.write_text("-DOCSTART- O\n\n-DOCSTART- O\n", encoding="utf-8")
    [problem] = read_source(path).problems
    assert "holds no CoNLL" in problem.message


# ---------------------------------------------------------------- sniffing


def test_jsonl_without_a_suffix_is_read_as_jsonl(tmp_path):
    path = tmp_path / "tasks"
    lines = [{"text": "First article"}, {"text": "Armenia signed.", "spans": []}]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    source = read_source(path)
    assert source.ok, source.problems
    assert [d.text for d in source.documents] == ["First article", "Armenia signed."]
    assert source.documents[1].annotations is not None


@pytest.mark.parametrize("name", ["eng.train", "train", "train.txt", "dev.tsv"])
def test_conll_without_its_suffix_is_read_as_conll(tmp_path, name):
    records = read(tmp_path, CONLL_2003, name)
    assert [entities(r) for r in records] == [
        [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")],
        [("BRUSSELS", "LOC")],
    ]


def test_conll_without_docstart_or_suffix_is_read_as_conll(tmp_path):
    [record] = read(tmp_path, "EU\tB-ORG\nrejects\tO\n\nGerman\tB-MISC\ncall\tO\n", "data")
    assert entities(record) == [("EU", "ORG"), ("German", "MISC")]


def test_a_malformed_conll_file_without_suffix_is_refused_by_line(tmp_path):
    path = tmp_path / "train"
    lines = [f"w{i} O" for i in range(30)] + ["w30 PERSON"]
    path.write_text("\n".join(lines), encoding="utf-8")
    [problem] = read_source(path).problems
    assert problem.line == 31 and "the tag 'PERSON' is not O" in problem.message


@pytest.mark.parametrize("name", ["article", "article.md", "article.txt"])
def test_prose_without_the_usual_suffix_is_an_article(tmp_path, name):
    text = "Armenia signs accord\nArmenia on Tuesday signed a partnership. It is O\n"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    source = read_source(path)
    assert source.ok and [d.text for d in source.documents] == [text]
    assert source.documents[0].annotations is None


def test_the_bundled_sample_is_still_one_article():
    [seed] = sorted((ROOT / "seeds").glob("*.txt"))
    source = read_source(seed)
    assert source.ok and len(source.documents) == 1
    assert source.documents[0].annotations is None
    assert source.documents[0].text == seed.read_text(encoding="utf-8-sig")


HALF_TABULAR = "Results of the vote\nEU B-ORG\nrejects O\nGerman call to boycott British lamb.\n"


def test_a_half_tabular_file_without_suffix_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.dat"
    path.write_text(HALF_TABULAR, encoding="utf-8")
    source = read_source(path)
    assert not source.documents
    [problem] = source.problems
    assert str(problem).startswith(f"{path}: cannot tell what this file holds")
    assert "2 of its first 4 non-blank lines look like columns" in problem.message
    assert ".txt imports it as one article" in problem.message
    assert ".conll as CoNLL" in problem.message


def test_a_half_tabular_txt_file_is_still_an_article(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(HALF_TABULAR, encoding="utf-8")
    assert [d.text for d in read_source(path).documents] == [HALF_TABULAR]


def test_a_json_array_no_format_claims_is_refused_by_name(tmp_path):
    path = tmp_path / "export.data"
    path.write_text("[1, 2, 3]\n", encoding="utf-8")
    [problem] = read_source(path).problems
    assert str(problem).startswith(f"{path}: cannot tell what this file holds: it starts like JSON")


def test_the_cli_imports_a_conll_file_without_suffix(tmp_path, db_path, capsys):
    from annotator.cli import main

    path = tmp_path / "eng.testa"
    path.write_text(CONLL_2003, encoding="utf-8")
    assert main(["import", str(path), "--db", str(db_path), "--model", "blank:en"]) == 0
    with Store.open(db_path) as store:
        docs = [store.load_document(i) for i in store.document_ids()]
    assert [d.text for d in docs] == [
        "EU rejects German call .\nPeter Blackburn",
        "BRUSSELS 1996-08-22",
    ]
    assert docs[0].tokens == Tokens((0, 3, 11, 18, 23, 25, 31), (2, 10, 17, 22, 24, 30, 40))
    assert [(s.start, s.end, s.label) for s in docs[0].gold.spans] == [
        (0, 2, "ORG"),
        (11, 17, "MISC"),
        (25, 40, "PER"),
    ]


# ---------------------------------------------------------------- writing


def strict_iob2(sentences: list[list[str]]) -> list[tuple[int, int, int, str]]:
    """The entities seqeval finds in strict IOB2 mode; they must be the ones its
    lenient (conlleval) reading finds, else the file has an I- that does not follow
    its B- (which strict mode drops)."""
    strict = sorted(
        (entity.sent_id, entity.start, entity.end, entity.tag)
        for found in Entities(sentences, IOB2).entities
        for entity in found
    )
    lenient = sorted(
        (n, start, end + 1, label)
        for n, sentence in enumerate(sentences)
        for label, start, end in get_entities(sentence)
    )
    assert strict == lenient
    return strict


def tag_sentences(text: str, sep: str) -> tuple[list[str], list[list[str]]]:
    """The -DOCSTART- lines and the tags of each sentence of a written file."""
    docstarts: list[str] = []
    sentences: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.startswith(conll.DOCSTART):
            docstarts.append(line)
        elif not line:
            if sentences[-1]:
                sentences.append([])
        else:
            word, tag = line.split(sep)
            assert word and tag
            sentences[-1].append(tag)
    return docstarts, [s for s in sentences if s]


def accepted(store: Store, docs: list[NewDocument]) -> list[int]:
    ids = store.add_documents(docs)
    for doc_id in ids:
        assert doc_id is not None
        store.set_status(doc_id, store.document_version(doc_id), Status.ACCEPTED)
    return [i for i in ids if i is not None]


def test_conll_sep_tab_writes_tabs_and_a_docstart_of_two_columns(tmp_path, store, capsys):
    from annotator.cli import main

    accepted(
        store,
        [
            whitespace_document("Ada Lovelace met Babbage in London", {"London": "GPE"}),
            whitespace_document("Blinken flew to Yerevan", {"Blinken": "PERSON"}),
        ],
    )
    out = tmp_path / "gold.conll"
    args = ["export", str(out), "--db", str(store.path), "--format", "conll"]
    assert main([*args, "--conll-sep", "tab"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART-\tO\n\nAda\tO\nLovelace\tO\n")
    assert "London\tB-GPE\n" in text and " " not in text
    lines = [line for line in text.split("\n") if line]
    assert {len(line.split("\t")) for line in lines} == {2}
    docstarts, sentences = tag_sentences(text, "\t")
    assert docstarts == ["-DOCSTART-\tO"] * 2
    assert strict_iob2(sentences) == [(0, 5, 6, "GPE"), (1, 0, 1, "PERSON")]

    assert main(args) == 0  # the default: a space, -DOCSTART- with as many columns
    text = out.read_text(encoding="utf-8")
    assert "\t" not in text and text.startswith("-DOCSTART- O\n\nAda O\n")
    assert {len(line.split(" ")) for line in text.split("\n") if line} == {2}
    # and it reads back
    records = [d.annotations for d in read_source(out).documents]
    assert [entities(r) for r in records if r] == [[("London", "GPE")], [("Blinken", "PERSON")]]


def test_docstart_has_as_many_columns_as_the_token_lines(tmp_path, store):
    accepted(store, [whitespace_document("Ada met Babbage", {"Ada": "PERSON"})])
    out = tmp_path / "out.conll"
    export(store, out, ExportOptions(format="conll"))
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "-DOCSTART- O"
    assert {len(line.split(" ")) for line in lines if line} == {2}


def test_an_unknown_separator_is_refused_before_anything_is_written(tmp_path, store):
    from annotator.export_options import ExportError

    accepted(store, [whitespace_document("Ada met Babbage", {"Ada": "PERSON"})])
    out = tmp_path / "out.conll"
    with pytest.raises((ExportError, FormatError), match="expected space or tab, not 'comma'"):
        export(store, out, ExportOptions(format="conll", format_options=(("conll_sep", "comma"),)))
    assert not out.exists() and not list(tmp_path.glob(".out.conll.*"))


def crossing_document() -> NewDocument:
    """Two sentences, "Ada Lovelace" running across the boundary between them."""
    text = "He met Ada Lovelace there"
    tokens = Tokens((0, 3, 7, 11, 20), (2, 6, 10, 19, 25))
    return NewDocument(
        text,
        "t",
        tokens,
        (0, 3),  # the second sentence starts at "Lovelace"
        {},
        (Span(7, 19, 2, 3, "PERSON"), Span(0, 2, 0, 0, "PERSON")),
    )


def test_a_span_across_sentences_is_cut_with_a_warning(tmp_path, store, capsys):
    from annotator.cli import main

    [doc_id] = accepted(store, [crossing_document()])
    out = tmp_path / "gold.conll"
    assert main(["export", str(out), "--db", str(store.path), "--format", "conll"]) == 0
    err = capsys.readouterr().err
    assert (
        f"annotator: warning: document {doc_id}: span 7..19 (PERSON) crosses a sentence "
        "boundary; the tag after the boundary is written as B-"
    ) in err
    assert err.count("crosses a sentence boundary") == 1
    text = out.read_text(encoding="utf-8")
    assert text == (
        "-DOCSTART- O\n\nHe B-PERSON\nmet O\nAda B-PERSON\n\nLovelace B-PERSON\nthere O\n\n"
    )
    _, sentences = tag_sentences(text, " ")
    assert strict_iob2(sentences) == [(0, 0, 1, "PERSON"), (0, 2, 3, "PERSON"), (1, 0, 1, "PERSON")]


def test_no_warning_without_a_crossing_span(tmp_path, store):
    accepted(store, [whitespace_document("Ada Lovelace met Babbage", {"Ada": "PERSON"})])
    report = export(store, tmp_path / "out.conll", ExportOptions(format="conll"))
    assert report.warnings == []


# ---------------------------------------------------------------- round trip

VOCABULARY = ["Armenia", "signed", "an", "accord", "with", "Blinken", "2024", ",", ".", "__init__"]
LABELS = ["PERSON", "ORG", "GPE", "DATE"]


@st.composite
def documents(draw) -> tuple[NewDocument, list[str]]:
    """A document of sentences whose tokens are words (one, "New York", holds a
    space) and whose spans stay inside a sentence; and its words as CoNLL writes them."""
    words_of = st.lists(st.sampled_from([*VOCABULARY, "New York"]), min_size=1, max_size=8)
    sentences = draw(st.lists(words_of, min_size=1, max_size=4))
    starts: list[int] = []
    ends: list[int] = []
    sentence_starts: list[int] = []
    spans: list[Span] = []
    text = ""
    for sentence in sentences:
        if text:
            text += draw(st.sampled_from([" ", "\n", "  "]))
        first = len(starts)
        sentence_starts.append(first)
        for i, word in enumerate(sentence):
            if i:
                text += " "
            starts.append(len(text))
            text += word
            ends.append(len(text))
        i = first
        while i < len(starts):
            length = draw(st.integers(0, 3))
            if length:
                last = min(i + length - 1, len(starts) - 1)
                spans.append(Span(starts[i], ends[last], i, last, draw(st.sampled_from(LABELS))))
                i = last + 1
            else:
                i += 1
    doc = NewDocument(
        text, "t", Tokens(tuple(starts), tuple(ends)), tuple(sentence_starts), {}, tuple(spans)
    )
    return doc, [w.replace(" ", "_") for sentence in sentences for w in sentence]


def token_spans(tokens: Tokens, spans) -> list[tuple[int, int, str]]:
    return sorted((tokens.token_span(s.start, s.end) or (-1, -1)) + (s.label,) for s in spans)


@pytest.mark.parametrize("sep", ["space", "tab"])
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=documents())
def test_export_then_import_gives_the_same_words_sentences_and_spans(tmp_path_factory, sep, case):
    doc, written = case
    tmp = tmp_path_factory.mktemp("conll")
    with Store.open(tmp / "source.db") as store:
        [doc_id] = accepted(store, [doc])
        out = tmp / "out.conll"
        export(store, out, ExportOptions(format="conll", format_options=(("conll_sep", sep),)))
        stored = store.load_document(doc_id)
    [record] = [d.annotations for d in read_source(out).documents]
    assert record is not None and record.tokens is not None
    assert words(record) == written
    assert record.sentence_starts == stored.sentence_starts
    assert token_spans(record.tokens, record.spans) == token_spans(stored.tokens, stored.gold.spans)
    _, sentences = tag_sentences(out.read_text(encoding="utf-8"), "\t" if sep == "tab" else " ")
    strict_iob2(sentences)


@pytest.fixture(scope="module")
def tokenizer_only():
    return Pipeline(load_pipeline("blank:en"), relation_rules=[])


def test_the_import_keeps_the_files_tokens_and_spans(tmp_path, store, tokenizer_only):
    path = tmp_path / "in.conll"
    path.write_text(CONLL_2003, encoding="utf-8")
    report = run_import(store, tokenizer_only, [path])
    assert report.problems == [] and report.imported == 2
    first, second = (store.load_document(i) for i in report.doc_ids)
    assert first.tokens == Tokens((0, 3, 11, 18, 23, 25, 31), (2, 10, 17, 22, 24, 30, 40))
    assert second.text == "BRUSSELS 1996-08-22"
    for doc in (first, second):
        for layer in (doc.gold, doc.model):
            assert [(doc.text[s.start : s.end], s.label) for s in layer.spans] == [
                (doc.text[s.start : s.end], s.label) for s in doc.gold.spans
            ]
    assert [(first.text[s.start : s.end], s.label) for s in first.gold.spans] == [
        ("EU", "ORG"),
        ("German", "MISC"),
        ("Peter Blackburn", "PER"),
    ]


def test_an_imported_conll_file_keeps_its_sentences(tmp_path, store, rule_pipeline):
    """The file's sentences are the document's sentence starts (CoNLL export and
    the HF per-sentence rows follow them)."""
    from annotator.importer import run_import

    path = tmp_path / "two.conll"
    path.write_text(
        "-DOCSTART- O\n\nEU B-ORG\nrejects O\nGerman B-MISC\n\nPeter B-PER\nBlackburn I-PER\n",
        encoding="utf-8",
    )
    report = run_import(store, rule_pipeline, [path])
    [doc_id] = report.doc_ids
    doc = store.load_document(doc_id)
    assert doc.text == "EU rejects German\nPeter Blackburn"
    assert doc.sentence_starts == (0, 3)
