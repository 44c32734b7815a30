"""Finding things in the article from the keyboard: the find bar's match (as you
type, landing on spans, extended to the end of a name) and the likely missing
spans (M / Shift+M, Enter). Works on the review controller's view state."""

from __future__ import annotations

import bisect
from collections import Counter
from typing import TYPE_CHECKING

from annotator.candidates import CandidateIndex, known_labels, name_end
from annotator.model import Span
from annotator.ui.wording import quote

if TYPE_CHECKING:
    from annotator.ui.controller import ReviewController


class Finder:
    def __init__(self, controller: ReviewController) -> None:
        self.c = controller
        # the likely missing spans of the open document; words of reviewed documents
        self._candidates: tuple[int, CandidateIndex] | None = None
        self._reviewed: dict[str, Counter[str]] | None = None

    def forget_reviewed(self) -> None:
        """A status changed: the words of the reviewed documents are read again."""
        self._reviewed = None

    def find(self, needle: str, direction: int = 1) -> bool:
        """Select the next (1) or previous (-1) match of ``needle``, snapped to
        tokens; 0 finds from the current match on, so that typing more of a
        phrase keeps extending the same match."""
        doc = self.c.session.document
        if doc is None or not needle:
            return False
        text = doc.text.casefold()
        needle = needle.casefold()
        tokens = doc.tokens
        here = tokens.starts[self.c.state.caret] if len(tokens) else 0
        if direction == 0:
            hit = text.find(needle, here)
            hit = hit if hit >= 0 else text.find(needle)
        elif direction > 0:
            hit = text.find(needle, here + 1)
            hit = hit if hit >= 0 else text.find(needle)
        else:
            hit = text.rfind(needle, 0, max(0, here))
            hit = hit if hit >= 0 else text.rfind(needle)
        if hit < 0:
            self.c.message.emit(f"Not found: {needle}")
            return False
        if self.c.state.relation_head is not None:
            # making a relation: the find box is the type-ahead for its other span
            target = next((sp for sp in self.c.session.gold if sp.start <= hit < sp.end), None)
            if target is not None and target.id is not None:
                self.c.select_span(target.id)
                return True
        snapped = tokens.snap(hit, hit + len(needle), "expand")
        if snapped is None:
            return False
        exact = self.span_on(snapped[0], snapped[1])
        if exact is not None and exact.id is not None:
            # the match is a span: select it, so that a label key, Delete or
            # Alt+arrows work on it (the caret is on its first token, as below)
            self.c.select_span(exact.id)
            return True
        # the caret on the match's first token: the next search starts after it
        self.c.set_token_selection(anchor=snapped[1], caret=snapped[0])
        return True

    def extend_match(self) -> None:
        """Tab in the find bar: the match grows to the end of the name it starts,
        a span starting there (selected as a span) or a run of proper nouns."""
        doc = self.c.session.document
        if doc is None or not len(doc.tokens):
            return
        selected = self.c.session.span(self.c.state.selected_span)
        first, last = (
            (selected.token_start, selected.token_end)
            if selected is not None
            else self.c.state.token_selection() or (self.c.state.caret, self.c.state.caret)
        )
        gold = self.c.session.gold
        i = bisect.bisect_left(gold, doc.tokens.starts[first], key=_start)
        if i < len(gold) and gold[i].token_start == first and gold[i].token_end > last:
            span = gold[i]
            if span.id is not None:
                self.c.select_span(span.id)
            return
        end = name_end(doc.text, doc.tokens, doc.pos, last)
        if end > last:
            self.c.set_token_selection(anchor=end, caret=first)

    def span_on(self, first: int, last: int) -> Span | None:
        """The gold span on exactly these tokens, if there is one."""
        gold = self.c.session.gold
        i = bisect.bisect_left(gold, self.c.view.tokens.starts[first], key=_start)
        if i < len(gold) and gold[i].token_start == first and gold[i].token_end == last:
            return gold[i]
        return None

    # ---- helpers ---------------------------------------------------------

    def select_candidate(self, direction: int) -> None:
        """Select the next (1) or previous (-1) likely missing span, with its
        suggested label, from the caret on."""
        doc = self.c.session.document
        if doc is None or not len(doc.tokens):
            return
        here = doc.tokens.starts[self.c.state.caret]
        found = self.index().step(
            self.c.session.gold, self.known(), here, direction, self.c.state.suggestion is not None
        )
        if found is None:
            note = "" if doc.pos else " This document has no POS tags (imported without a tagger)."
            self.c.message.emit(
                "No likely missing spans: every run of proper nouns and every word that is "
                f"a span elsewhere has a span here.{note}"
            )
            return
        candidate, number, total = found
        self.c.set_state(
            reveal=(candidate.start, candidate.end),
            caret=candidate.token_start,
            anchor=candidate.token_end,
            selected_span=None,
            suggestion=candidate.label or "",
        )
        words = quote(doc.text[candidate.start : candidate.end])
        offer = (
            f"Enter makes it {candidate.label}, a label key gives another"
            if candidate.label
            else "press a label key to make a span of it"
        )
        count = f", {number} of {total}" if number is not None else ""
        self.c.message.emit(f"Missing? {words} ({candidate.reason}{count}): {offer}; M goes on.")

    def accept_suggestion(self) -> None:
        """Enter: make the selected likely missing span with its suggested label."""
        if self.c.state.suggestion:
            self.c.apply_label(self.c.state.suggestion)
        elif self.c.state.suggestion == "":
            self.c.message.emit("No label is suggested for these words: press a label key.")
        else:
            self.c.message.emit("Enter accepts a likely missing span: press M to go to one.")

    def index(self) -> CandidateIndex:
        doc = self.c.session.document
        assert doc is not None
        if self._candidates is None or self._candidates[0] != doc.id:
            self._candidates = (doc.id, CandidateIndex(doc.text, doc.tokens, doc.pos))
        return self._candidates[1]

    def known(self) -> dict[str, Counter[str]]:
        """Words -> labels: the accepted documents' and this document's gold spans."""
        doc = self.c.session.document
        assert doc is not None
        if self._reviewed is None:
            self._reviewed = self.c.session.store.reviewed_labels()
        known = {w: Counter(c) for w, c in self._reviewed.items()}
        for words, labels in known_labels(doc.text, self.c.session.gold).items():
            known.setdefault(words, Counter()).update(labels)
        return known


def _start(span: Span) -> int:
    return span.start
