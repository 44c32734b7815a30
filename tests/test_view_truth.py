"""The article view shows what the database holds, after any sequence of edits.

After every step of a random edit sequence, each block's drawn model (tags,
boxes, diff marks, arcs and their labels, colors, positions, selection) must
equal that of a view built afresh from the database.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from annotator.model import Layer, diff_layers
from annotator.ui.document_view import DocumentView
from annotator.ui.scene import BlockDrawing

ENTITY = ("PERSON", "ORG", "GPE", "NORP")
RELATION = ("PART-WHOLE", "ORG-AFF", "GEN-AFF", "PHYS")

pick = st.integers(0, 10_000)
step = st.one_of(
    st.tuples(st.just("add"), pick, st.integers(0, 3), st.sampled_from(ENTITY)),
    st.tuples(st.just("delete"), pick),
    st.tuples(st.just("relabel"), pick, st.sampled_from(ENTITY)),
    st.tuples(st.just("resize"), pick, st.sampled_from([(-1, 0), (1, 0), (0, -1), (0, 1)])),
    st.tuples(st.just("relation"), pick, pick, st.sampled_from(RELATION)),
    st.tuples(st.just("relation_relabel"), pick, st.sampled_from(RELATION)),
    st.tuples(st.just("relation_reverse"), pick),
    st.tuples(st.just("relation_delete"), pick),
    st.tuples(st.just("select"), pick),
    st.tuples(st.just("select_relation"), pick),
    st.tuples(st.just("everywhere")),
    st.tuples(st.just("everywhere_documents")),
    st.tuples(st.just("missing"), st.sampled_from([1, -1])),
    st.tuples(st.just("accept")),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
    st.tuples(st.just("reset")),
    st.tuples(st.just("deleted")),
    st.tuples(st.just("arc_mode")),
)


def fresh_view(window) -> DocumentView:
    """A new view of the open document, built from the database alone."""
    store, doc_id = window.store, window.session.doc_id
    doc = store.load_document(doc_id)
    model = sorted(doc.layer(Layer.MODEL).spans, key=lambda s: s.start)
    gold = sorted(doc.layer(Layer.GOLD).spans, key=lambda s: s.start)
    view = DocumentView()
    view.resize(window.view.size())
    view.set_point_size(window.view.point_size())
    view.set_colors(window.view.palette_.colors)
    view.set_relation_styles(window.view.palette_.arc_styles)
    view.set_document(doc.text, doc.tokens, doc.sentence_starts)
    # the same text width (an unshown view may reserve room for a scroll bar)
    view.blocks.set_geometry(window.view.blocks.width, window.view.text_font)
    view.set_spans(gold, diff_layers(model, gold))
    view.set_relations(doc.layer(Layer.GOLD).relations)
    view.show_state(window.controller.state)
    return view


def drawings(view: DocumentView) -> list[BlockDrawing]:
    return [view.drawing(i) for i in range(len(view.blocks.blocks))]


def apply(window, action: tuple) -> None:
    c, session = window.controller, window.session
    spans, relations = session.gold, session.relations
    kind = action[0]
    if kind == "add":
        tokens = len(window.view.tokens)
        first = action[1] % tokens
        c.set_token_selection(min(tokens - 1, first + action[2]), first)
        c.apply_label(action[3])
    elif kind in ("delete", "relabel", "resize", "select") and spans:
        c.select_span(spans[action[1] % len(spans)].id)
        if kind == "delete":
            c.delete_selected()
        elif kind == "relabel":
            c.apply_label(action[2])
        elif kind == "resize":
            c.move_boundary(*action[2])
    elif kind == "relation" and len(spans) > 1:
        c.select_span(spans[action[1] % len(spans)].id)
        c.start_relation()
        c.select_span(spans[action[2] % len(spans)].id)
        c.apply_relation_label(action[3])
    elif kind.startswith("relation_") or kind == "select_relation":
        if relations:
            c.select_relation(relations[action[1] % len(relations)].id)
            if kind == "relation_relabel":
                c.apply_relation_label(action[2])
            elif kind == "relation_reverse":
                c.reverse_selected()
            elif kind == "relation_delete":
                c.delete_selected()
    elif kind == "everywhere":
        c.apply_everywhere()
    elif kind == "everywhere_documents":
        c.apply_everywhere_in_documents()
    elif kind == "missing":
        c.select_candidate(action[1])
    elif kind == "accept":
        c.accept_suggestion()
    elif kind == "undo":
        session.undo_stack.undo()
    elif kind == "redo":
        session.undo_stack.redo()
    elif kind == "reset":
        session.reset_to_model()
    elif kind == "deleted":
        c.toggle_deleted()
    elif kind == "arc_mode":
        c.cycle_arc_mode()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_every_block_matches_a_fresh_view_after_every_edit(qtbot, window, steps):
    # start each example from the model's predictions, every block laid out
    window.controller.confirm = lambda title, question: True
    window.session.reset_to_model()
    window.session.undo_stack.clear()
    window.open_document(window.session.doc_id)
    assert len(window.view.blocks.blocks) > 4  # a multi-block document
    drawings(window.view)
    for action in steps:
        apply(window, action)
        expected = drawings(fresh_view(window))
        assert drawings(window.view) == expected, f"after {action}"
        qtbot.waitUntil(lambda: screen_is_current(window.view), timeout=2000)
        stored = stored_spans(window)  # the lists beside the article follow its repaint
        qtbot.waitUntil(lambda s=stored: side_spans(window) == s, timeout=2000)


def screen_is_current(view: DocumentView) -> bool:
    """Edits repaint only the blocks that changed: once painted, what the screen
    shows of every visible block is its current drawing at its current place."""
    QApplication.processEvents()
    return all(
        view.screen_record.shown.get(index) == view._shown(index, top)
        for index, top in view._visible()
    )


def stored_spans(window) -> list:
    doc = window.store.load_document(window.session.doc_id)
    return sorted(doc.layer(Layer.GOLD).spans, key=lambda s: s.start)


def side_spans(window) -> list:
    model = window.side.spans
    return [model.span_at(row) for row in range(model.rowCount())]


def test_tags_and_arcs_show_the_stored_labels_after_an_early_add(window):
    """Independent of the fresh view: with every block laid out, an add at the
    very start (which shifts every later span in the list) leaves every tag and
    arc showing its stored label."""
    c, session, store = window.controller, window.session, window.store
    spans = session.gold
    c.select_span(spans[-1].id)
    c.start_relation()
    c.select_span(spans[-2].id)
    c.apply_relation_label("PART-WHOLE")
    drawings(window.view)
    c.set_token_selection(0, 0)
    c.apply_label("PERSON")
    c.select_span(session.gold[3].id)
    c.delete_selected()
    doc = store.load_document(session.doc_id)
    stored = {s.id: s.label for s in doc.layer(Layer.GOLD).spans}
    stored_relations = {r.id: r.label for r in doc.layer(Layer.GOLD).relations}
    tags = [t for d in drawings(window.view) for t in d.tags]
    arcs = [a for d in drawings(window.view) for a in d.arcs]
    assert {t.span_id: t.label for t in tags} == stored
    assert all(t.text.endswith(stored[t.span_id]) for t in tags if t.span_id is not None)
    assert stored_relations and {a.relation_id: a.label for a in arcs} == stored_relations
