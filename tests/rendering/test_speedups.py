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


_CROWDED = " ".join(["คำต่อเนื่องที่ยาวมาก"] * 12)


@pytest.mark.parametrize("css", [
    ('@page { @top-left { content: "ซ้าย" } @top-right { content: "ขวา ขวา" } '
     '@bottom-right { content: "/ ต่อ..." } @left-middle { content: "ก" } }'),
    # more text than room: the widths come from the min-content widths
    f'@page {{ @top-left {{ content: "{_CROWDED}" }} @top-right {{ content: "{_CROWDED}" }} '
    f'@bottom-left {{ content: "{_CROWDED}" }} @bottom-right {{ content: "ขวา" }} }}',
])
def test_margin_boxes_are_where_weasyprint_puts_them(monkeypatch, css):
    html = letter_pdf.letter_html(load("moi-2563"))
    fast = _margin_boxes(letter_pdf._layout(html, css))
    from weasyprint.layout import page as wp_page

    monkeypatch.setattr(wp_page, "resolve_percentages", speedups._resolve_percentages)
    monkeypatch.setattr(wp_page, "compute_variable_dimension", speedups._compute_variable_dimension)
    monkeypatch.setattr(wp_page.OrientedBox, "outer", speedups._outer)
    plain = _margin_boxes(letter_pdf._layout(html, css))
    assert fast == plain
    assert {keyword for _, keyword, *_ in fast} >= {"@top-left", "@top-center", "@top-right", "@bottom-right"}


