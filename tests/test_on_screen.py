"""What each line of a block paints and where (on_screen.py): the view repaints
only the lines whose key changed, over the extents given here."""

from __future__ import annotations

import itertools

from annotator.ui.arc_layout import ArcEnds
from annotator.ui.on_screen import (
    BLEED,
    BlockShown,
    block_extent,
    changed_lines,
    lines_shown,
    to_repaint,
)
from annotator.ui.scene import (
    ArcPiece,
    BlockScene,
    Box,
    LineScene,
    Palette,
    RelationArc,
    SpanMark,
    Tag,
    draw_block,
)
from annotator.ui.view_state import ViewState

TAG_HEIGHT = 14.0
PALETTE = Palette({"ORG": "#7aecec", "GPE": "#feca74"}, {"PART-WHOLE": ("#3b5bdb", True)})


def arc(first: int, second: int, relation: int = 7) -> RelationArc:
    return RelationArc(
        ArcEnds(relation, (first, first + 4), (second, second + 4)), "PART-WHOLE", 1, 2, True
    )


def scene(far_end: int = 150, label: str = "ORG", second_line_tags: int = 1) -> BlockScene:
    """Three lines of 40 characters; a span at 10 on the first, one at 50 on the
    second, with an arc from it to ``far_end`` (on the third line, or beyond)."""
    org = SpanMark(1, 10, 14, label)
    gpe = SpanMark(2, 50, 54, "GPE")
    link = arc(50, far_end)
    lines = (
        LineScene(
            0,
            40,
            20.0,
            16.0,
            1,
            (Box(org, 30.0, 60.0),),
            (),
            (Tag(label, label, 1, 30.0, 40.0, 0),),
            (),
        ),
        LineScene(
            40,
            80,
            75.0,
            16.0,
            second_line_tags,
            (Box(gpe, 30.0, 60.0),),
            (),
            (Tag("GPE", "GPE", 2, 30.0, 40.0, 0),),
            (ArcPiece(link, 45.0, 600.0, True, False, 0),),
        ),
        LineScene(
            80, 120, 120.0, 16.0, 0, (), (), (), (ArcPiece(link, 0.0, 600.0, False, False, 0),)
        ),
    )
    return BlockScene(0, 120, 142.0, lines)


def shown(block: BlockScene, state: ViewState | None = None, top: float = 100.0) -> BlockShown:
    drawing = draw_block(
        block, state or ViewState(), PALETTE, None, None, lambda line, offset: 3.0 * (offset % 40)
    )
    return BlockShown(top, block.height, drawing, lines_shown(block, drawing, TAG_HEIGHT))


def test_the_lines_tile_the_block_and_reach_a_bleed_beyond_it():
    lines = shown(scene()).lines
    assert lines[0].top == -BLEED
    assert lines[-1].bottom == 142.0 + BLEED
    for above, below in itertools.pairwise(lines):
        # each line's band ends where the next one's begins: the bottom of its text
        assert below.top + BLEED == above.bottom - BLEED
    assert [round(line.bottom - BLEED) for line in lines] == [36, 91, 142]


def test_a_relabel_changes_the_key_of_its_line_alone():
    before, after = shown(scene()), shown(scene(label="GPE"))
    assert changed_lines(before, after) == [0]
    assert to_repaint(before, after) == [(100.0 - BLEED, 136.0 + BLEED)] * 2


def test_an_arc_whose_far_end_moved_draws_the_same_on_the_lines_it_only_crosses():
    """The arc's RelationArc changed (its ends), its pieces on these lines did not:
    nothing to repaint (the line that holds the moved end is another block's)."""
    before, after = shown(scene(far_end=150)), shown(scene(far_end=160))
    assert before.lines[1:] != () and scene(150).lines[1] != scene(160).lines[1]
    assert changed_lines(before, after) == []
    assert to_repaint(before, after) == []


def test_moved_resized_or_new_blocks_are_repainted_whole():
    block = shown(scene())
    assert changed_lines(None, block) is None
    assert changed_lines(block, block._replace(top=101.0)) is None
    assert changed_lines(block, shown(scene(second_line_tags=2))._replace(height=150.0)) is None
    assert to_repaint(None, block) == [block_extent(block)]
    moved = block._replace(top=300.0)
    assert to_repaint(block, moved) == [block_extent(moved), block_extent(block)]
    assert block_extent(block) == (100.0 - BLEED, 242.0 + BLEED)


def test_selecting_a_span_changes_its_line_and_the_lines_of_its_arcs():
    before = shown(scene())
    after = shown(scene(), ViewState(selected_span=2))  # the GPE span: its arc stands out
    assert changed_lines(before, after) == [1, 2]


def test_a_suggestion_reaches_a_tag_height_above_its_line():
    """A likely missing span's dashed tag sits above the first selected line,
    whether or not the line has a band for tags: here it has none (3 px below the
    line above), so the tag reaches into the line above."""
    block = BlockScene(
        0,
        80,
        41.0,
        (
            LineScene(0, 40, 0.0, 16.0, 0, (), (), (), ()),
            LineScene(40, 80, 19.0, 16.0, 0, (), (), (), ()),
        ),
    )
    plain = shown(block)
    suggested = draw_block(
        block,
        ViewState(anchor=0, caret=0, suggestion="GPE"),
        PALETTE,
        (44, 48),  # on the second line
        None,
        lambda line, offset: 3.0 * (offset % 40),
    )
    lines = lines_shown(block, suggested, TAG_HEIGHT)
    assert plain.lines[1].top == 16.0 - BLEED
    assert lines[1].top == 19.0 - TAG_HEIGHT - 1 - BLEED
    assert lines[0] == plain.lines[0]
