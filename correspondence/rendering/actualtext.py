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

The glyph loop is WeasyPrint's, done a run at a time: a glyph's piece of the TJ string
(``>x offset<``, hex id, ``>kerning<``) depends only on its id, advance and x offset at a
given font and size, so the document's ``Font`` keeps a table of the pieces drawn so far and a
run on the baseline is looked up whole and joined (``_Line``); only a glyph's first use goes
through the per-glyph code, which also records its width and ToUnicode entry as before.
``draw_text`` (the text box around the line) is WeasyPrint's, computing text-decoration-color
only for a box that draws a decoration.
"""

from __future__ import annotations

from itertools import compress
from operator import ne

import pydyf
import weasyprint
import weasyprint.draw as wp_draw
from weasyprint.draw import text as wp_text
from weasyprint.layout.percent import percentage
from weasyprint.logger import LOGGER
from weasyprint.matrix import Matrix
from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango
from weasyprint.text.line_break import get_last_word_end

SUPPORTED_WEASYPRINT = "70.0"
MAX_EXTRA_EM = 0.25  # see justify.MAX_EXTRA_EM
_installed = False
_original = wp_text.draw_first_line  # kept for the test that shows what the fix fixes
_original_draw_text = wp_text.draw_text  # kept for the test that shows the copy draws the same


def _cluster_starts(glyph_string, num_glyphs, clusters=None):
    """Indices of glyphs that start a new cluster (glyphs of one cluster share a log_cluster)."""
    if clusters is None:
        clusters = ffi.unpack(glyph_string.log_clusters, num_glyphs) if num_glyphs else []
    if not clusters:
        return []
    return [0, *compress(range(1, len(clusters)), map(ne, clusters[1:], clusters))]


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
    runs = []  # _Run per Pango run of the line
    run = first_line.runs[0]
    while run != ffi.NULL:
        runs.append(_Run(run.data, spaced=bool(extra or slack)))
        run = run.next
    if slack:
        clusters_total = sum(len(run.starts) for run in runs)
        font_size_css = textbox.style["font_size"]
        if clusters_total > 1 and slack / (clusters_total - 1) <= MAX_EXTRA_EM * font_size_css:
            extra = slack / (clusters_total - 1)

    stream.set_text_matrix(*matrix.values)
    line = _Line(stream, textbox, extra)
    for run in runs:
        line.add_run(run)
    stream.show_text(line.string)
    # Letters use no colour/SVG emoji fonts; the emoji branch of the original is left out.
    return []


_EMPTY = pango.PANGO_GLYPH_EMPTY
_UNKNOWN = pango.PANGO_GLYPH_UNKNOWN_FLAG


def _pieces(font, font_size) -> dict:
    """The TJ text of each (glyph id, width, x offset) already drawn in ``font`` at ``font_size``.

    A glyph's text is fixed once the glyph has been drawn: it depends only on those three
    numbers, the size and the font's bitmap flag and logical width of the glyph, which WeasyPrint
    records on first use and never changes. The table lives on the document's ``Font``, with
    the widths and ToUnicode entries it relies on."""
    tables = font.__dict__.setdefault("_tj_pieces", {})
    table = tables.get(font_size)
    if table is None:
        table = tables[font_size] = {}
    return table


# The same for every letter, so kept for the process: per face and size, each glyph's logical
# width as WeasyPrint measures it (``pango_font_get_glyph_extents``), and the TJ piece of each
# (glyph id, width, x offset, logical width used). A document's tables above are filled from
# these on a glyph's first use; its ToUnicode entry is still taken from the document's text.
_shared: dict[tuple, tuple[dict, dict]] = {}
# CSS word spacing (text-align: justify) gives spaces a new width on every line: a long-running
# process starts a size's pieces afresh past this many rather than grow without end.
SHARED_PIECES_LIMIT = 20_000


def _shared_tables(font, font_size) -> tuple[dict, dict]:
    key = (font.hash, font.glyph_count, font.upem, font.bitmap, font_size)
    tables = _shared.get(key)
    if tables is None:
        tables = _shared[key] = ({}, {})
    return tables


class _Run:
    """A Pango run of the line: its glyph item, glyphs as flat integers, log clusters, and the
    indices of glyphs starting a cluster (only when the line is spaced)."""

    __slots__ = ("item", "num_glyphs", "glyph_ids", "values", "clusters", "starts")

    def __init__(self, glyph_item, spaced):
        glyph_string = glyph_item.glyphs
        num_glyphs = glyph_string.num_glyphs
        self.item = glyph_item
        self.num_glyphs = num_glyphs
        self.glyph_ids, self.values = _glyph_ints(glyph_string.glyphs, num_glyphs)
        self.clusters = ffi.unpack(glyph_string.log_clusters, num_glyphs) if num_glyphs else []
        self.starts = _cluster_starts(None, 0, self.clusters) if spaced else ()


class _Line:
    """The TJ text of a line, built run by run as WeasyPrint builds its ``string``.

    A glyph's text is ``>{-x offset}<`` (if any), its hex id, ``>{kerning}<`` (if any); an empty
    glyph's is ``>{-width}<``. Runs without raised glyphs (all of a letter's) are looked up whole
    in the font's table of pieces; only glyphs not drawn before in the document are worked out
    one by one."""

    def __init__(self, stream, textbox, extra):
        self.stream, self.textbox, self.extra = stream, textbox, extra
        self.string = ""
        self.first_cluster = True
        self.pango_font = self.font = self.font_size = None
        self.pieces = self.measured = self.shared_pieces = None  # this font's tables (_set_font)
        self.utf8_text = None

    def add_run(self, run):
        pango_font = run.item.item.analysis.font
        if pango_font != self.pango_font:
            self._set_font(pango_font)
        if any(run.values[3::5]):
            self._add_raised(run)
        else:
            self._add_flat(run)
        # Close the run's glyph list, or drop it if empty.
        string = self.string
        self.string = string[:-1] if string[-1] == "<" else string + ">"

    def _set_font(self, pango_font):
        stream = self.stream
        self.pango_font = pango_font
        font, font_size = stream.add_font(pango_font)
        if pango.pango_version() < 14802 or font.png:
            font_size = self.textbox.style["font_size"]
        if self.string:
            stream.show_text(self.string)
        self.string = ""
        stream.set_font_size(font.hash, 1 if font.bitmap else font_size)
        self.font, self.font_size = font, font_size
        self.pieces = _pieces(font, font_size)
        self.measured, self.shared_pieces = _shared_tables(font, font_size)

    def _gap(self):
        # Distributed justification: the extra advance before each cluster but the line's first.
        return f">{-self.extra * 1000 / self.font_size:.3f}<"

    def _add_flat(self, run):
        keys = list(zip(run.glyph_ids[0::5], run.values[1::5], run.values[2::5]))
        texts = list(map(self.pieces.get, keys))
        if None in texts:
            for i, text in enumerate(texts):
                if text is None:  # (a glyph twice in the run is new only the first time)
                    texts[i] = self.pieces.get(keys[i]) or self._new_piece(run, i, keys[i])
        if self.extra:
            gap = self._gap()
            for i in run.starts:
                if self.first_cluster:
                    self.first_cluster = False
                else:
                    texts[i] = gap + texts[i]
        self.string += "<" + "".join(texts)

    def _add_raised(self, run):
        """WeasyPrint's glyph loop for a run with glyphs off the baseline: each of those is
        shown on its own with a text rise."""
        stream, font_size, pieces = self.stream, self.font_size, self.pieces
        glyph_ids, values = run.glyph_ids, run.values
        starts = set(run.starts) if self.extra else ()
        string = self.string + "<"
        for i in range(run.num_glyphs):
            if self.extra and i in starts:
                if not self.first_cluster:
                    string += self._gap()
                self.first_cluster = False
            key = (glyph_ids[5 * i], values[5 * i + 1], values[5 * i + 2])
            glyph_id, width, x_offset = key
            if not values[5 * i + 3] or glyph_id == _EMPTY:
                string += pieces.get(key) or self._new_piece(run, i, key)
                continue
            glyph_id = self._prepare(run, i, glyph_id, width)
            offset = x_offset / font_size
            rise = values[5 * i + 3] / 1000
            string = string[:-1] if string[-1] == "<" else string + ">"
            if string:
                stream.show_text(string)
            stream.set_text_rise(-rise)
            string = f"{-offset}" if offset else ""
            string += f"<{glyph_id:02x}>" if self.font.bitmap else f"<{glyph_id:04x}>"
            stream.show_text(string)
            stream.set_text_rise(0)
            string = "<" + self._kerning(self._logical_width(glyph_id), width, offset)
        self.string = string

    def _new_piece(self, run, i, key):
        """The text of a glyph on the baseline not drawn before (kept for the next time)."""
        glyph_id, width, x_offset = key
        font_size = self.font_size
        if glyph_id == _EMPTY:
            text = f">{-width / font_size}<"
        else:
            glyph_id = self._prepare(run, i, glyph_id, width)
            logical_width = self._logical_width(glyph_id)
            shared_key = (glyph_id, width, x_offset, logical_width)
            text = self.shared_pieces.get(shared_key)
            if text is None:
                offset = x_offset / font_size
                text = f">{-offset}<" if offset else ""
                text += f"{glyph_id:02x}" if self.font.bitmap else f"{glyph_id:04x}"
                text += self._kerning(logical_width, width, offset)
                if len(self.shared_pieces) >= SHARED_PIECES_LIMIT:
                    self.shared_pieces.clear()
                self.shared_pieces[shared_key] = text
            if key[0] & _UNKNOWN:
                return text  # logged and given its width again at every use, as WeasyPrint does
        self.pieces[key] = text
        return text

    def _prepare(self, run, i, glyph_id, width):
        """A missing glyph's stand-in id, and the glyph's ToUnicode entry on first use."""
        font = self.font
        if glyph_id & _UNKNOWN:
            codepoint = glyph_id - _UNKNOWN
            LOGGER.warning(
                ".notdef glyph rendered for Unicode string unsupported by fonts: "
                '"%s" (U+%04X)', chr(codepoint), codepoint)
            glyph_id = font.get_unused_glyph_id(codepoint)
            font.widths[glyph_id] = round(width * 1000 * FROM_UNITS / self.font_size)
            if 0 not in font.widths:
                font.widths[0] = font.widths[glyph_id]
        if glyph_id not in font.to_unicode:
            item, clusters = run.item.item, run.clusters
            t1 = clusters[i]
            if item.analysis.level % 2:
                t2 = item.length if i == 0 else clusters[i - 1]
            else:
                t2 = item.length if i == run.num_glyphs - 1 else clusters[i + 1]
            if not self.utf8_text:
                self.utf8_text = self.textbox.pango_layout.text.encode()
            font.to_unicode[glyph_id] = (self.utf8_text[item.offset + t1:item.offset + t2].decode()
                                         or _glyph_text(font, glyph_id))
        return glyph_id

    def _logical_width(self, glyph_id):
        """The document's width of the glyph; on first use, measured as WeasyPrint does (at this
        size: the same for every letter, so measured once)."""
        widths = self.font.widths
        logical_width = widths.get(glyph_id)
        if logical_width is None:
            logical_width = self.measured.get(glyph_id)
            if logical_width is None:
                stream = self.stream
                pango.pango_font_get_glyph_extents(
                    self.pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
                logical_width = self.measured[glyph_id] = round(
                    stream.logical_rect.width * 1000 * FROM_UNITS / self.font_size)
            widths[glyph_id] = logical_width
        return logical_width

    def _kerning(self, logical_width, width, offset):
        kerning = logical_width + offset - width * 1000 * FROM_UNITS / self.font_size
        return f">{int(kerning)}<" if kerning else ""


def draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis):
    """WeasyPrint 70.0's draw_text, looking text-decoration-color up only when a decoration is
    drawn: the look-up computes the property (~8 µs a text box) and letters draw none."""
    assert textbox.style["font_size"]
    if textbox.style["visibility"] != "visible":
        return

    text_decoration_values = textbox.style["text_decoration_line"]
    if text_decoration_values != "none":
        text_decoration_color = wp_text.get_color(textbox.style, "text_decoration_color")
    if "underline" in text_decoration_values or "overline" in text_decoration_values:
        if textbox.style["text_decoration_thickness"] in ("auto", "from-font"):
            thickness = textbox.pango_layout.underline_thickness
        else:
            thickness = percentage(
                textbox.style["text_decoration_thickness"], textbox.style, textbox.style["font_size"])
    if "overline" in text_decoration_values:
        offset_y = textbox.baseline - textbox.pango_layout.ascent + thickness / 2
        wp_text.draw_text_decoration(
            stream, textbox, offset_x, offset_y, thickness, text_decoration_color)
    if "underline" in text_decoration_values:
        if textbox.style["text_underline_offset"] == "auto":
            underline_offset = -textbox.pango_layout.underline_position
        else:
            underline_offset = percentage(
                textbox.style["text_underline_offset"], textbox.style, textbox.style["font_size"])
        offset_y = textbox.baseline + underline_offset + thickness / 2
        wp_text.draw_text_decoration(
            stream, textbox, offset_x, offset_y, thickness, text_decoration_color)

    x, y = textbox.position_x, textbox.position_y + textbox.baseline
    stream.set_color(textbox.style["color"])
    textbox.pango_layout.reactivate(textbox.style)
    stream.begin_text()
    emojis = wp_text.draw_first_line(
        stream, textbox, text_overflow, block_ellipsis, Matrix(d=-1, e=x, f=y))
    stream.end_text()

    wp_text.draw_emojis(stream, textbox.style, x, y, emojis)

    if "line-through" in text_decoration_values:
        thickness = textbox.pango_layout.strikethrough_thickness
        offset_y = textbox.baseline - textbox.pango_layout.strikethrough_position
        wp_text.draw_text_decoration(
            stream, textbox, offset_x, offset_y, thickness, text_decoration_color)
    textbox.pango_layout.deactivate()


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
    wp_text.draw_text = wp_draw.draw_text = draw_text
    _installed = True
