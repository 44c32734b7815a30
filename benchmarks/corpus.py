"""Synthetic news-like articles built from the bundled sample's sentences."""

from __future__ import annotations

import random
import re

from annotator.resources import sample_articles


def sample_sentences() -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sample_articles())
    return [s for s in re.split(r"(?<=[.!?”])\s+", text) if len(s) > 20]


def synthetic_articles(count: int, size: int = 4000, seed: int = 7) -> list[str]:
    """``count`` distinct articles of about ``size`` characters each."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    articles = []
    for i in range(count):
        parts = [f"Report {i} from the wire."]
        length = len(parts[0])
        while length < size:
            paragraph = " ".join(rng.sample(sentences, 3))
            parts.append(paragraph)
            length += len(paragraph) + 1
        articles.append("\n".join(parts))
    return articles
