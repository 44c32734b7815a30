"""Keys per fix: a simulated reviewer corrects the bundled article, as the default
pipeline pre-annotates it, to the hand-reviewed entities of
tests/fixtures/sample_entities_gold.json, with key events only.

    python benchmarks/effort_bench.py [--model NAME] [--verbose]

Two strategies, each in a fresh window on a fresh import, fixes in text order,
each fix done the cheapest way its strategy knows (the costs are computed from
the same functions the window uses, then the keys are sent with QTest):
- "without": Tab / Shift+Tab to a span, label keys, Delete, Alt+Shift+arrows;
  a missing span by going to the nearest span with Tab and moving the token
  caret (Right / Left, Shift+Right);
- "with": also "." (the last correction on every identical mention, when every
  change it makes is one the review wants), M / Shift+M to a likely missing span
  and Enter for its suggested label, and the find bar (Ctrl+F, the fewest letters
  that select the phrase, Alt + label key).
Prints fixes, keys, keys per fix, and whether the gold layer equals the fixture.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from annotator.candidates import name_end
from annotator.importer import run_import
from annotator.model import Span
from annotator.nlp.pipeline import Pipeline, load_pipeline
from annotator.propagation import propagate
from annotator.resources import sample_articles
from annotator.store import Store
from annotator.ui.app import application, create_window
from annotator.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "sample_entities_gold.json"
NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
Key = tuple[Qt.Key, Qt.KeyboardModifier]
Target = tuple[int, int, str]  # start, end, label


@dataclass
class Fix:
    kind: str  # relabel, delete, add, resize
    start: int
    end: int
    label: str


class Reviewer:
    def __init__(self, window: MainWindow, target: set[Target], features: bool) -> None:
        self.w = window
        self.target = target
        self.features = features
        self.keys = 0
        self.log: list[str] = []

    # ---- what is left to do ----------------------------------------------------

    def gold(self) -> list[Span]:
        return list(self.w.session.gold)

    def fixes(self) -> list[Fix]:
        gold = self.gold()
        have = {(s.start, s.end): s for s in gold}
        want = {(s, e): label for s, e, label in self.target}
        fixes: list[Fix] = []
        for (s, e), label in want.items():
            span = have.get((s, e))
            if span is None:
                near = [g for g in gold if g.start < e and s < g.end]
                only = near[0] if len(near) == 1 else None
                if (
                    only is not None
                    and only.start == s
                    and only.label == label
                    and (s, only.end) not in want
                ):
                    fixes.append(Fix("resize", s, e, label))
                else:
                    fixes.append(Fix("add", s, e, label))
            elif span.label != label:
                fixes.append(Fix("relabel", s, e, label))
        for (s, e), span in have.items():
            covered = any(ts < e and s < te for ts, te in want)
            if (s, e) not in want and not covered:
                fixes.append(Fix("delete", s, e, span.label))
        return sorted(fixes, key=lambda f: f.start)

    # ---- keys ---------------------------------------------------------------------

    def press(self, keys: list[Key], widget=None) -> None:
        for key, modifier in keys:
            QTest.keyClick(widget or self.w.view, key, modifier)
            self.keys += 1
        QApplication.processEvents()

    def label_key(self, label: str, modifier: Qt.KeyboardModifier = NONE) -> Key:
        hotkey = next(lab.hotkey for lab in self.w.labels if lab.name == label)
        combo = QKeySequence(hotkey)[0]
        return combo.key(), combo.keyboardModifiers() | modifier

    # ---- moving -------------------------------------------------------------------

    def tab_keys(self, start: int) -> list[Key]:
        """Tab / Shift+Tab presses that select the span starting at ``start``."""
        gold = self.gold()
        starts = [s.start for s in gold]
        target = bisect.bisect_left(starts, start)
        state = self.w.controller.state
        selected = self.w.session.span(state.selected_span)
        n = len(gold)
        if selected is not None:
            here = bisect.bisect_left(starts, selected.start)
            forward = (target - here) % n
            backward = (here - target) % n
        else:
            caret = self.w.view.tokens.starts[state.caret]
            first = bisect.bisect_left(starts, caret)  # what Tab selects first
            forward = (target - first) % n + 1
            backward = (first - 1 - target) % n + 1
        if forward <= backward:
            return [(Qt.Key.Key_Tab, NONE)] * forward
        return [(Qt.Key.Key_Tab, SHIFT)] * backward

    def caret_keys(self, fix: Fix) -> list[Key]:
        """From the nearest span (Tab), the token caret to the fix and across it."""
        tokens = self.w.view.tokens
        first = tokens.token_at(fix.start)
        last = tokens.token_at(fix.end - 1)
        assert first is not None and last is not None
        best: list[Key] | None = None
        for span in self.gold():
            move = self.tab_keys(span.start)
            steps = self._steps(span.token_start, first)
            if steps is None:
                continue
            grow = self._steps(first, last)
            if grow is None:
                continue
            right = (Qt.Key.Key_Right if first >= span.token_start else Qt.Key.Key_Left, NONE)
            keys = move + [right] * steps + [(Qt.Key.Key_Right, SHIFT)] * grow
            if best is None or len(keys) < len(best):
                best = keys
        assert best is not None
        return best

    def _steps(self, a: int, b: int) -> int | None:
        """Caret moves from token a to b (the caret steps over whitespace tokens)."""
        tokens, text = self.w.view.tokens, self.w.session.document.text
        lo, hi = sorted((a, b))
        return sum(
            1
            for i in range(lo + 1, hi + 1)
            if not text[tokens.starts[i] : tokens.ends[i]].isspace()
        )

    def missing_keys(self, fix: Fix) -> list[Key] | None:
        """M / Shift+M presses to a likely missing span on exactly the fix, then Enter
        (or the label key); None if M does not reach it in a few presses."""
        c = self.w.controller
        index, known = c.finder.index(), c.finder.known()
        gold = self.w.session.gold
        tokens = self.w.view.tokens
        for direction, key in ((1, (Qt.Key.Key_M, NONE)), (-1, (Qt.Key.Key_M, SHIFT))):
            here = tokens.starts[c.state.caret]
            past = c.state.suggestion is not None
            for n in range(1, 8):
                found = index.step(gold, known, here, direction, past)
                if found is None:
                    break
                candidate = found[0]
                if (candidate.start, candidate.end) == (fix.start, fix.end):
                    accept = (
                        (Qt.Key.Key_Return, NONE)
                        if candidate.label == fix.label
                        else self.label_key(fix.label)
                    )
                    return [key] * n + [accept]
                here, past = candidate.start, True
        return None

    def find_letters(self, start: int, end: int) -> str | None:
        """The fewest keys typed in the find bar that select exactly these
        characters (the window's find: from the caret on, snapped to tokens; a
        trailing tab stands for Tab, which extends the match to the end of the name)."""
        doc = self.w.session.document
        text = doc.text.casefold()
        here = doc.tokens.starts[self.w.controller.state.caret]
        wanted = doc.tokens.snap(start, end, "strict")
        gold = {s.token_start: s.token_end for s in self.w.session.gold}
        typed = ""
        for ch in doc.text[start:end]:
            typed += ch
            hit = text.find(typed.casefold(), here)
            hit = hit if hit >= 0 else text.find(typed.casefold())
            if hit != start or wanted is None:
                continue
            found = doc.tokens.snap(hit, hit + len(typed), "expand")
            if found == wanted:
                return typed
            if found is not None:
                first, last = found
                span_end = gold.get(first, -1)
                grown = (
                    span_end if span_end > last else name_end(doc.text, doc.tokens, doc.pos, last)
                )
                if (first, grown) == wanted:
                    return typed + "\t"
        return None

    def find(self, letters: str) -> None:
        self.press([(Qt.Key.Key_F, CTRL)])
        typed = letters.rstrip("\t")
        QTest.keyClicks(self.w.find_box, typed)
        self.keys += len(typed)
        if letters.endswith("\t"):
            self.press([(Qt.Key.Key_Tab, NONE)], self.w.find_box)

    # ---- one fix --------------------------------------------------------------------

    def do(self, fix: Fix) -> None:
        before = self.keys
        span = next((s for s in self.gold() if s.start == fix.start), None)
        if fix.kind in ("relabel", "delete", "resize"):
            assert span is not None
            if fix.kind == "relabel":
                then = [self.label_key(fix.label)]
            elif fix.kind == "delete":
                then = [(Qt.Key.Key_Delete, NONE)]
            else:
                last = self.w.view.tokens.token_at(fix.end - 1) or 0
                arrow = Qt.Key.Key_Right if last > span.token_end else Qt.Key.Key_Left
                then = [(arrow, ALT | SHIFT)] * (self._steps(span.token_end, last) or 0)
            tabs = self.tab_keys(span.start)
            letters = self.find_letters(span.start, span.end) if self.features else None
            # the find bar selects the span; Alt + label relabels it from there, other
            # keys need Esc (back to the article) first
            via_find = (
                1 + len(letters) + (1 if fix.kind == "relabel" else 1 + len(then))
                if letters is not None
                else None
            )
            if via_find is not None and via_find < len(tabs) + len(then):
                assert letters is not None
                self.find(letters)
                if fix.kind == "relabel":
                    self.press([self.label_key(fix.label, ALT)], self.w.find_box)
                else:
                    self.press([(Qt.Key.Key_Escape, NONE)], self.w.find_box)
                    self.press(then)
            else:
                self.press(tabs + then)
        else:
            self.add(fix)
        words = self.w.session.document.text[fix.start : fix.end]
        self.log.append(f"{fix.kind} {words!r}: {self.keys - before} keys")
        if self.features and fix.kind != "resize":
            self.everywhere()

    def add(self, fix: Fix) -> None:
        options: list[tuple[int, Callable[[], None]]] = []
        caret = [*self.caret_keys(fix), self.label_key(fix.label)]
        options.append((len(caret), lambda: self.press(caret)))
        if self.features:
            missing = self.missing_keys(fix)
            if missing is not None:
                options.append((len(missing), lambda: self.press(missing)))
            letters = self.find_letters(fix.start, fix.end)
            if letters is not None:

                def find(typed: str = letters) -> None:
                    self.find(typed)
                    self.press([self.label_key(fix.label, ALT)], self.w.find_box)

                options.append((1 + len(letters) + 1, find))
        min(options, key=lambda option: option[0])[1]()

    def everywhere(self) -> None:
        """Press "." when every change it would make is one the review wants."""
        correction = self.w.controller.last_correction
        doc = self.w.session.document
        if correction is None:
            return
        plan = propagate(doc.text, doc.tokens, self.w.session.gold, correction)
        if not plan.changes:
            return
        by_id = {s.id: s for s in self.w.session.gold}
        wanted = all((s.start, s.end, s.label) in self.target for s in plan.add)
        wanted &= all(
            (by_id[i].start, by_id[i].end, label) in self.target for i, label in plan.relabel
        )
        wanted &= all(
            (by_id[i].start, by_id[i].end, by_id[i].label) not in self.target for i in plan.delete
        )
        if wanted:
            self.press([(Qt.Key.Key_Period, NONE)])
            self.log.append(f"  . ({plan.changes} more)")

    def review(self) -> int:
        fixes = len(self.fixes())
        for _ in range(200):
            left = self.fixes()
            if not left:
                break
            self.do(left[0])
        return fixes


def run(features: bool, model: str | None, verbose: bool) -> tuple[int, int, bool]:
    target = {tuple(s) for s in json.loads(FIXTURE.read_text(encoding="utf-8"))["spans"]}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "effort.db")
        run_import(store, Pipeline(load_pipeline(model)), sample_articles())
        application()
        window = create_window(store)
        window.resize(1400, 900)
        window.show()
        QTest.qWaitForWindowExposed(window)
        window.view.setFocus()
        reviewer = Reviewer(window, target, features)  # type: ignore[arg-type]
        fixes = reviewer.review()
        doc = store.load_document(window.session.doc_id)
        equal = {(s.start, s.end, s.label) for s in doc.gold.spans} == target
        if verbose:
            print("\n".join(reviewer.log))
        window.close()
        store.close()
        return fixes, reviewer.keys, equal


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    for features, name in ((False, "without . / M / find bar"), (True, "with them")):
        fixes, keys, equal = run(features, args.model, args.verbose)
        print(
            f"{name:<26} fixes {fixes:3d}, keys {keys:4d}, keys per fix {keys / fixes:5.2f}, "
            f"gold equals the fixture: {'yes' if equal else 'NO'}"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
