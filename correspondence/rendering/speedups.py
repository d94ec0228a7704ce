"""Time-savers for WeasyPrint 70.0's page layout that leave the layout exactly as it was.

Margin boxes: for every page WeasyPrint builds all sixteen margin boxes (@top-left …
@bottom-right-corner) and resolves the percentages of each (a dozen computed-style look-ups a
box) before it looks whether any box of that side is generated at all. A letter generates one
or two (the page number, the continuation cue), so most of that work is thrown away. Here a
box that is not generated is only resolved if a generated neighbour on its side needs it
(``compute_variable_dimension``), and then exactly as WeasyPrint would have: resolve, then
zero its size and spacing.

Pinned to WeasyPrint 70.0 like ``actualtext``: ``install()`` refuses other versions.
"""

from __future__ import annotations

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import page as wp_page

SUPPORTED_WEASYPRINT = "70.0"
_SIDES = ("top", "right", "bottom", "left")
_resolve_percentages = wp_page.resolve_percentages
_compute_variable_dimension = wp_page.compute_variable_dimension
_installed = False


def resolve_percentages(box, containing_block):
    if type(box) is boxes.MarginBox and not box.is_generated:
        # make_box() zeroes size and spacing right after this; resolve later if needed
        box._deferred_containing_block = containing_block
        return
    _resolve_percentages(box, containing_block)


def compute_variable_dimension(context, side_boxes, vertical, available_size):
    for box in side_boxes:
        containing_block = box.__dict__.pop("_deferred_containing_block", None)
        if containing_block is not None:
            _resolve_percentages(box, containing_block)
            box.width = box.height = 0
            for side in _SIDES:
                box._reset_spacing(side)
    return _compute_variable_dimension(context, side_boxes, vertical, available_size)


def install() -> None:
    """Patch WeasyPrint's page layout (idempotent)."""
    global _installed
    if _installed:
        return
    if weasyprint.__version__ != SUPPORTED_WEASYPRINT:
        raise RuntimeError(
            f"correspondence.rendering.speedups is written for WeasyPrint {SUPPORTED_WEASYPRINT}, "
            f"found {weasyprint.__version__}: review make_margin_boxes against the new version")
    wp_page.resolve_percentages = resolve_percentages
    wp_page.compute_variable_dimension = compute_variable_dimension
    _installed = True
