"""Readable text in the PDF, and per-character spacing for Thai justification.

WeasyPrint 70 maps each glyph id to the text of the first cluster it was drawn in
(``font.to_unicode``), so clusters of several glyphs (ำ, tone marks over upper vowels)
extract as garbage and every later use of the glyph inherits it. PDF's answer is marked
content: each drawn line is wrapped in ``/Span <</ActualText (…)>> BDC … EMC`` carrying the
line's text, which poppler and pdfium use instead of the glyph mapping.

The line drawing is WeasyPrint's ``draw_first_line`` with two changes: the /Span wrapper and
an optional extra advance (``textbox.thai_extra``, in pt) before every cluster but the first,
used by ``justify.py``. It is pinned to WeasyPrint 70.0: ``install()`` refuses other versions
so an upgrade fails loudly in the tests instead of silently drawing differently.
"""

from __future__ import annotations

import pydyf
import weasyprint
from weasyprint.draw import text as wp_text
from weasyprint.logger import LOGGER
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
from weasyprint.text.line_break import get_last_word_end

SUPPORTED_WEASYPRINT = "70.0"
MAX_EXTRA_EM = 0.25  # see justify.MAX_EXTRA_EM
_installed = False
_original = wp_text.draw_first_line  # kept for the test that shows what the fix fixes


def _cluster_starts(glyph_string, num_glyphs, clusters=None):
    """Indices of glyphs that start a new cluster (glyphs of one cluster share a log_cluster)."""
    if clusters is None:
        clusters = ffi.unpack(glyph_string.log_clusters, num_glyphs) if num_glyphs else []
    if not clusters:
        return []
    return [0, *(i for i in range(1, len(clusters)) if clusters[i] != clusters[i - 1])]


_GLYPH_INFO_SIZE = ffi.sizeof("PangoGlyphInfo")
# PangoGlyphInfo is {guint32 glyph; {gint32 width, x_offset, y_offset} geometry; guint attr}: read
# a run's glyphs as flat integers in one go instead of three cdata look-ups per glyph.
_GLYPH_INFO_INTS = _GLYPH_INFO_SIZE // 4
assert (_GLYPH_INFO_INTS == 5 and ffi.offsetof("PangoGlyphInfo", "geometry") == 4
        and ffi.offsetof("PangoGlyphGeometry", "x_offset") == 4
        and ffi.offsetof("PangoGlyphGeometry", "y_offset") == 8)


def _glyph_ints(glyphs_info, num_glyphs):
    """(glyph ids, signed values) views over a run's PangoGlyphInfo array."""
    raw = memoryview(ffi.buffer(glyphs_info, num_glyphs * _GLYPH_INFO_SIZE))
    return raw.cast("I"), raw.cast("i")


def count_clusters(textbox) -> int:
    """Number of clusters (spacing units) drawn for a text box's line."""
    if not textbox.text.strip():
        return 0
    textbox.pango_layout.reactivate(textbox.style)
    try:
        single_paragraph(textbox.pango_layout)
        first_line, _ = textbox.pango_layout.get_first_line()
        total = 0
        run = first_line.runs[0]
        while run != ffi.NULL:
            glyph_string = run.data.glyphs
            total += len(_cluster_starts(glyph_string, glyph_string.num_glyphs))
            run = run.next
        return total
    finally:
        textbox.pango_layout.deactivate()


_PARAGRAPH_SEPARATORS = ("\n", "\r", "\u2029")


def single_paragraph(layout) -> None:
    """Draw paragraph separators as glyphs, as WeasyPrint does. Only set when the line has
    one: setting it lays the (kept, already shaped) line out again, and it changes nothing
    for a line without one."""
    if any(separator in layout.text for separator in _PARAGRAPH_SEPARATORS):
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)


_reverse_cmaps: dict[str, dict[int, str]] = {}


