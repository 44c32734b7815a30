"""The only part of annotator that imports spaCy."""
