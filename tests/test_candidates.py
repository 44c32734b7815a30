"""Likely missing spans: proper-noun runs and words that are spans elsewhere."""

from __future__ import annotations

from collections import Counter

from helpers import whitespace_document

from annotator.candidates import candidates, known_labels
from annotator.model import Span

TEXT = "Kremlin spokesman Dmitry Peskov met Nagorno - Karabakh envoys in Yerevan"
#        0       1         2      3      4   5       6 7        8      9  10
POS = ("PROPN", "NOUN", "PROPN", "PROPN", "VERB", "PROPN", "PUNCT", "PROPN", "NOUN", "ADP", "PROPN")


def glue_hyphen(text: str):
    """The whitespace document with "Nagorno - Karabakh" written "Nagorno-Karabakh"."""
    glued = text.replace(" - ", "-")
    doc = whitespace_document(text)
    starts, ends = list(doc.tokens.starts), list(doc.tokens.ends)
    shift = 0
    for i in range(len(starts)):
        starts[i] -= shift
        ends[i] -= shift
        if text[doc.tokens.starts[i] : doc.tokens.ends[i]] in ("Nagorno", "-"):
            shift += 1
            ends[i] = starts[i] + (doc.tokens.ends[i] - doc.tokens.starts[i])
    return glued, type(doc.tokens)(tuple(starts), tuple(ends))


def words(text, found):
    return [(text[c.start : c.end], c.label) for c in found]


def test_proper_noun_runs_not_covered_by_a_span():
    doc = whitespace_document(TEXT)
    gold = [Span(18, 31, 2, 3, "PERSON", 1)]  # Dmitry Peskov
    found = candidates(TEXT, doc.tokens, POS, gold, {})
    # a spaced hyphen breaks the run; the runs at both ends of the text are there
    assert words(TEXT, found) == [
        ("Kremlin", None),
        ("Nagorno", None),
        ("Karabakh", None),
        ("Yerevan", None),
    ]
    assert found[-1].token_end == len(doc.tokens) - 1


def test_a_glued_hyphen_joins_a_run():
    text, tokens = glue_hyphen(TEXT)
    found = candidates(text, tokens, POS, [], {})
    assert ("Nagorno-Karabakh", None) in words(text, found)


def test_words_that_are_spans_elsewhere_bring_their_most_common_label():
    doc = whitespace_document(TEXT)
    known = {"Yerevan": Counter({"GPE": 3, "ORG": 1}), "envoys": Counter({"NORP": 1})}
    found = candidates(TEXT, doc.tokens, (), [], known)  # no POS tags: only known words
    assert words(TEXT, found) == [("envoys", "NORP"), ("Yerevan", "GPE")]


def test_overlapping_candidates_become_the_longest_with_a_label():
    doc = whitespace_document(TEXT)
    known = {"Peskov": Counter({"PERSON": 2})}
    found = candidates(TEXT, doc.tokens, POS, [], known)
    assert ("Dmitry Peskov", "PERSON") in words(TEXT, found)
    assert ("Peskov", "PERSON") not in words(TEXT, found)


def test_known_labels_count_each_surface_form():
    text = "Armenia and Armenia and Russia"
    spans = [Span(0, 7, 0, 0, "GPE"), Span(12, 19, 2, 2, "ORG"), Span(24, 30, 4, 4, "GPE")]
    known = known_labels(text, spans)
    assert known == {"Armenia": Counter({"GPE": 1, "ORG": 1}), "Russia": Counter({"GPE": 1})}


def test_stepping_from_an_offset_wraps_and_learns_new_words():
    from annotator.candidates import CandidateIndex

    doc = whitespace_document(TEXT)
    index = CandidateIndex(TEXT, doc.tokens, POS)
    gold = [Span(18, 31, 2, 3, "PERSON", 1)]
    first, number, total = index.step(gold, {}, 0, 1, past=False)
    assert (TEXT[first.start : first.end], number, total) == ("Kremlin", 1, 4)
    nxt, number, _ = index.step(gold, {}, first.start, 1, past=True)
    assert TEXT[nxt.start : nxt.end] == "Nagorno" and number == 2
    back, number, _ = index.step(gold, {}, 0, -1, past=False)
    assert TEXT[back.start : back.end] == "Yerevan" and number == 4  # wrapped to the end
    # "envoys" becomes a span elsewhere: its mention is now a place, with its label
    known = {"envoys": Counter({"NORP": 1})}
    found, _, total = index.step(gold, known, 54, 1, past=False)
    assert (TEXT[found.start : found.end], found.label, total) == ("envoys", "NORP", 5)
    everything = gold + [Span(c.start, c.end, 0, 0, "X") for c in index.candidates(gold, known)]
    assert index.step(sorted(everything, key=lambda s: s.start), known, 0, 1, False) is None


def tokens_of(text: str, words: list[str]):
    """Tokens for ``words`` found in order in ``text`` (glued or spaced)."""
    from annotator.model import Tokens

    starts, at = [], 0
    for w in words:
        at = text.index(w, at)
        starts.append(at)
        at += len(w)
    return Tokens(tuple(starts), tuple(s + len(w) for s, w in zip(starts, words, strict=True)))


def test_a_hyphenated_run_of_known_parts_stands_for_the_parts():
    text = "the Armenia-Azerbaijan war and Nagorno-Karabakh"
    words_ = ["the", "Armenia", "-", "Azerbaijan", "war", "and", "Nagorno", "-", "Karabakh"]
    tokens = tokens_of(text, words_)
    pos = ("DET", "PROPN", "PUNCT", "PROPN", "NOUN", "CCONJ", "PROPN", "PUNCT", "PROPN")
    known = {"Armenia": Counter({"GPE": 2}), "Azerbaijan": Counter({"GPE": 1})}
    found = words(text, candidates(text, tokens, pos, [], known))
    assert found == [("Armenia", "GPE"), ("Azerbaijan", "GPE"), ("Nagorno-Karabakh", None)]


def test_name_end_follows_proper_nouns_and_glued_hyphens():
    from annotator.candidates import name_end

    doc = whitespace_document(TEXT)
    assert name_end(TEXT, doc.tokens, POS, 2) == 3  # Dmitry -> Peskov
    assert name_end(TEXT, doc.tokens, POS, 0) == 0  # Kremlin stands alone
    assert name_end(TEXT, doc.tokens, (), 2) == 2  # no tags: no change
    text, tokens = glue_hyphen(TEXT)
    assert name_end(text, tokens, POS, 5) == 7  # Nagorno-Karabakh