def _glyph_text(font, glyph_id) -> str:
    """A glyph's own character (from the font's cmap) for the ToUnicode map.

    WeasyPrint gives the second glyph of a cluster (nikhahit of ำ, a tone mark) an empty
    mapping; PDF/A "u" wants every glyph mapped, and ActualText carries the real text anyway."""
    key = font.hash
    if key not in _reverse_cmaps:
        import io

        from fontTools.ttLib import TTFont

        reverse = {}
        try:
            tt = TTFont(io.BytesIO(font.file_content), fontNumber=font.index, lazy=True)
            for codepoint, name in sorted(tt.getBestCmap().items(), reverse=True):
                reverse[tt.getGlyphID(name)] = chr(codepoint)
        except Exception:  # an unreadable font keeps WeasyPrint's own mapping
            reverse = {}
        _reverse_cmaps[key] = reverse
    return _reverse_cmaps[key].get(glyph_id, "")


def _actual_text(textbox) -> pydyf.Dictionary:
    text = textbox.text
    if text.endswith("-"):
        # poppler takes a line-final hyphen for a hyphenation and drops it ("โคโรนา-" + "๑๙"
        # would read "โคโรนา๑๙"); a trailing space keeps it, and costs nothing "whitespace aside".
        text += " "
    return pydyf.Dictionary({"ActualText": pydyf.String(text)})


def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """WeasyPrint 70.0's draw_first_line + ActualText span + inter-cluster spacing."""
    if not textbox.text.strip():
        return []
    if textbox.style["font_size"] < 1e-6:
        return []
    stream.begin_marked_content("Span", _actual_text(textbox))
    try:
        return _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
    finally:
        stream.end_marked_content()


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    single_paragraph(textbox.pango_layout)

    if text_overflow == "ellipsis" or block_ellipsis != "none":
        assert textbox.pango_layout.max_width is not None
        max_width = textbox.pango_layout.max_width
        pango.pango_layout_set_width(textbox.pango_layout.layout, int(max_width * TO_UNITS))
        if text_overflow == "ellipsis":
            pango.pango_layout_set_ellipsize(textbox.pango_layout.layout, pango.PANGO_ELLIPSIZE_END)
        else:
            if block_ellipsis == "auto":
                ellipsis = "…"
            else:
                assert block_ellipsis[0] == "string"
                ellipsis = block_ellipsis[1]
            new_text = textbox.pango_layout.text
            if new_text.endswith(textbox.style["hyphenate_character"]):
                last_word_end = get_last_word_end(
                    new_text[: -len(textbox.style["hyphenate_character"])], textbox.style["lang"]
                )
                if last_word_end:
                    new_text = new_text[:last_word_end]
            textbox.pango_layout.set_text(new_text + ellipsis)

    first_line, index = textbox.pango_layout.get_first_line()

    if block_ellipsis != "none":
        while index:
            last_word_end = get_last_word_end(
                textbox.pango_layout.text[: -len(ellipsis)], textbox.style["lang"]
            )
            if last_word_end is None:
                break
            new_text = textbox.pango_layout.text[:last_word_end]
            textbox.pango_layout.set_text(new_text + ellipsis)
            first_line, index = textbox.pango_layout.get_first_line()

    extra = getattr(textbox, "thai_extra", 0.0)
    slack = getattr(textbox, "thai_slack", 0.0)
    runs = []  # (glyph item, glyph string, number of glyphs, log clusters)
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        runs.append((glyph_item, glyph_string, num_glyphs,
                     ffi.unpack(glyph_string.log_clusters, num_glyphs) if num_glyphs else []))
        run = run.next
    if slack:
        clusters_total = sum(len(_cluster_starts(None, 0, clusters)) for *_, clusters in runs)
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
        starts = set(_cluster_starts(None, 0, clusters)) if extra else ()
        for i in range(num_glyphs):
            glyph_id = glyph_ids[5 * i]
            width = values[5 * i + 1]

            if extra and i in starts:
                # Distributed justification: widen the gap before each cluster.
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
    # Letters use no colour/SVG emoji fonts; the emoji branch of the original is left out.
    return []


def install() -> None:
    """Replace WeasyPrint's line drawing (idempotent)."""
    global _installed
    if _installed:
        return
    if weasyprint.__version__ != SUPPORTED_WEASYPRINT:
        raise RuntimeError(
            f"correspondence.rendering.actualtext is written for WeasyPrint {SUPPORTED_WEASYPRINT}, "
            f"found {weasyprint.__version__}: review draw_first_line against the new version")
    wp_text.draw_first_line = draw_first_line
    _installed = True
