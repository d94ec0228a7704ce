"""The continuation cue (คำต่อเนื่อง): ``/`` + the first word of the next page + ``...``.

The words are read from the laid-out letter. A margin box cannot change the flow, so instead of
laying the whole letter out a second time, a blank document with the same pages gets
``@page :nth(N) { @bottom-right {…} }`` rules and its bottom-right boxes are moved onto the
letter's pages (same page size and margins, so the same place). Same result, a fraction of
the time.
"""

from __future__ import annotations

import functools
import re

from weasyprint.formatting_structure import boxes

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


BLANK_CSS = "@page { @top-center { content: none; } }"


def graft_cues(document, page_cues: dict[int, str], render_blank) -> None:
    """Add the cue margin boxes to ``document``'s pages.

    ``render_blank(n_pages, css)`` lays out an empty document of ``n_pages`` pages with the
    letter's page rules plus ``css``. It only needs the pages up to the last one with a cue
    (the letter's last page never has one), and only their bottom-right boxes: the other
    margin boxes (the page number) are switched off there, which does not move the bottom
    row (each side of the page is laid out on its own)."""
    if not page_cues:
        return
    pages = max(page_cues)
    if pages > len(document.pages):
        raise RuntimeError("a cue for a page the letter does not have")
    blank = render_blank(pages, BLANK_CSS + "\n" + cue_css(page_cues))
    if len(blank.pages) != pages:
        raise RuntimeError("the cue pages do not match the letter's pages")
    for page, cue_page in zip(document.pages, blank.pages):
        for box in cue_page._page_box.children:
            if isinstance(box, boxes.MarginBox) and box.at_keyword == "@bottom-right" and box.children:
                page._page_box.children = (*page._page_box.children, box)
