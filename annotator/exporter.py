"""Export reviewed documents in the formats people train from.

Documents stream from the store one at a time to the format's writer (see
annotator/formats/registry.py and writing.py), so memory does not grow with the
number of documents (except ``.spacy``, whose DocBin keeps compact token arrays
until it is written). Every file is written under a temporary name beside its
target and renamed into place only when the whole export succeeded: a failed or
interrupted export leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from annotator.export_options import ExportError, ExportOptions, ExportReport
from annotator.formats.records import FormatError, record_from_document
from annotator.formats.registry import FORMATS, UnknownFormatError, get_format
from annotator.formats.writing import (
    TargetError,
    WriteSettings,
    remove_stale_parts,
    split_targets,
)
from annotator.model import Layer, is_layer_name, layer_reviewer
from annotator.store import Store


def select_documents(store: Store, options: ExportOptions) -> list[int]:
    """The documents to export: by their status, or for one reviewer's layer (a team
    database) by that reviewer's status."""
    ids: list[int] = []
    reviewer = layer_reviewer(options.layer)
    if reviewer is not None:
        wanted = set(options.statuses)
        ids = [
            s.doc_id
            for s in store.reviewer_statuses()
            if s.reviewer == reviewer and s.status in wanted
        ]
    else:
        for status in options.statuses:
            ids.extend(store.document_ids(status))
    ids.sort()
    if options.ids:
        ids = [i for i in ids if any(lo <= i <= hi for lo, hi in options.ids)]
    if options.search:
        ids = store.ids_containing(ids, options.search)
    return ids


def export(
    store: Store,
    target: Path,
    options: ExportOptions,
    progress: Callable[[int, int], None] | None = None,
) -> ExportReport:
    try:
        fmt = get_format(options.format)
    except UnknownFormatError as exc:
        raise ExportError(str(exc)) from exc
    if options.split is not None and not fmt.splits:
        splitting = ", ".join(f.name for f in FORMATS if f.splits)
        raise ExportError(f"--split works with these formats only: {splitting}.")
    if options.split is not None and not 0 < options.split < 1:
        raise ExportError("--split must be between 0 and 1, e.g. 0.8.")
    unknown = [name for name, _ in options.format_options if name not in fmt.options]
    if unknown:
        raise ExportError(
            f"The {fmt.name} format has no option {unknown[0]!r}"
            + (f" (it has: {', '.join(fmt.options)})." if fmt.options else ".")
        )
    _check_layer(store, options.layer)
    ids = select_documents(store, options)
    if not ids:
        wanted = ", ".join(s.value for s in options.statuses)
        raise ExportError(f"No {wanted} documents match; nothing was written.")
    report = ExportReport()
    settings = WriteSettings(
        target=target,
        labels=tuple(store.labels()),
        document_ids=tuple(ids),
        split=options.split,
        seed=options.seed,
        options=tuple(sorted(options.format_options)),
        warn=report.warnings.append,
    )
    for path in (target, *(split_targets(target, fmt.suffix) if fmt.splits else ())):
        remove_stale_parts(path)
    try:
        writer = fmt.open_writer(settings)
    except TargetError as exc:
        raise ExportError(str(exc)) from exc
    except OSError as exc:
        raise ExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    try:
        for n, doc_id in enumerate(ids, 1):
            doc = store.load_document(doc_id)
            updated_at, reviewer = store.review_info(doc_id)
            layer = str(options.layer)
            if layer not in (Layer.MODEL, Layer.GOLD):
                doc = replace(doc, others={layer: store.annotations(doc_id, layer)})
            owner = layer_reviewer(layer)
            if owner is not None:  # the reviewer's own status, name and time
                review = next(s for s in store.reviewer_statuses(doc_id) if s.reviewer == owner)
                doc = replace(doc, status=review.status)
                reviewer, updated_at = owner, review.reviewed_at
            extra = {"annotator": reviewer, "updated_at": updated_at, "layer": layer}
            writer.add(record_from_document(doc, layer, extra))
            report.documents = n
            if progress:
                progress(n, len(ids))
        report.files = writer.finish()
    except BaseException as exc:
        writer.abort()
        if isinstance(exc, FormatError):
            raise ExportError(f"Export stopped, nothing was written: {exc}.") from exc
        if isinstance(exc, TargetError):
            raise ExportError(str(exc)) from exc
        if isinstance(exc, OSError):
            raise ExportError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
        raise
    return report


def _check_layer(store: Store, layer: str) -> None:
    if not is_layer_name(layer):
        raise ExportError(f"{layer!r} is not a layer: use gold, model, final or reviewer:NAME.")
    if layer in (Layer.MODEL, Layer.GOLD):
        return
    reviewer = layer_reviewer(layer)
    if reviewer is not None and reviewer not in store.team_reviewers():
        known = ", ".join(f"reviewer:{r}" for r in store.team_reviewers()) or "none"
        raise ExportError(
            f"{store.path} has no layer {layer!r} (reviewer layers: {known}); nothing was written."
        )
    if reviewer is None and layer not in store.layer_names():
        raise ExportError(
            f"{store.path} has no {layer} layer yet (it is made by adjudication: annotator "
            "adjudicate TEAM.db); nothing was written."
        )
