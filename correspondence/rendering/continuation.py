"""The continuation cue (คำต่อเนื่อง): ``/`` + the first word of the next page + ``...``.

Found on a first layout; a second pass adds ``@page :nth(N) { @bottom-right {…} }``. Margin
boxes do not change the flow, and ``pdf.py`` checks that the pagination did not move.
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
