"""Exchange formats: one module per format, reading and writing domain records only.

``records.Record`` is one document as other tools see it: text, optional tokens,
entity spans by character offsets, relations between those spans, and metadata.
``registry.FORMATS`` is the table of formats. (Nothing is imported here: the
command line reads the table without loading every format.)
"""
