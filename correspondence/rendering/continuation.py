"""The continuation cue (คำต่อเนื่อง): ``/`` + the first word of the next page + ``...``.

The words are read from the laid-out letter. A margin box cannot change the flow, so the
letter is not laid out a second time: the cue pages get their bottom-right margin box the way
WeasyPrint makes it for a page (``make_margin_boxes``), from the letter's sheets plus
``@page :nth(N) { @bottom-right {…} }`` rules, and it is added to the letter's page. The
styles are computed for the root element alone (the page and its margin boxes inherit from
the root, never from the body), and the boxes are laid out on the letter's own page box, so
they land where a laid-out document with those rules puts them. Same result, a fraction of
the time.
"""

from __future__ import annotations

import functools
import re

from weasyprint.css import get_all_computed_styles
from weasyprint.css.targets import TargetCollector
from weasyprint.formatting_structure import boxes
from weasyprint.layout import LayoutContext
from weasyprint.layout.background import layout_box_backgrounds
from weasyprint.layout.page import make_margin_boxes, set_page_type_computed_styles

from . import fonts

_LETTER = re.compile(r"[A-Za-z\u0E01-\u0E2E]")


@functools.cache
def _tokenize():
    from pythainlp.tokenize import word_tokenize  # slow import (~1 s): only when needed

    return functools.partial(word_tokenize, engine="newmm", keep_whitespace=False)


def first_word(text: str) -> str:
    """First word of a line of Thai/English text: ``สำหรับการรับ`` → ``สำหรับ``; ``๓. ข้อ`` → ``๓.``."""
    chunk = text.split()[0] if text.split() else ""
    if not chunk or not re.search(r"[\u0E00-\u0E7F]", chunk):
        return chunk
    word = ""
    for token in _tokenize()(chunk):
        word += token
        if _LETTER.search(token):
            break
    return word


def _in_flow_text(box):
    """First non-blank text of the page's flow, skipping margin boxes and fixed elements."""
    if isinstance(box, boxes.MarginBox):
        return None
    if box.style["position"] == "fixed":
        return None
    if isinstance(box, boxes.LineBox):
        texts = []
        for t in _line_text_boxes(box):
            texts.append(t.text)
        line = "".join(texts).strip()
        return line or None
    for child in getattr(box, "children", ()):
        found = _in_flow_text(child)
        if found:
            return found
    return None


def _line_text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _line_text_boxes(child)


def page_first_lines(document) -> list[str | None]:
    return [_in_flow_text(page._page_box) for page in document.pages]


def cues(document) -> dict[int, str]:
    """{page number (1-based): cue text} for every page but the last."""
    lines = page_first_lines(document)
    result = {}
    for index in range(1, len(lines)):
        word = first_word(lines[index] or "")
        if word:
            result[index] = f"/ {word}..."
    return result


def cue_css(page_cues: dict[int, str]) -> str:
    rules = []
    for page, cue in page_cues.items():
        escaped = cue.replace("\\", "\\\\").replace('"', '\\"')
        rules.append(f'@page :nth({page}) {{ @bottom-right {{ content: "{escaped}"; }} }}')
    return "\n".join(rules)


# The letter's other margin boxes (the page number) are already on its pages.
BLANK_CSS = "@page { @top-center { content: none; } }"


def graft_cues(document, page_cues: dict[int, str], root_html, stylesheets) -> None:
    """Add the cue margin boxes to ``document``'s pages.

    ``root_html`` is a WeasyPrint ``HTML`` of the letter's root element alone (``<html
    lang="th">``, no children), ``stylesheets`` the letter's user stylesheets plus one with
    ``BLANK_CSS`` and ``cue_css``. Only the bottom side of a cue page gets a box: the other
    margin boxes are switched off, which does not move the bottom row (each side of the page is
    laid out on its own)."""
    if not page_cues:
        return
    if max(page_cues) > len(document.pages):
        raise RuntimeError("a cue for a page the letter does not have")
    context = _margin_context(root_html, stylesheets, document.pages[0]._page_box)
    for number in sorted(page_cues):
        page_box = document.pages[number - 1]._page_box
        for box in _margin_boxes(context, root_html, page_box, number, len(document.pages)):
            if box.at_keyword == "@bottom-right" and box.children:
                page_box.children = (*page_box.children, box)


def _margin_context(root_html, stylesheets, first_page_box) -> LayoutContext:
    """The layout context ``Document._render`` makes, for the root element alone."""
    style_for = get_all_computed_styles(
        root_html, user_stylesheets=stylesheets, font_config=fonts.font_config(),
        counter_style=fonts.counter_style(), page_rules=[], layers=[],
        target_collector=TargetCollector())
    # What make_page sets on page 1, before any margin box is made (for viewport units).
    style_for.initial_page_sizes["box"] = first_page_box.style["size"]
    style_for.initial_page_sizes["area"] = (first_page_box.width, first_page_box.height)
    return LayoutContext(style_for, _no_images, fonts.font_config(), fonts.counter_style(),
                         TargetCollector())


def _no_images(url, **_):
    raise RuntimeError(f"a continuation cue has no images ({url})")


def _margin_boxes(context, root_html, page_box, number, pages):
    """The laid-out margin boxes of the letter's page ``number``, as layout_document makes them."""
    set_page_type_computed_styles(page_box.page_type, root_html, context.style_for)
    context.current_page = number
    context.page_bottom = page_box.content_box_y() + page_box.height  # as make_page sets it
    # The page state layout_document hands over (quote depth, counters, scopes, page groups);
    # a cue is a plain string and reads none of it.
    state = ([0], {"pages": [pages], "page": [number]}, [{"pages"}], [])
    for box in make_margin_boxes(context, page_box, state):
        layout_box_backgrounds(page_box, box, context.get_image_from_uri)
        yield box
