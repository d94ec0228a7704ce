"""The rendering short-cuts change time, not output: the letter templates parse to the same
tree with expat as with the HTML5 parser, and the margin-box short-cut lays boxes out where
WeasyPrint does."""

import copy
import json
from xml.etree import ElementTree

import pytest
import tinyhtml5

from correspondence.rendering import pdf as letter_pdf
from correspondence.rendering import speedups

from .conftest import FIXTURES, load

KINDS = json.loads((FIXTURES / "kinds.json").read_text(encoding="utf-8"))
SPECS = {"moi-2563": load("moi-2563"), "mfa-2563": load("mfa-2563"), **KINDS}


def _body(root):
    """The body's markup; the HTML5 parser moves the newlines after </body> and </html> into
    the body's end, which is whitespace in a block (no box), so that is left out."""
    body = copy.copy(root.find("body"))
    body.tail = None
    return ElementTree.tostring(body, encoding="unicode").removesuffix("</body>").rstrip()


def _variant():
    spec = copy.deepcopy(load("moi-2563"))
    spec.update(secrecy="secret", deliver_by="2020-05-20T10:30", copies_to=["ก & <b>ข</b>", "ค \"ง\" 'จ'"])
    spec["body"] = [*spec["body"], "ข้อความ <script>x</script> &amp; &nbsp; ทดสอบ"]
    return spec


@pytest.mark.parametrize("name", [*SPECS, "variant"])
def test_templates_parse_the_same_with_expat(name):
    spec = _variant() if name == "variant" else SPECS[name]
    html = letter_pdf.letter_html(spec)
    document = letter_pdf.html_document(html)
    assert type(document).__name__ == "_ParsedHTML"  # the fast path is taken
    expected = tinyhtml5.parse(html, namespace_html_elements=False)
    assert _body(document.etree_element) == _body(expected)
    assert document.etree_element.get("lang") == expected.get("lang") == "th"


def test_markup_expat_refuses_falls_back_to_the_html5_parser():
    document = letter_pdf.html_document('<!DOCTYPE html><html lang="th"><body><p>a<br>b</p></body></html>')
    assert type(document).__name__ == "HTML"


def _margin_boxes(document):
    from weasyprint.formatting_structure import boxes

    found = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.children:
            if isinstance(box, boxes.MarginBox):
                found.append((number, box.at_keyword, round(box.position_x, 3), round(box.position_y, 3),
                              round(box.width, 3), round(box.height, 3)))
    return found


def test_margin_boxes_are_where_weasyprint_puts_them(monkeypatch):
    css = ('@page { @top-left { content: "ซ้าย" } @top-right { content: "ขวา ขวา" } '
           '@bottom-right { content: "/ ต่อ..." } @left-middle { content: "ก" } }')
    html = letter_pdf.letter_html(load("moi-2563"))
    fast = _margin_boxes(letter_pdf._layout(html, css))
    from weasyprint.layout import page as wp_page

    monkeypatch.setattr(wp_page, "resolve_percentages", speedups._resolve_percentages)
    monkeypatch.setattr(wp_page, "compute_variable_dimension", speedups._compute_variable_dimension)
    plain = _margin_boxes(letter_pdf._layout(html, css))
    assert fast == plain
    assert {keyword for _, keyword, *_ in fast} >= {"@top-left", "@top-center", "@top-right", "@bottom-right",
                                                     "@left-middle"}
