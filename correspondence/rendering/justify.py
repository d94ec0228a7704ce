"""Thai distributed justification (การจัดบรรทัดแบบกระจาย) on a laid-out WeasyPrint document.

CSS ``text-align: justify`` only widens spaces, and Thai lines have few of them. Thai offices
justify by spreading the missing width over every gap between characters (clusters), so every
line but a paragraph's last ends at the right margin and word gaps stay close to one space.

Runs between ``HTML.render()`` and ``Document.write_pdf()``: lines keep their breaks, text
boxes get ``thai_extra`` (pt added before each cluster, drawn by ``actualtext``) and later
boxes of the line move right.
"""

from __future__ import annotations

from weasyprint.formatting_structure import boxes

from .actualtext import count_clusters

CLASS = "td"  # elements whose lines are distributed
# Do not stretch a line whose gap to the margin is huge (e.g. broken before a long URL): the
# result would be letter-spaced beyond recognition. Expressed per cluster gap, in em.
MAX_EXTRA_EM = 0.25


def _has_class(element, name):
    return element is not None and name in (element.get("class") or "").split()


def _collect(box, lines_by_element, order):
    if isinstance(box, boxes.BlockContainerBox) and _has_class(box.element, CLASS):
        for child in box.children:
            if isinstance(child, boxes.LineBox):
                key = id(box.element)
                if key not in lines_by_element:
                    lines_by_element[key] = []
                    order.append(key)
                lines_by_element[key].append((box, child))
        return
    for child in getattr(box, "children", ()):
        _collect(child, lines_by_element, order)


def _text_boxes(box):
    """Text boxes of a line, not those inside inline-blocks (labels keep their own spacing)."""
    if isinstance(box, boxes.TextBox):
        yield box
    elif not isinstance(box, boxes.AtomicInlineLevelBox):
        for child in getattr(box, "children", ()):
            yield from _text_boxes(child)


def _atomic_count(box):
    if isinstance(box, boxes.AtomicInlineLevelBox):
        return 1
    return sum(_atomic_count(child) for child in getattr(box, "children", ()))


def _line_right(line):
    right = line.position_x
    for child in line.children:
        right = max(right, child.position_x + child.margin_width())
    return right


class _Spreader:
    """Walks a line's boxes left to right, moving each by the width added before it."""

    def __init__(self, extra, counts):
        self.extra, self.counts = extra, counts
        self.shift, self.first = 0.0, True

    def walk(self, box):
        if isinstance(box, boxes.AtomicInlineLevelBox):
            # an inline-block (the เรื่อง / อ้างถึง label) moves as one unit
            if not self.first:
                self.shift += self.extra
            box.translate(self.shift)
            self.first = False
            return
        if isinstance(box, boxes.TextBox):
            n = self.counts[id(box)]
            if n and not self.first:
                self.shift += self.extra  # the gap before this box's first cluster
            box.position_x += self.shift
            if n:
                box.thai_extra = self.extra
                box.width += self.extra * (n - 1)
                self.shift += self.extra * (n - 1)
                self.first = False
            return
        start = self.shift
        box.position_x += start
        for child in getattr(box, "children", ()):
            self.walk(child)
        if getattr(box, "width", None) is not None:
            box.width += self.shift - start


def justify_document(document) -> int:
    """Distribute the lines of every ``.td`` block; return the number of lines changed."""
    lines_by_element, order = {}, []
    for page in document.pages:
        _collect(page._page_box, lines_by_element, order)
    changed = 0
    for key in order:
        lines = lines_by_element[key]
        for block, line in lines[:-1]:  # a paragraph's last line stays flush left
            right_edge = block.content_box_x() + block.width
            slack = right_edge - _line_right(line)
            if slack <= 0.05:
                continue
            texts = list(_text_boxes(line))
            atomics = sum(_atomic_count(child) for child in line.children)
            if len(texts) == 1 and not atomics:
                # The usual line: one text box. Its clusters are counted while it is drawn
                # (the layout is live then), which saves re-shaping every line here.
                texts[0].thai_slack = slack
                texts[0].width += slack
                line.width = right_edge - line.position_x
                changed += 1
                continue
            counts = {id(t): count_clusters(t) for t in texts}
            gaps = sum(counts.values()) + atomics - 1
            if gaps <= 0:
                continue
            extra = slack / gaps
            font_size = line.style["font_size"]
            if extra > MAX_EXTRA_EM * font_size:
                continue
            spreader = _Spreader(extra, counts)
            for child in line.children:
                spreader.walk(child)
            line.width = right_edge - line.position_x
            changed += 1
    return changed
