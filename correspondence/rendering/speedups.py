"""Time-savers for WeasyPrint 70.0's page layout that leave the layout exactly as it was.

Margin boxes: for every page WeasyPrint builds all sixteen margin boxes (@top-left …
@bottom-right-corner) and resolves the percentages of each (a dozen computed-style look-ups a
box) before it looks whether any box of that side is generated at all. A letter generates one
or two (the page number, the continuation cue), so most of that work is thrown away. Here a
box that is not generated is only resolved if a generated neighbour on its side needs it
(``compute_variable_dimension``), and then exactly as WeasyPrint would have: resolve, then
zero its size and spacing.

Kept line layouts: WeasyPrint shapes every line twice. Layout leaves each text box's Pango
layout holding exactly the line's text at unlimited width, then throws it away
(``Layout.deactivate``) and builds and shapes it again to draw (``reactivate``). Here the
layout is kept, and drawing reuses it whenever the rebuilt one would be the same (same style,
no CSS justification spacing); otherwise it is rebuilt as before.

Computed styles: ``ComputedStyle.__missing__`` runs its whole general path (logical
properties, pending values, math functions) for every property an element did not set, which
is most of them; a letter asks it ~3,000 times. For a property that is not cascaded, not a
custom or logical-mapped one, and not one of the few with special rules, the answer is simply
the initial value, the parent's value, or (border widths, bleeds, gaps: the initial value
depends on other properties) the property's computer function applied to the initial value,
and that is what the short path returns. A property a rule sets to a plain value (not
var()-pending, 'inherit', 'initial' or a math function) is its computer function applied to
that value. position, float and display (their specified values are kept for one another),
page ('auto': the parent's) and the propagated text decorations take the same steps as
WeasyPrint's path without its other tests; the root element and anything else take that path.

Used lengths: ``resolve_percentages`` runs for every box laid out (~220 a letter) and turns
fifteen computed lengths into used ones, each through two generic helpers
(``resolve_one_percentage``, ``percentage``) that handle math functions too. The letter's
values are plain ``Dimension`` tuples ('px' or '%') or 'auto'; the replacement computes those
inline with the same arithmetic and hands anything else to ``percentage`` itself, so every
attribute gets the value WeasyPrint sets. It is installed wherever WeasyPrint's layout modules
imported the original by name.

Shrink-to-fit widths: WeasyPrint's ``shrink_to_fit`` (absolutely positioned boxes, floats,
inline blocks with width: auto) is min(max(min-content, available), max-content), and it
computes the min-content width first: every word laid out on its own line through Pango (half
a millisecond for the urgency mark). When the available width is greater than the max-content
width the result is the max-content width whatever the min-content width is, so it is only
computed when it can matter. The same goes for the margin boxes' widths
(``OrientedBox.outer``'s setter: the page number, the continuation cue). Computing preferred
widths only reads the boxes (the one cache it fills, ``context.tables``, is filled by the
max-content computation too: a table's min and max widths are computed together).

Backgrounds: ``layout_box_backgrounds`` runs for every box of every page (~150 a letter) and
for each one imports ``get_color``, builds the list of background images and looks at a dozen
properties to conclude, for almost all of them, that the box has no background. A box that is
not the page, has no box shadow, no border or mask image, no background image (or is
hidden) and a transparent background colour gets ``background = None`` directly, after its
radii and children exactly as before; any other box goes through WeasyPrint's function.

Struts: ``strut(style)`` (line height and baseline of a style's font) is asked ~100 times a
letter, for ~20 styles; WeasyPrint caches the answer under a string made of 16 property values
(``str()`` of a tuple with named tuples: most of its cost). Here a style remembers the values
it was asked with and the answer; when asked again with the very same value objects (``is``),
it is the answer WeasyPrint's cache would give for the same key (an entry is never replaced).

Normal flow: ``Box.is_in_normal_flow`` is asked ~850 times a letter and calls five methods
that each read the style; the replacement reads 'float' and 'position' once and makes the
same five tests in the same order. A box whose ``is_floated`` was replaced on the instance
(flex items) keeps WeasyPrint's method.

User-agent stylesheet: WeasyPrint's HTML5 stylesheet has universal pseudo-element rules
(``::marker``, ``::footnote-call``, ``::footnote-marker``, ``::note-call``, ``::note-marker``,
``::note-callback``) that match every element, so the cascade gives each element six extra
pseudo-element styles (~250 a letter). Their boxes are only made for list items, footnotes
(``float: footnote``) and notes (``position: note()``), which no letter template or letter.css
rule produces (tests/rendering/test_speedups.py checks), so the letters' documents
(``_ParsedHTML``) get a copy of the stylesheet without those rules. The other rules keep their
order numbers and declarations, so they cascade exactly as before.

Pinned to WeasyPrint 70.0 like ``actualtext``: ``install()`` refuses other versions.
"""

