"""actualtext draws each line's glyphs from per-font tables of TJ pieces; the content streams,
widths and ToUnicode maps must be exactly those of the plain per-glyph loop it replaced
(``reference_draw_first_line`` below, kept verbatim as the yardstick)."""

import copy
import io
import json
import logging

import pypdf
import pytest

from correspondence.rendering import actualtext
from correspondence.rendering import pdf as letter_pdf
from correspondence.rendering.actualtext import (FROM_UNITS, LOGGER, MAX_EXTRA_EM, _glyph_ints, _glyph_text,
                                                 ffi, pango, single_paragraph)

from .conftest import FIXTURES, load

KINDS = json.loads((FIXTURES / "kinds.json").read_text(encoding="utf-8"))
# Glyphs off the baseline (stacked tone marks), x offsets, an empty glyph (zero-width space),
# a glyph no font has (private use), a combining accent and Arabic.
ODD_TEXT = ("ก่่่ ฎุ ฏุ ญฺ q\u0323\u0302 ẩ a\u0301\u0301\u0301 น้ำ ปั้น a\u200bb \ue000 \ue000 "
            "x\u0301y بِّ عربي ")


def _cluster_starts(clusters):
    if not clusters:
        return []
    return [0, *(i for i in range(1, len(clusters)) if clusters[i] != clusters[i - 1])]


