"""The cue pass builds the cue margin boxes on the letter's own pages instead of laying out a
second document: the boxes must be the ones a layout of the letter with the cue rules has."""

import copy

import pytest
from weasyprint.formatting_structure import boxes

from correspondence.rendering import continuation
from correspondence.rendering import pdf as letter_pdf

from .conftest import load

STYLE_KEYS = ("font_family", "font_size", "font_weight", "line_height", "color", "lang", "text_align_all",
              "vertical_align", "padding_top", "white_space")


def _secret_three_pages():
    spec = copy.deepcopy(load("moi-2563"))
    spec.update(secrecy="secret", copies_to=["ก & <b>ข</b>"])
    spec["body"] = [*spec["body"], *spec["body"], 'ข้อความ "อ้าง" \\ ทดสอบ']
    return spec


def _arabic():
    spec = copy.deepcopy(load("mfa-2563"))
    spec["digits"] = "arabic"
    return spec


SPECS = {"moi-2563": lambda: load("moi-2563"), "mfa-2563": lambda: load("mfa-2563"),
         "secret-3-pages": _secret_three_pages, "arabic-digits": _arabic}


def _layout_of(box):
    """Every box of a margin box: type, place, size, spacing, text and the style it is drawn in."""
    found = [(type(box).__name__, box.position_x, box.position_y, box.width, box.height,
              box.margin_top, box.margin_right, box.margin_bottom, box.margin_left,
              box.padding_top, box.padding_right, box.padding_bottom, box.padding_left,
              getattr(box, "baseline", None), getattr(box, "text", None),
              tuple(str(box.style[key]) for key in STYLE_KEYS))]
    for child in getattr(box, "children", ()):
        found += _layout_of(child)
    return found


def _cue_boxes(document):
    return {number: _layout_of(box)
            for number, page in enumerate(document.pages, start=1)
            for box in page._page_box.children
            if isinstance(box, boxes.MarginBox) and box.at_keyword == "@bottom-right"}


@pytest.mark.parametrize("name", SPECS)
def test_cue_boxes_are_those_of_a_layout_with_the_cue_rules(name):
    spec = SPECS[name]()
    document = letter_pdf.layout_letter(spec)
    page_cues = continuation.cues(document)
    assert page_cues and max(page_cues) == len(document.pages) - 1

    css = letter_pdf._digits_css(spec) + "\n" + continuation.cue_css(page_cues)
    reference = letter_pdf._layout(letter_pdf.letter_html(spec), css)

    grafted = _cue_boxes(document)
    assert sorted(grafted) == sorted(page_cues)
    assert grafted == _cue_boxes(reference)
    texts = {number: "".join(t for *_, t, _ in layout if t) for number, layout in grafted.items()}
    assert texts == page_cues


def test_only_the_cue_is_added_to_a_page():
    spec = _secret_three_pages()
    plain = letter_pdf._layout(letter_pdf.letter_html(spec), letter_pdf._digits_css(spec))
    document = letter_pdf.layout_letter(spec)
    for before, after in zip(plain.pages, document.pages):
        added = after._page_box.children[len(before._page_box.children):]
        kinds = [(type(box).__name__, getattr(box, "at_keyword", None)) for box in after._page_box.children]
        assert kinds[:len(before._page_box.children)] == [
            (type(box).__name__, getattr(box, "at_keyword", None)) for box in before._page_box.children]
        assert [box.at_keyword for box in added] == (["@bottom-right"] if after is not document.pages[-1] else [])
