"""Exchange formats: one module per format, reading and writing domain records only.

``Record`` is one document as other tools see it: text, optional tokens, entity
spans by character offsets, relations between those spans, and metadata.
"""

from __future__ import annotations

from annotator.formats.records import FormatError, Record, RecordSpan, record_from_document

__all__ = ["FormatError", "Record", "RecordSpan", "record_from_document"]
