"""annotator: review spaCy's entity and relation predictions, export gold data."""

__version__ = "0.1.0"
