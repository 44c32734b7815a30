"""The hand-reviewed entities of the bundled article (the effort benchmark's target)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from annotator.resources import sample_articles

FIXTURE = Path(__file__).parent / "fixtures" / "sample_entities_gold.json"


def test_the_fixture_fits_the_bundled_article():
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    [article] = sample_articles()
    text = article.read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == fixture["text_sha256"]
    spans = fixture["spans"]
    assert len(spans) > 90
    previous_end = 0
    for start, end, label in spans:
        assert previous_end <= start < end <= len(text)  # sorted, not overlapping
        assert text[start:end] == text[start:end].strip() and label.isupper()
        previous_end = end
    words = {(text[s:e], label) for s, e, label in spans}
    # a few of the corrections the fixture records
    assert ("Nagorno-Karabakh", "GPE") in words and ("the Islamic State", "ORG") in words
    assert ("U.S. Customs and Border Patrol", "ORG") in words and ("State", "ORG") not in words