def reference_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """actualtext._draw_first_line as it was before the piece tables (ellipsis part left out:
    letters draw no ellipsis)."""
    assert text_overflow != "ellipsis" and block_ellipsis == "none"
    single_paragraph(textbox.pango_layout)
    first_line, index = textbox.pango_layout.get_first_line()

    extra = getattr(textbox, "thai_extra", 0.0)
    slack = getattr(textbox, "thai_slack", 0.0)
    runs = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        runs.append((glyph_item, glyph_string, num_glyphs,
                     ffi.unpack(glyph_string.log_clusters, num_glyphs) if num_glyphs else []))
        run = run.next
    if slack:
        clusters_total = sum(len(_cluster_starts(clusters)) for *_, clusters in runs)
        font_size_css = textbox.style["font_size"]
        if clusters_total > 1 and slack / (clusters_total - 1) <= MAX_EXTRA_EM * font_size_css:
            extra = slack / (clusters_total - 1)
    first_cluster = True

    stream.set_text_matrix(*matrix.values)
    previous_pango_font = None
    string = ""
    for glyph_item, glyph_string, num_glyphs, clusters in runs:
        glyph_ids, values = _glyph_ints(glyph_string.glyphs, num_glyphs)
        utf8_text = None

        pango_font = glyph_item.item.analysis.font
        if pango_font != previous_pango_font:
            previous_pango_font = pango_font
            font, font_size = stream.add_font(pango_font)
            if pango.pango_version() < 14802 or font.png:
                font_size = textbox.style["font_size"]
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, 1 if font.bitmap else font_size)
        string += "<"
        starts = set(_cluster_starts(clusters)) if extra else ()
        for i in range(num_glyphs):
            glyph_id = glyph_ids[5 * i]
            width = values[5 * i + 1]

            if extra and i in starts:
                if not first_cluster:
                    string += f">{-extra * 1000 / font_size:.3f}<"
                first_cluster = False

            if glyph_id == pango.PANGO_GLYPH_EMPTY:
                string += f">{-width / font_size}<"
                continue

            if glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                codepoint = glyph_id - pango.PANGO_GLYPH_UNKNOWN_FLAG
                LOGGER.warning(
                    ".notdef glyph rendered for Unicode string unsupported by fonts: "
                    '"%s" (U+%04X)', chr(codepoint), codepoint)
                glyph_id = font.get_unused_glyph_id(codepoint)
                font.widths[glyph_id] = round(width * 1000 * FROM_UNITS / font_size)
                if 0 not in font.widths:
                    font.widths[0] = font.widths[glyph_id]

            if glyph_id not in font.to_unicode:
                offset = glyph_item.item.offset
                t1 = clusters[i]
                if glyph_item.item.analysis.level % 2:
                    t2 = glyph_item.item.length if i == 0 else clusters[i - 1]
                else:
                    t2 = glyph_item.item.length if i == num_glyphs - 1 else clusters[i + 1]
                utf8_text = utf8_text or textbox.pango_layout.text.encode()
                font.to_unicode[glyph_id] = (utf8_text[offset + t1:offset + t2].decode()
                                             or _glyph_text(font, glyph_id))

            offset = values[5 * i + 2] / font_size
            rise = values[5 * i + 3] / 1000
            if rise:
                if string[-1] == "<":
                    string = string[:-1]
                else:
                    string += ">"
                if string:
                    stream.show_text(string)
                stream.set_text_rise(-rise)
                string = ""
                if offset:
                    string = f"{-offset}"
                string += f"<{glyph_id:02x}>" if font.bitmap else f"<{glyph_id:04x}>"
                stream.show_text(string)
                stream.set_text_rise(0)
                string = "<"
            else:
                if offset:
                    string += f">{-offset}<"
                string += f"{glyph_id:02x}" if font.bitmap else f"{glyph_id:04x}"

            if glyph_id in font.widths:
                logical_width = font.widths[glyph_id]
            else:
                pango.pango_font_get_glyph_extents(
                    pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                logical_width = font.widths[glyph_id] = round(
                    stream.logical_rect.width * 1000 * FROM_UNITS / font_size)

            kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
            if kerning:
                string += f">{int(kerning)}<"

        if string[-1] == "<":
            string = string[:-1]
        else:
            string += ">"

    stream.show_text(string)
    return []


def _odd_letter():
    spec = copy.deepcopy(load("moi-2563"))
    spec["body"] = [ODD_TEXT * 6, spec["body"][0] + " " + ODD_TEXT, *spec["body"][1:]]
    return spec


def _drawn(spec, caplog):
    """Content streams, the fonts' widths and ToUnicode maps, and the missing-glyph warnings."""
    caplog.clear()
    document = letter_pdf.layout_letter(spec, validate=False)
    with caplog.at_level(logging.WARNING, logger=LOGGER.name):
        pdf = document.write_pdf()
    streams = [page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    fonts = sorted((font.hash, sorted(font.widths.items()), sorted(font.to_unicode.items()))
                   for font in document.fonts.values())
    return streams, fonts, [record.getMessage() for record in caplog.records]


SPECS = {"moi-2563": load("moi-2563"), "mfa-2563": load("mfa-2563"), **KINDS}


@pytest.mark.parametrize("name", [*SPECS, "odd"])
def test_lines_draw_what_the_per_glyph_loop_drew(monkeypatch, caplog, name):
    spec = _odd_letter() if name == "odd" else SPECS[name]
    fast = _drawn(spec, caplog)
    monkeypatch.setattr(actualtext, "_draw_first_line", reference_draw_first_line)
    plain = _drawn(spec, caplog)
    assert fast == plain
    streams, _, warnings = fast
    assert all(b"ActualText" in stream for stream in streams)
    if name == "odd":  # the unusual glyphs really were drawn
        assert b" Ts" in b"".join(streams)  # a raised glyph
        assert len(warnings) == 2 * 7 and "U+E000" in warnings[0]  # every use of the missing glyph


def test_cluster_starts():
    for clusters in ([], [0], [0, 0, 3, 3, 3, 6], [0, 1, 2], [9, 9, 6, 3, 3]):
        assert actualtext._cluster_starts(None, 0, clusters) == _cluster_starts(clusters)


DECORATED = ('<p>ไม่มีเส้น <u>ขีดเส้นใต้</u> <s>ขีดฆ่า</s> <span style="text-decoration: overline red">'
             'เส้นบน</span> <span style="text-decoration: underline wavy blue; text-underline-offset: 3px; '
             'text-decoration-thickness: 2px">ลายคลื่น</span> <span style="visibility: hidden">ซ่อน</span></p>')


@pytest.mark.parametrize("name", ["moi-2563", "memo", "decorated"])
def test_text_boxes_draw_what_weasyprint_draw_text_drew(monkeypatch, name):
    """actualtext.draw_text is WeasyPrint's, looking the decoration colour up only when needed."""
    from weasyprint import HTML
    from weasyprint import draw as wp_draw

    from correspondence.rendering import fonts

    def streams():
        if name == "decorated":
            html = f'<html lang="th"><body>{DECORATED}</body></html>'
            pdf = HTML(string=html).render(font_config=fonts.font_config(),
                                           stylesheets=[fonts.face_stylesheet()]).write_pdf()
        else:
            pdf = letter_pdf.render_letter_pdf(SPECS[name])
        return [page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    assert wp_draw.draw_text is actualtext.draw_text
    ours = streams()
    monkeypatch.setattr(wp_draw, "draw_text", actualtext._original_draw_text)
    assert streams() == ours
    if name == "decorated":
        # the decorations were drawn, in their colours: red overline, blue wavy underline
        assert b"1 0 0 RG" in ours[0] and b"0 0 1 RG" in ours[0] and ours[0].count(b"\nS\n") >= 3


def test_a_glyph_first_drawn_at_another_size_keeps_the_documents_width(monkeypatch):
    """WeasyPrint measures a glyph's width once per document, at the size of its first use,
    and uses it at every size; the process-wide tables must not carry one letter's first size
    into the next letter. (With the letter face the widths scale exactly, so this guards the
    sequence of tables rather than showing a difference.)"""
    from weasyprint import HTML

    from correspondence.rendering import fonts

    def streams(*sizes):
        paragraphs = "".join(f'<p style="font-size: {size}pt">กขค น้ำ ปั้น</p>' for size in sizes)
        html = f'<html lang="th"><body>{paragraphs}</body></html>'
        document = HTML(string=html).render(font_config=fonts.font_config(),
                                            stylesheets=[fonts.face_stylesheet()])
        pdf = document.write_pdf()
        widths = sorted(sorted(font.widths.items()) for font in document.fonts.values())
        return [page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages], widths

    orders = [(23, 11), (11, 23), (17,), (23, 11)]
    ours = [streams(*sizes) for sizes in orders]
    monkeypatch.setattr(actualtext, "_draw_first_line", reference_draw_first_line)
    assert [streams(*sizes) for sizes in orders] == ours


def test_the_process_wide_pieces_stay_bounded(monkeypatch, caplog):
    monkeypatch.setattr(actualtext, "SHARED_PIECES_LIMIT", 5)
    monkeypatch.setattr(actualtext, "_shared", {})
    fast = _drawn(SPECS["moi-2563"], caplog)
    assert actualtext._shared and all(len(pieces) <= 5 for _, pieces in actualtext._shared.values())
    monkeypatch.setattr(actualtext, "_draw_first_line", reference_draw_first_line)
    assert _drawn(SPECS["moi-2563"], caplog) == fast