from __future__ import annotations

import copy
import functools
from math import inf
from operator import is_

import weasyprint
from weasyprint import css as wp_css
from weasyprint.css import computed_values as wp_computed_values
from weasyprint.css import units as wp_units
from weasyprint.css.computed_values import COMPUTER_FUNCTIONS, PHYSICAL_FUNCTIONS
from weasyprint.css.functions import check_math
from weasyprint.css.tokens import Pending
from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES, Dimension
from weasyprint.draw.color import get_color
from weasyprint.formatting_structure import boxes
from weasyprint.html import UA_FORM_STYLESHEET, UA_STYLESHEET
from weasyprint.layout import absolute, block, column, grid, inline, table
from weasyprint.layout import background as wp_background
from weasyprint.layout import float as wp_float
from weasyprint.layout import page as wp_page
from weasyprint.layout import percent as wp_percent
from weasyprint.layout import preferred as wp_preferred
from weasyprint.layout.percent import adjust_box_sizing, resolve_radii_percentages
from weasyprint.text import line_break as wp_line_break
from weasyprint.text.ffi import pango

SUPPORTED_WEASYPRINT = "70.0"
_SIDES = ("top", "right", "bottom", "left")
_resolve_percentages = wp_percent.resolve_percentages
_compute_variable_dimension = wp_page.compute_variable_dimension
_deactivate = wp_line_break.Layout.deactivate
_reactivate = wp_line_break.Layout.reactivate
_missing = wp_css.ComputedStyle.__missing__
_installed = False
# the modules that import resolve_percentages by name (flex.py calls it through the module)
_LAYOUT_MODULES = (wp_percent, absolute, block, column, wp_float, grid, inline, table)
_shrink_to_fit = wp_preferred.shrink_to_fit
_outer = wp_page.OrientedBox.outer
_layout_box_backgrounds = wp_background.layout_box_backgrounds
_strut = wp_line_break.strut
_is_in_normal_flow = boxes.Box.is_in_normal_flow
# where strut and shrink_to_fit are defined and the modules that import them by name
_STRUT_MODULES = (wp_line_break, inline, wp_units, wp_computed_values)
_SHRINK_TO_FIT_MODULES = (wp_preferred, absolute, wp_float, inline)

# Properties whose value, when no rule sets them, is the initial value as is (no computing) or
# the parent's computed value. Left out, for the general path: text-decoration (propagated),
# page ('auto' rule), position/float/display (their specified values are kept), custom
# properties. A physical property (margin-left …) takes the short path only when none of the
# logical properties that could set it (margin-inline-start …, either direction) is cascaded.
_SPECIAL = ({"page", "position", "float", "display"}
            | {key for key in INITIAL_VALUES if key.startswith("text_decoration_")})
_PLAIN_INITIAL = frozenset(key for key in INITIAL_VALUES
                           if key not in INHERITED and key not in INITIAL_NOT_COMPUTED and key not in _SPECIAL)
_PLAIN_COMPUTED = frozenset(key for key in INITIAL_NOT_COMPUTED
                            if key in COMPUTER_FUNCTIONS and key not in INHERITED and key not in _SPECIAL
                            and not check_math(INITIAL_VALUES[key]))