def _content_streams(pdf: bytes) -> list[bytes]:
    import io

    import pypdf

    return [page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("name", ["moi-2563", "mfa-2563", "memo", "order", "certificate"])
def test_kept_line_layouts_draw_what_rebuilt_ones_draw(monkeypatch, name):
    spec = SPECS[name]
    kept = _content_streams(letter_pdf.render_letter_pdf(spec))
    from weasyprint.text import line_break

    monkeypatch.setattr(line_break.Layout, "deactivate", speedups._deactivate)
    monkeypatch.setattr(line_break.Layout, "reactivate", speedups._reactivate)
    rebuilt = _content_streams(letter_pdf.render_letter_pdf(spec))
    assert kept == rebuilt
    assert len(kept) >= 1 and all(b"ActualText" in stream for stream in kept)


def test_a_kept_layout_is_reused_only_when_nothing_differs():
    from weasyprint.text import line_break

    document = letter_pdf._layout(letter_pdf.letter_html(SPECS["moi-2563"]))
    texts = [box for page in document.pages for box in page._page_box.descendants()
             if type(box).__name__ == "TextBox" and box.text.strip()]
    layout = texts[0].pango_layout
    assert layout.__dict__.get("_kept") and isinstance(layout, line_break.Layout)
    pango_layout = layout.layout
    layout.reactivate(texts[0].style)
    assert layout.layout is pango_layout  # same style, no extra spacing: reused
    layout.deactivate()
    other_style = texts[0].style.copy()
    layout.reactivate(other_style)
    assert layout.layout is not pango_layout and layout.style is other_style  # rebuilt


def _every_style(document):
    from weasyprint.css import ComputedStyle

    seen = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            style = box.style
            while style is not None and id(style) not in seen:
                if isinstance(style, ComputedStyle):
                    seen[id(style)] = style
                style = getattr(style, "parent_style", None)
    return list(seen.values())


@pytest.mark.parametrize("name", ["moi-2563", "memo", "announcement", "minutes"])
def test_short_computed_style_path_gives_what_weasyprint_computes(name):
    """Every property of every element's style, computed afresh through the short path and
    through WeasyPrint's own, is the same value."""
    from weasyprint.css.properties import INITIAL_VALUES

    document = letter_pdf._layout(letter_pdf.letter_html(SPECS[name]))
    styles = _every_style(document)
    assert len(styles) > 10
    _same_computed_styles(styles)
    unset = [key for style in styles for key in INITIAL_VALUES if key not in style.cascaded]
    short_taken = sum(key in speedups._PLAIN_INITIAL for key in unset)
    computed_taken = sum(key in speedups._PLAIN_COMPUTED for key in unset)
    assert short_taken > 50 * len(styles)  # the short path is the common one
    assert computed_taken > 4 * len(styles)  # border widths and the like


def _same_computed_styles(styles):
    """Every property of each style, computed afresh through the short paths and through
    WeasyPrint's own, is the same value, and the same specified values are kept."""
    from weasyprint.css import ComputedStyle
    from weasyprint.css.properties import INITIAL_VALUES

    for style in styles:
        args = (style.parent_style, style.cascaded, style.pseudo_type, style.root_style, style.base_url,
                style.font_config, style.initial_page_sizes)
        fast, plain = ComputedStyle(*args), ComputedStyle(*args)
        for key in INITIAL_VALUES:
            fast_value = speedups.computed_missing(fast, key) if key not in fast else fast[key]
            plain_value = speedups._missing(plain, key) if key not in plain else plain[key]
            assert fast_value == plain_value, (style.cascaded.keys(), key)
        assert dict(fast) == dict(plain) and fast.specified == plain.specified


def test_cascaded_and_special_properties_compute_as_weasyprint_computes():
    """Values set by rules (plain, 'inherit', 'initial', var(), calc()), float, position and
    display set or not, and propagated text decorations."""
    html = ('<!DOCTYPE html><html lang="th"><body style="--gap: 3px; text-decoration: underline">'
            '<div style="float: right; width: calc(10px + 2em); margin-top: var(--gap); color: inherit">'
            '<span style="display: inline-block; position: relative; font-size: initial; '
            'text-decoration-line: line-through">ก</span></div>'
            '<p style="position: absolute; float: left; display: inherit; padding-left: 5%">ข</p>'
            '<p style="text-decoration-color: red; page: auto">ค</p></body></html>')
    document = letter_pdf._layout(html)
    styles = _every_style(document)
    assert {"float", "position", "display", "width", "margin_top"} <= {
        key for style in styles for key in style.cascaded}
    _same_computed_styles(styles)


@pytest.mark.parametrize("name", ["moi-2563", "mfa-2563"])
def test_cascaded_short_path_is_taken_and_keeps_specified_values(name):
    document = letter_pdf._layout(letter_pdf.letter_html(SPECS[name]))
    styles = _every_style(document)
    cascaded_plain = sum(key in speedups._PLAIN_CASCADED for style in styles for key in style.cascaded)
    assert cascaded_plain > 2 * len(styles)  # margins, fonts, text-indent set by letter.css
    _same_computed_styles(styles)


def test_initial_values_that_depend_on_other_properties_are_computed():
    """A border width left at its initial 'medium' is 0 without a border style and 3px with one."""
    html = ('<!DOCTYPE html><html lang="th"><body><p style="border-top-style: solid; outline-style: dotted; '
            'column-rule-style: solid">ก</p><div>ข</div></body></html>')
    document = letter_pdf._layout(html)
    styles = {}
    for box in document.pages[0]._page_box.descendants():
        if box.element_tag in ("p", "div"):
            styles.setdefault(box.element_tag, box.style)  # the element's box, not its lines
    assert styles["p"]["border_top_width"] == 3 and styles["p"]["border_left_width"] == 0
    assert styles["p"]["outline_width"] == 3 and styles["p"]["column_rule_width"] == 3
    assert styles["div"]["border_top_width"] == styles["div"]["outline_width"] == 0


def test_a_logical_property_still_sets_its_physical_one():
    html = ('<!DOCTYPE html><html lang="th"><body><p style="margin-inline-start: 2cm; padding-block-end: 1cm">'
            'ก</p></body></html>')
    document = letter_pdf._layout(html)
    paragraph = next(box for box in document.pages[0]._page_box.descendants()
                     if box.element_tag == "p")
    assert round(paragraph.style["margin_left"].value, 2) == round(2 * 96 / 2.54, 2)
    assert round(paragraph.style["padding_bottom"].value, 2) == round(96 / 2.54, 2)


def test_letters_cascade_without_the_ua_pseudo_element_rules():
    """The letters' documents get the trimmed user-agent stylesheet: no element has a
    ::marker or footnote style any more."""
    from weasyprint.css import get_all_computed_styles

    document = letter_pdf.html_document(letter_pdf.letter_html(SPECS["moi-2563"]))
    styles = get_all_computed_styles(document)._computed_styles
    pseudo = {pseudo_type for _, pseudo_type in styles if pseudo_type}
    assert not pseudo & speedups.UNGENERATED_PSEUDO_ELEMENTS
    assert len(speedups.letter_ua_stylesheets(document)[0].matcher.other_selectors) < len(
        letter_pdf.HTML._ua_stylesheets(document)[0].matcher.other_selectors)


def test_letter_markup_has_no_list_items_footnotes_or_notes():
    """What makes the trimmed rules safe: only list items, footnotes and notes have the boxes
    those rules style, and neither the templates nor letter.css make any."""
    from correspondence.rendering import fonts

    sources = [fonts.STATIC_DIR / "letter.css", *sorted(fonts.TEMPLATE_DIR.glob("*.html"))]
    for source in sources:
        text = source.read_text(encoding="utf-8").lower()
        for needle in ("list-item", "footnote", "note(", "<li", "<summary"):
            assert needle not in text, (source.name, needle)


@pytest.mark.parametrize("name", [*SPECS, "variant"])
def test_trimmed_ua_stylesheet_draws_what_the_full_one_draws(monkeypatch, name):
    spec = _variant() if name == "variant" else SPECS[name]
    trimmed = _content_streams(letter_pdf.render_letter_pdf(spec))
    trimmed_envelope = _content_streams(letter_pdf.render_envelope_pdf(spec))
    from weasyprint import HTML

    monkeypatch.setattr(letter_pdf._ParsedHTML, "_ua_stylesheets", HTML._ua_stylesheets)
    assert _content_streams(letter_pdf.render_letter_pdf(spec)) == trimmed
    assert _content_streams(letter_pdf.render_envelope_pdf(spec)) == trimmed_envelope


def _record_used_lengths(monkeypatch, render):
    """(box copy, containing block) of every used-length resolution ``render()`` makes."""
    import copy as copy_module

    calls = []
    fast = speedups.used_lengths

    def record(box, containing_block):
        if not isinstance(containing_block, tuple):
            containing_block = (containing_block.width, containing_block.height)
        calls.append((copy_module.copy(box), containing_block))
        return fast(box, containing_block)

    for module in speedups._LAYOUT_MODULES:
        monkeypatch.setattr(module, "resolve_percentages", record)
    monkeypatch.setitem(speedups.resolve_percentages.__globals__, "used_lengths", record)
    render()
    monkeypatch.undo()
    return calls


@pytest.mark.parametrize("name", ["moi-2563", "memo", "order", "minutes", "register"])
def test_used_lengths_are_what_weasyprint_resolves(monkeypatch, name):
    """The inline resolve_percentages sets the same attributes, to the same values, in the same
    order as WeasyPrint's, on every box the letters (and a register book's table) lay out."""
    import copy as copy_module

    from weasyprint.layout import percent

    if name == "register":
        def render():
            columns = [{"label": "ที่", "width": "3cm"}, "เรื่อง"]
            letter_pdf.render_register_pdf("ทะเบียนหนังสือรับ", "ประจำเดือนกันยายน ๒๕๖๓", columns,
                                           [["๑", "ก"], ["๒", "ข"]])
    else:
        def render():
            letter_pdf.render_letter_pdf(SPECS[name])
    calls = _record_used_lengths(monkeypatch, render)
    assert len(calls) > 50
    for box, containing_block in calls:
        fast, plain = copy_module.copy(box), copy_module.copy(box)
        speedups.used_lengths(fast, containing_block)
        speedups._resolve_percentages(plain, containing_block)
        assert list(fast.__dict__.items()) == list(plain.__dict__.items()), box
    assert percent.resolve_percentages is speedups.used_lengths  # installed


@pytest.mark.parametrize("style,containing_block", [
    ({"width": "50%", "padding_left": "10%", "min_height": "20%", "max_width": "calc(50% + 10px)"},
     (400, 300)),
    ({"height": "30%", "margin_top": "calc(10% - 2px)", "max_height": "50%"}, (400, "auto")),
    ({"box_sizing": "border-box", "width": "100px", "padding_left": "5px", "border_left_width": 3},
     (400, 300)),
    ({"box_sizing": "padding-box", "height": "80px", "padding_top": "5%", "min_width": "auto"}, (400, 300)),
])
def test_used_lengths_of_values_letters_do_not_use(style, containing_block):
    """Percentages, math functions, 'auto' heights and box-sizing go the same way too."""
    import copy as copy_module

    declarations = "; ".join(f"{key.replace('_', '-')}: {value}{'px' if isinstance(value, int) else ''}"
                             for key, value in style.items())
    html = (f'<!DOCTYPE html><html lang="th"><body><div style="{declarations}; border-left-style: solid">'
            "ก</div></body></html>")
    document = letter_pdf._layout(html)
    div = next(box for box in document.pages[0]._page_box.descendants() if box.element_tag == "div")
    fast, plain = copy_module.copy(div), copy_module.copy(div)
    speedups.used_lengths(fast, containing_block)
    speedups._resolve_percentages(plain, containing_block)
    assert list(fast.__dict__.items()) == list(plain.__dict__.items())


def _compare_shrink_to_fit(monkeypatch, render):
    """(fast, WeasyPrint's, same with less room) results of every shrink-to-fit width ``render()``
    asks for; the fast one is what the layout goes on with."""
    results = []
    fast = speedups.shrink_to_fit

    def both(context, box, available):
        plain = speedups._shrink_to_fit(context, box, available)
        narrow = available / 3  # below the max-content width: the min-content path
        results.append(((fast(context, box, narrow), speedups._shrink_to_fit(context, box, narrow)),
                        (fast(context, box, available), plain)))
        return results[-1][1][0]

    for module in speedups._SHRINK_TO_FIT_MODULES:
        monkeypatch.setattr(module, "shrink_to_fit", both)
    render()
    monkeypatch.undo()
    return results


@pytest.mark.parametrize("name", ["moi-2563", "memo", "variant", "envelope"])
def test_shrink_to_fit_is_what_weasyprint_computes(monkeypatch, name):
    """Absolutely positioned marks, the memo's Garuda and the envelope's blocks get the width
    WeasyPrint gives them (same value, same type), with room to spare and without."""
    spec = _variant() if name == "variant" else SPECS["moi-2563" if name == "envelope" else name]
    if name == "envelope":
        results = _compare_shrink_to_fit(monkeypatch, lambda: letter_pdf.render_envelope_pdf(spec))
    else:
        results = _compare_shrink_to_fit(monkeypatch, lambda: letter_pdf.render_letter_pdf(spec))
    assert results
    for pair in (pair for narrow_and_full in results for pair in narrow_and_full):
        assert pair[0] == pair[1] and type(pair[0]) is type(pair[1])
    from weasyprint.layout import absolute

    assert absolute.shrink_to_fit is speedups.shrink_to_fit  # installed


def _backgrounds(document):
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            background = box.background
            found.append((type(box).__name__, box.element_tag, background if background is None else (
                background.color, [(layer.image is None, layer.painting_area, layer.size, layer.position,
                                    layer.clipped_boxes) for layer in background.layers]),
                getattr(box, "border_image", None) is not None))
        found.append(("canvas", page._page_box.canvas_background is None))
    return found


_DECORATED = ('<!DOCTYPE html><html lang="th"><body style="background: #eee">'
              '<p style="background-color: rgba(0, 0, 255, 0.2)">ก</p>'
              '<p style="box-shadow: 2px 2px 3px black">ข</p>'
              '<p style="background-image: linear-gradient(red, blue); border-radius: 10%">ค</p>'
              '<p style="visibility: hidden; background: red">ง</p>'
              '<p style="border: 5px solid; border-image: linear-gradient(red, blue) 10">จ</p>'
              '<p style="background-color: currentcolor; color: transparent">ฉ</p><p>ช</p></body></html>')


@pytest.mark.parametrize("name", ["moi-2563", "memo", "stamped", "envelope", "decorated"])
def test_boxes_without_background_get_what_weasyprint_gives_them(monkeypatch, name):
    """Same backgrounds (and border images) on every box, drawn the same, with and without the
    short cut: letters, an envelope, and boxes with every kind of background."""
    from weasyprint.layout import background

    def render():
        if name == "envelope":
            return letter_pdf.render_envelope_pdf(SPECS["moi-2563"])
        if name == "decorated":
            return letter_pdf._layout(_DECORATED)
        return letter_pdf.layout_letter(SPECS[name])

    fast = render()
    monkeypatch.setattr(background, "layout_box_backgrounds", speedups._layout_box_backgrounds)
    plain = render()
    if name == "envelope":
        assert _content_streams(fast) == _content_streams(plain)
        return
    fast_found = _backgrounds(fast)
    assert fast_found == _backgrounds(plain)
    assert _content_streams(fast.write_pdf()) == _content_streams(plain.write_pdf())
    if name == "decorated":
        assert sum(found[2] is not None for found in fast_found if len(found) == 4) >= 3
        assert sum(found[3] for found in fast_found if len(found) == 4) == 1  # the border image


@pytest.mark.parametrize("name", ["moi-2563", "memo", "minutes"])
def test_remembered_struts_are_what_weasyprint_gives(monkeypatch, name):
    """Every strut the layout asks for is WeasyPrint's answer for that style at that moment."""
    from weasyprint.layout import inline

    asked = []
    fast = speedups.strut

    def both(style):
        result = fast(style)
        asked.append((id(style), result, speedups._strut(style)))
        return result

    for module in speedups._STRUT_MODULES:
        monkeypatch.setattr(module, "strut", both)
    letter_pdf.render_letter_pdf(SPECS[name])
    assert len(asked) > 2 * len({style for style, _, _ in asked})  # styles are asked again
    assert all(result == plain for _, result, plain in asked)
    monkeypatch.undo()
    assert inline.strut is speedups.strut  # installed


def test_a_changed_style_gets_a_new_strut():
    """The remembered strut is only reused for the very same font values."""
    document = letter_pdf._layout('<!DOCTYPE html><html lang="th"><body><p>ก</p></body></html>')
    paragraph = next(box for box in document.pages[0]._page_box.descendants() if box.element_tag == "p")
    style = paragraph.style.copy()
    before = speedups.strut(style)
    assert speedups.strut(style) == before == speedups._strut(style)
    style["font_size"] = style["font_size"] * 2
    doubled = speedups.strut(style)
    assert doubled == speedups._strut(style) != before
    style["line_height"] = 3.0  # three times the font size
    assert speedups.strut(style) == speedups._strut(style) != doubled


# (a footnote and a running element in one document trip WeasyPrint 70 up: two documents)
_FLEX = ('<!DOCTYPE html><html lang="th"><body><div style="display: flex"><p>ก</p><p>ข</p></div>'
         '<p style="float: footnote">ฉ</p></body></html>')
_POSITIONED = ('<!DOCTYPE html><html lang="th"><body><p style="float: left">ค</p>'
               '<p style="float: right">ง</p><p style="float: inline-start">จ</p>'
               '<p style="position: absolute">ช</p><p style="position: fixed">ซ</p>'
               '<p style="position: running(head)">ฌ</p><p style="position: relative">ญ</p></body></html>')


@pytest.mark.parametrize("name", ["moi-2563", "memo", "order", "positioned"])
def test_normal_flow_is_what_weasyprint_says(name):
    """Same answer for every box: letters, and floats, footnotes, positioned, running elements
    and flex items (whose is_floated WeasyPrint replaces on the instance)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    if name == "positioned":  # the full user-agent stylesheet: footnotes need theirs
        documents = [HTML(string=_POSITIONED).render(), HTML(string=_FLEX).render()]
    else:
        documents = [letter_pdf.layout_letter(SPECS[name])]
    found = [box for document in documents for page in document.pages for box in page._page_box.descendants()]
    plain = [speedups._is_in_normal_flow(box) for box in found]
    assert [speedups.is_in_normal_flow(box) for box in found] == plain
    assert boxes.Box.is_in_normal_flow is speedups.is_in_normal_flow  # installed
    if name == "positioned":
        assert any("is_floated" in box.__dict__ for box in found)
        assert sum(not box.is_in_normal_flow() for box in found if box.element_tag == "p") >= 5