_PLAIN_INHERITED = frozenset(key for key in INHERITED if key in INITIAL_VALUES and key not in _SPECIAL)
# Cascaded properties whose specified value, when it is a plain value (not pending on var(),
# not 'inherit' or 'initial', no math function), is computed by its computer function alone.
_PLAIN_CASCADED = frozenset(key for key in INITIAL_VALUES if key not in _SPECIAL)
_LOGICAL = {key: (function(block="ttb", inline="ltr"), function(block="ttb", inline="rtl"))
            for key, function in PHYSICAL_FUNCTIONS.items()}


def resolve_percentages(box, containing_block):
    if type(box) is boxes.MarginBox and not box.is_generated:
        # make_box() zeroes size and spacing right after this; resolve later if needed
        box._deferred_containing_block = containing_block
        return
    used_lengths(box, containing_block)


_BORDER_WIDTHS = tuple(f"border_{side}_width" for side in _SIDES)
_percentage = wp_percent.percentage


def _used(value, style, refer_to):
    """``percentage(value, style, refer_to)``, inline for a plain length or percentage."""
    if type(value) is Dimension:
        unit = value.unit
        if unit == "%":
            return refer_to * value.value / 100
        if unit is not None:
            return value.value
    elif value == "auto" or value is None:
        return value
    return _percentage(value, style, refer_to)


def used_lengths(box, containing_block):
    """WeasyPrint 70's ``resolve_percentages``, with ``resolve_one_percentage`` inline (same
    attributes set in the same order)."""
    if isinstance(containing_block, boxes.Box):
        cb_width = containing_block.width
        cb_height = containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, boxes.PageBox) else cb_width
    style = box.style
    box.margin_left = _used(style["margin_left"], style, cb_width)
    box.margin_right = _used(style["margin_right"], style, cb_width)
    box.margin_top = _used(style["margin_top"], style, maybe_height)
    box.margin_bottom = _used(style["margin_bottom"], style, maybe_height)
    box.padding_left = _used(style["padding_left"], style, cb_width)
    box.padding_right = _used(style["padding_right"], style, cb_width)
    box.padding_top = _used(style["padding_top"], style, maybe_height)
    box.padding_bottom = _used(style["padding_bottom"], style, maybe_height)
    box.width = _used(style["width"], style, cb_width)
    min_width = _used(style["min_width"], style, cb_width)
    box.min_width = 0 if min_width == "auto" else min_width
    box.max_width = _used(style["max_width"], style, cb_width)

    if cb_height == "auto":
        # Special handling when the height of the containing block
        # depends on its content.
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            box.height = "auto"
        else:
            assert height.unit.lower() == "px"
            box.height = height.value
        min_height = _used(style["min_height"], style, 0)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used(style["max_height"], style, inf)
    else:
        box.height = _used(style["height"], style, cb_height)
        min_height = _used(style["min_height"], style, cb_height)
        box.min_height = 0 if min_height == "auto" else min_height
        box.max_height = _used(style["max_height"], style, cb_height)

    # Used value == computed value; border-{side}-width would have been resolved
    # during border conflict resolution for collapsed-borders
    if style["border_collapse"] == "collapse":
        for name in _BORDER_WIDTHS:
            if not hasattr(box, name):
                setattr(box, name, style[name])
    else:
        box.border_top_width = style["border_top_width"]
        box.border_right_width = style["border_right_width"]
        box.border_bottom_width = style["border_bottom_width"]
        box.border_left_width = style["border_left_width"]

    # Shrink *content* widths and heights according to box-sizing (nothing to do for
    # content-box: adjust_box_sizing's delta is 0)
    if style["box_sizing"] != "content-box":
        adjust_box_sizing(box, "width")
        adjust_box_sizing(box, "height")


def compute_variable_dimension(context, side_boxes, vertical, available_size):
    for box in side_boxes:
        containing_block = box.__dict__.pop("_deferred_containing_block", None)
        if containing_block is not None:
            _resolve_percentages(box, containing_block)
            box.width = box.height = 0
            for side in _SIDES:
                box._reset_spacing(side)
    return _compute_variable_dimension(context, side_boxes, vertical, available_size)


def shrink_to_fit(context, box, available_content_width):
    max_content = wp_preferred.max_content_width(context, box, outer=False)
    if available_content_width > max_content:
        return max_content  # min(max(min-content, available), max-content), min-content aside
    min_content = wp_preferred.min_content_width(context, box, outer=False)
    return min(max(min_content, available_content_width), max_content)


def _set_outer(self, new_outer_width):
    # OrientedBox.outer's setter: inner = min(max(min-content, outer - sugar), max-content)
    inner = new_outer_width - self.sugar
    max_content = self.max_content_size
    if inner > max_content:
        self.inner = max_content
    else:
        self.inner = min(max(self.min_content_size, inner), max_content)


def box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
    if style is None and box is not page and _has_no_background(box.style):
        resolve_radii_percentages(box)
        if layout_children:
            for child in box.all_children():
                box_backgrounds(page, child, get_image_from_uri)
        box.background = None
        return
    _layout_box_backgrounds(page, box, get_image_from_uri, layout_children, style)


def _has_no_background(style):
    """No box shadow, border or mask image, and nothing that layout_box_backgrounds would draw."""
    if style["box_shadow"]:
        return False
    if style["border_image_source"][0] != "none" or style["mask_border_source"][0] != "none":
        return False
    if style["visibility"] == "hidden":
        return True  # no images, transparent colour
    return (get_color(style, "background_color").alpha == 0
            and all(type_ != "url" and not value for type_, value in style["background_image"]))


# the properties of line_break._font_style_cache_key(style, include_size=True)
_STRUT_PROPERTIES = (
    "font_family", "font_style", "font_stretch", "font_weight", "font_variant_ligatures",
    "font_variant_position", "font_variant_caps", "font_variant_numeric", "font_variant_alternates",
    "font_variant_east_asian", "font_feature_settings", "font_variation_settings", "font_language_override",
    "lang", "font_size", "line_height")


def strut(style):
    if style["font_size"] == 0:
        return 0, 0
    values = tuple(map(style.__getitem__, _STRUT_PROPERTIES))
    remembered = style.__dict__.get("_strut")
    if remembered is not None and all(map(is_, remembered[0], values)):
        return remembered[1]
    result = _strut(style)
    style.__dict__["_strut"] = (values, result)
    return result


_FLOATED = ("left", "right", "inline-start", "inline-end")


def is_in_normal_flow(box):
    if "is_floated" in box.__dict__:
        return _is_in_normal_flow(box)
    style = box.style
    float_ = style["float"]
    if float_ in _FLOATED:
        return False
    position = style["position"]
    return not (position in ("absolute", "fixed") or position[0] == "running()" or float_ == "footnote"
                or position[0] == "note()")


def computed_missing(style, key):
    cascaded = style.cascaded
    logical = _LOGICAL.get(key)
    if logical is not None and (logical[0] in cascaded or logical[1] in cascaded):
        return _missing(style, key)
    if key in cascaded:
        if key in _PLAIN_CASCADED or key in _SPECIFIED_FIRST:
            value = cascaded[key][0]
            if _is_plain(value):
                if key in _SPECIFIED_FIRST:
                    return _flow_property(style, key, value)
                value = style[key] = _compute(style, key, value)
                return value
        return _missing(style, key)
    if key in _PLAIN_INITIAL:
        value = style[key] = INITIAL_VALUES[key]
        return value
    if key in _PLAIN_COMPUTED:
        value = style[key] = COMPUTER_FUNCTIONS[key](style, key, INITIAL_VALUES[key])
        return value
    parent_style = style.parent_style
    if parent_style is not None:
        if key in _PLAIN_INHERITED:
            value = style[key] = parent_style[key]
            return value
        if key in _SPECIAL:
            return _special_initial(style, key, parent_style)
    return _missing(style, key)


def _is_plain(value):
    """A specified value its computer function alone computes: not pending on var(), not
    'inherit' or 'initial', no math function."""
    return (not isinstance(value, Pending) and value != "inherit" and value != "initial"
            and not check_math(value))


def _compute(style, key, value):
    """The property's computer function applied to ``value`` (the value itself if it has none)."""
    computer = COMPUTER_FUNCTIONS.get(key)
    return value if computer is None else computer(style, key, value)


# properties whose specified value ComputedStyle.__missing__ reads before computing them
_SPECIFIED_FIRST = {"position": None, "float": "position", "display": "float"}


def _special_initial(style, key, parent_style):
    """``ComputedStyle.__missing__`` for a property of _SPECIAL that no rule sets, on an
    element that has a parent: the same steps without the general path's other tests."""
    value = INITIAL_VALUES[key]  # none of them is a math function
    if key == "page":
        # 'auto': the nearest ancestor's page (the style's own entry is removed again)
        value = style[key] = parent_style[key]
    elif key in _SPECIFIED_FIRST:
        value = _flow_property(style, key, value, computed=key not in INITIAL_NOT_COMPUTED)
    else:  # text_decoration_*: propagated, not inherited
        style[key] = value  # all are INITIAL_VALUES as they are
        value = _compute(style, key, value)
        value = style[key] = wp_css.text_decoration(key, value, parent_style[key], False)
    return value


def _flow_property(style, key, value, computed=False):
    """position, float or display from its specified value (``ComputedStyle.__missing__``'s
    steps): the property it depends on first, then the specified value kept, then computed
    unless it is an initial value that needs no computing."""
    before = _SPECIFIED_FIRST[key]
    if before is not None:
        style[before]
    style.specified[key] = value  # the computed float and display depend on them
    if computed:
        style[key] = value
        return value
    value = style[key] = _compute(style, key, value)
    return value


def deactivate(layout) -> None:
    layout._kept = True  # the Pango layout, its style and language stay


def reactivate(layout, style) -> None:
    if layout.__dict__.pop("_kept", False):
        if style is layout.style and not layout.justification_spacing:
            # What reactivate would build: this text, unlimited width (a line that fitted
            # keeps the width it was laid out at; Pango ignores an unchanged width), no extra
            # spacing.
            pango.pango_layout_set_width(layout.layout, -1)
            return
    _reactivate(layout, style)


# Pseudo-elements whose boxes only list items, footnotes and notes have (see the docstring).
UNGENERATED_PSEUDO_ELEMENTS = frozenset(
    {"marker", "footnote-call", "footnote-marker", "note-call", "note-marker", "note-callback"})


@functools.cache
def _letter_ua_stylesheet():
    sheet = copy.copy(UA_STYLESHEET)
    sheet.matcher = copy.copy(UA_STYLESHEET.matcher)
    # matcher entries are (test, specificity, order, pseudo-element, payload)
    sheet.matcher.other_selectors = [entry for entry in UA_STYLESHEET.matcher.other_selectors
                                     if entry[3] not in UNGENERATED_PSEUDO_ELEMENTS]
    return sheet


def letter_ua_stylesheets(html, forms=False):
    """``HTML._ua_stylesheets`` for letter markup: the HTML5 stylesheet less the rules above."""
    return [_letter_ua_stylesheet(), UA_FORM_STYLESHEET] if forms else [_letter_ua_stylesheet()]


def install() -> None:
    """Patch WeasyPrint's page layout (idempotent)."""
    global _installed
    if _installed:
        return
    if weasyprint.__version__ != SUPPORTED_WEASYPRINT:
        raise RuntimeError(
            f"correspondence.rendering.speedups is written for WeasyPrint {SUPPORTED_WEASYPRINT}, "
            f"found {weasyprint.__version__}: review the functions it replaces (module docstring) "
            "against the new version")
    for module in _LAYOUT_MODULES:
        if module.resolve_percentages is _resolve_percentages:
            module.resolve_percentages = used_lengths
    wp_page.resolve_percentages = resolve_percentages
    for module in _SHRINK_TO_FIT_MODULES:
        module.shrink_to_fit = shrink_to_fit
    wp_page.OrientedBox.outer = _outer.setter(_set_outer)
    wp_background.layout_box_backgrounds = box_backgrounds  # the recursion and layout_backgrounds
    for module in _STRUT_MODULES:
        module.strut = strut
    boxes.Box.is_in_normal_flow = is_in_normal_flow
    wp_page.compute_variable_dimension = compute_variable_dimension
    wp_line_break.Layout.deactivate = deactivate
    wp_css.ComputedStyle.__missing__ = computed_missing
    wp_line_break.Layout.reactivate = reactivate
    _installed = True
