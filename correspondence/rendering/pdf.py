"""Render letters (and register books) to PDF with WeasyPrint.

Entry points: ``render_letter_pdf(spec, garuda=None)``, ``render_preview(spec, ...)``,
``render_register_pdf(title, period, columns, rows)``. No database access: everything comes
from the spec (see docs/letter-spec.md) and the optional Garuda artwork.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import zlib
from pathlib import Path
from xml.etree import ElementTree

import cssselect2
import pydyf

from django.template import Context, Engine
from weasyprint import HTML, Attachment, _find_base_url

from eoffice.thai import be_year, format_date, format_signer_name, format_time, to_thai_digits

from . import actualtext, continuation, fonts, justify, speedups
from .spec import LetterSpecError, validate_spec

actualtext.install()
speedups.install()

URGENCY_MARKS = {"urgent": "ด่วน", "very_urgent": "ด่วนมาก", "most_urgent": "ด่วนที่สุด"}
SECRECY_MARKS = {"confidential": "ลับ", "secret": "ลับมาก", "top_secret": "ลับที่สุด"}
PDF_VARIANT = "pdf/a-3u"


@functools.cache
def _engine() -> Engine:
    return Engine(dirs=[str(fonts.TEMPLATE_DIR)], autoescape=True,
                  libraries={}, builtins=[], string_if_invalid="")


# --- the spec → template context --------------------------------------------------------------

def _digits(spec, text):
    return to_thai_digits(text) if text and spec.get("digits", "thai") == "thai" else text


def _date(spec, value):
    if not value:
        return ""
    return format_date(dt.date.fromisoformat(value), digits=spec.get("digits", "thai"))


def _deadline(spec):
    value = spec.get("deliver_by")
    if not value:
        return ""
    digits = spec.get("digits", "thai")
    if "T" in value:
        moment = dt.datetime.fromisoformat(value)
        return (f"ด่วนภายใน {format_date(moment.date(), digits=digits)} "
                f"เวลา {format_time(moment.time(), digits=digits)}")
    return f"ด่วนภายใน {format_date(dt.date.fromisoformat(value), digits=digits)}"


def _indent(label):
    # label + two spaces (0.65 em), as typed; wrapped lines start under the text
    return f"{fonts.text_width_pt(label) + 0.65 * fonts.size(16):.2f}"


def _labelled(label, items, spec):
    """อ้างถึง / สิ่งที่ส่งมาด้วย: one item as is, several numbered ๑. ๒. under the label."""
    indent = _indent(label)
    if len(items) == 1:
        return [{"label": label, "text": keep_pairs(items[0]), "indent": indent}]
    return [{"label": label if i == 0 else "", "text": keep_pairs(f"{_digits(spec, str(i + 1))}. {text}"),
             "indent": indent} for i, text in enumerate(items)]


def keep_pairs(text):
    """Keep "รับ - ส่ง" on one line: clerks never break at the spaced hyphen (and a line-final
    "-" is what text extractors take for a hyphenation, see actualtext)."""
    return text.replace(" - ", "\u00a0-\u00a0") if text else text


def _paragraphs(body):
    result = []
    for item in body:
        if isinstance(item, str):
            result.append({"text": keep_pairs(item), "plain": False})
        else:
            result.append({"text": keep_pairs(item["text"]), "plain": not item.get("indent", True)})
    return result


def _signer(spec):
    signer = spec.get("signer") or {}
    if not signer:
        return None
    acting = signer.get("acting")
    return {
        "name_line": format_signer_name(signer["name"], rank=signer.get("rank")),
        "position": signer.get("position") or [],
        "acting": [acting] if isinstance(acting, str) else (acting or []),
    }


def garuda_url(garuda: bytes | str | Path | None) -> str:
    """A URL for the agency's Garuda artwork (bytes or a path), else the neutral placeholder."""
    if garuda is None:
        return "letters:garuda-placeholder.svg"
    data = Path(garuda).read_bytes() if isinstance(garuda, (str, Path)) else bytes(garuda)
    return f"data:{garuda_type(data)};base64,{base64.b64encode(data).decode()}"


def garuda_type(data: bytes) -> str:
    """The media type of Garuda artwork by its content: PNG, JPEG or SVG, else ValueError."""
    head = data[:256].lstrip()
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"<svg") or head.startswith(b"<?xml"):
        return "image/svg+xml"
    raise ValueError("Garuda artwork must be PNG, JPEG or SVG")


def letter_context(spec: dict, garuda=None) -> dict:
    kind = spec["kind"]
    return {
        "kind": kind,
        "spec": spec,
        "title": spec.get("subject") or spec.get("title") or "",
        "garuda_url": garuda_url(garuda),
        "urgency_mark": URGENCY_MARKS.get(spec.get("urgency") or "normal", ""),
        "deadline": _deadline(spec),
        "secrecy_mark": SECRECY_MARKS.get(spec.get("secrecy") or "normal", ""),
        "number": _digits(spec, spec.get("number") or ""),
        "date": _date(spec, spec.get("date")),
        "issuer": spec.get("issuer") or {},
        "subject": spec.get("subject") or "",
        "subject_rows": [{"label": "เรื่อง", "text": keep_pairs(spec.get("subject") or ""),
                          "indent": _indent("เรื่อง")}],
        "salutation": spec.get("salutation") or "",
        "recipient": spec.get("recipient") or "",
        "references": _labelled("อ้างถึง", spec.get("references") or [], spec),
        "enclosures": _labelled("สิ่งที่ส่งมาด้วย", spec.get("enclosures") or [], spec),
        "body": _paragraphs(spec.get("body") or []),
        "closing": spec.get("closing") or "",
        "signer": _signer(spec),
        "owner_unit": spec.get("owner_unit") or [],
        "phone": _digits(spec, spec.get("phone") or ""),
        "fax": _digits(spec, spec.get("fax") or ""),
        "email": spec.get("email") or "",
        "copies_to": spec.get("copies_to") or [],
        "stamp_initials": spec.get("stamp_initials") or "",
        "recipient_address": spec.get("recipient_address") or [],
        "meeting": _meeting(spec),
        **_kind_parts(spec),
    }


def _era_date(spec, value):
    if not value:
        return ""
    return format_date(dt.date.fromisoformat(value), style="full_era", digits=spec.get("digits", "thai"))


def _kind_parts(spec) -> dict:
    """Headings and closing lines that differ by kind (ระเบียบงานสารบรรณ ข้อ ๑๕–๒๓)."""
    kind = spec["kind"]
    issuer = (spec.get("issuer") or {}).get("name", "")
    subject = spec.get("subject")
    number = _digits(spec, spec.get("number") or "")
    edition = spec.get("edition")
    heading, given, footer = [], "", []
    if kind == "order":
        heading = [f"คำสั่ง{issuer}", f"ที่ {number}", f"เรื่อง {subject}"]
        given = f"สั่ง ณ วันที่ {_era_date(spec, spec.get('date'))}"
    elif kind in ("regulation", "bylaw"):
        # A draft's preview has no date yet: the year stays a blank to fill in.
        year = _digits(spec, str(be_year(dt.date.fromisoformat(spec["date"])))) if spec.get("date") else "...."
        heading = [spec.get("title") or "", f"ว่าด้วย{spec.get('about') or ''}"]
        if edition:
            heading.append(f"(ฉบับที่ {_digits(spec, edition)})")
        heading.append(f"พ.ศ. {year}")
        given = f"ประกาศ ณ วันที่ {_era_date(spec, spec.get('date'))}"
    elif kind == "announcement":
        heading = [f"ประกาศ{issuer}", f"เรื่อง {subject}"]
        given = f"ประกาศ ณ วันที่ {_era_date(spec, spec.get('date'))}"
    elif kind in ("statement", "news"):
        heading = [spec.get("title") or "", f"เรื่อง {subject}"]
        if edition:
            heading.append(f"ฉบับที่ {_digits(spec, edition)}")
        footer = [issuer, _era_date(spec, spec.get("date"))]
    elif kind == "certificate":
        given = f"ให้ไว้ ณ วันที่ {_era_date(spec, spec.get('date'))}"
    return {"heading": heading, "given": given, "unsigned_footer": footer}


def _meeting(spec) -> dict:
    meeting = dict(spec.get("meeting") or {})
    if meeting.get("when"):
        meeting["when"] = _date(spec, meeting["when"])
    for key in ("number", "opened", "closed"):
        if meeting.get(key):
            meeting[key] = _digits(spec, meeting[key])
    meeting["groups"] = [{"label": label, "names": meeting.get(key) or [],
                          "rows": [{"n": _digits(spec, str(i)), "name": name}
                                   for i, name in enumerate(meeting.get(key) or [], start=1)]}
                         for key, label in (("present", "ผู้มาประชุม"), ("absent", "ผู้ไม่มาประชุม"),
                                            ("attending", "ผู้เข้าร่วมประชุม")) if meeting.get(key)]
    return meeting


def letter_html(spec: dict, garuda=None) -> str:
    template = _engine().get_template(f"{spec['kind']}.html")
    return template.render(Context(letter_context(spec, garuda), autoescape=True, use_l10n=False, use_tz=False))


# --- layout and output ------------------------------------------------------------------------

def _digits_css(spec) -> str:
    if spec.get("digits", "thai") == "thai":
        return ""
    return '@page { @top-center { content: "- " counter(page) " -"; } } @page :first { @top-center { content: none; } }'


class _ParsedHTML(HTML):
    """An ``HTML`` from an already parsed tree (WeasyPrint 70's ``HTML.__init__`` minus parsing)."""

    def __init__(self, root, base_url, url_fetcher, media_type="print"):
        self.base_url = _find_base_url(root, base_url)
        self.url_fetcher = url_fetcher
        self.media_type = media_type
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    _ua_stylesheets = speedups.letter_ua_stylesheets  # no list-item/footnote rules (see speedups)


def html_document(html: str) -> HTML:
    """WeasyPrint's HTML for our templates' output. The templates write well-formed XHTML-style
    markup (void elements closed, text autoescaped), and no construct the HTML5 parser would
    restructure; expat then builds the same element tree as WeasyPrint's pure-Python HTML5
    parser, 50 times faster (3.5 ms a letter). Anything expat refuses goes to the HTML5 parser."""
    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return HTML(string=html, base_url="letters:", url_fetcher=fonts.fetcher())
    return _ParsedHTML(root, "letters:", fonts.fetcher())


def _stylesheets(extra_css: str = "") -> list:
    stylesheets = [fonts.stylesheet("letter.css"), fonts.face_stylesheet()]
    if extra_css:
        stylesheets.append(fonts.css_string(extra_css))
    return stylesheets


def _layout(html: str, extra_css: str = ""):
    document = html_document(html).render(
        font_config=fonts.font_config(), counter_style=fonts.counter_style(), stylesheets=_stylesheets(extra_css),
        pdf_variant=PDF_VARIANT)
    return document


def _add_cues(document, base_css: str) -> None:
    """The continuation cues, styled by the letter's sheets (see continuation.graft_cues)."""
    page_cues = continuation.cues(document)
    if page_cues:
        extra_css = "\n".join((base_css, continuation.BLANK_CSS, continuation.cue_css(page_cues)))
        continuation.graft_cues(document, page_cues, html_document('<html lang="th"/>'), _stylesheets(extra_css))


def layout_letter(spec: dict, garuda=None, *, validate: bool = True):
    """Lay out a letter: cues added, lines distributed. Returns the WeasyPrint Document."""
    if validate:
        problems = validate_spec(spec)
        if problems:
            raise LetterSpecError(problems)
    html = letter_html(spec, garuda)
    base_css = _digits_css(spec)
    document = _layout(html, base_css)
    _add_cues(document, base_css)
    justify.justify_document(document)
    return document


def _spec_attachment(spec: dict) -> Attachment:
    data = json.dumps(spec, ensure_ascii=False, indent=2).encode("utf-8")
    return Attachment(string=data, name="letter.json", description="Letter spec (ข้อมูลหนังสือ)",
                      relationship="Data", url_fetcher=fonts.fetcher())  # (a new fetcher costs ~1 ms)


def render_letter_pdf(spec: dict, garuda: bytes | str | Path | None = None, *,
                      validate: bool = True) -> bytes:
    """The letter as PDF/A-3u with fonts embedded, title and language set, and the spec
    attached as ``letter.json`` (associated file) for the receiving system."""
    document = layout_letter(spec, garuda, validate=validate)
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, attachments=[_spec_attachment(spec)], finisher=_finish)


def _finish(document, pdf):
    _dedupe_af(document, pdf)
    _serialise_once(pdf)


def _serialise_once(pdf):
    """pydyf serialises every object twice: once to write it, once more for the MD5 of the file
    identifier PDF/A needs; and it deflates streams at level 9. The objects are final when the
    finisher runs, and so are the ones ``pydyf.PDF.write`` adds when it adds them (the info
    dictionary, the object stream), so each object keeps the bytes of its first serialisation.
    The letter's streams are deflated at zlib's default level 6 (half the time of level 9,
    0.3 % larger): the same PDF objects, decoded byte for byte as before; the object stream
    pydyf makes while writing keeps its level 9."""
    for obj in pdf.objects:
        _keep_bytes(obj, at_level_6=True)
    pdf.__class__ = _OncePDF


class _OncePDF(pydyf.PDF):
    def add_object(self, object_):
        super().add_object(object_)
        _keep_bytes(object_, at_level_6=False)


_ONCE_CLASSES: dict[tuple[type, bool], type] = {}


def _keep_bytes(obj, *, at_level_6: bool) -> None:
    """Give ``obj`` a class that keeps its serialised bytes; with ``at_level_6`` a stream
    is also deflated at DEFLATE_LEVEL."""
    cls = type(obj)
    if obj.free == "f" or getattr(cls, "_keeps_bytes", False):
        return
    level_6 = at_level_6 and isinstance(obj, pydyf.Stream)
    if (cls, level_6) not in _ONCE_CLASSES:
        data = _once_data if level_6 else _kept(cls.data)
        _ONCE_CLASSES[cls, level_6] = type(f"Once{cls.__name__}", (cls,), {"data": data, "_keeps_bytes": True})
    obj.__class__ = _ONCE_CLASSES[cls, level_6]


def _kept(data: property) -> property:
    def kept(self):
        cached = self.__dict__.get("_serialised")
        if cached is None:
            cached = self.__dict__["_serialised"] = data.fget(self)
        return cached

    return property(kept)


DEFLATE_LEVEL = 6


@property
def _once_data(self):
    # pydyf 0.13's Stream.data, with the level above and the result kept
    cached = self.__dict__.get("_serialised")
    if cached is None:
        stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
        extra = pydyf.Dictionary(self.extra.copy())
        if self.compress:
            extra["Filter"] = "/FlateDecode"
            stream = zlib.compress(stream, DEFLATE_LEVEL)
        extra["Length"] = len(stream)
        cached = self.__dict__["_serialised"] = b"\n".join((extra.data, b"stream", stream, b"endstream"))
    return cached


def _dedupe_af(document, pdf):
    # WeasyPrint 70 lists an attachment twice in the catalogue's /AF (once from /Names, once
    # from its /Filespec); PDF/A-3 wants each associated file once.
    af = pdf.catalog.get("AF")
    if af:
        unique = []
        for ref in af:
            if ref not in unique:
                unique.append(ref)
        af[:] = unique


def render_preview(spec: dict, garuda=None, *, page: int = 1, resolution: int = 72,
                   fmt: str = "png") -> bytes:
    """Fast preview: one pass (no cue pass, no PDF/A, no attachment, no validation);
    ``fmt="pdf"`` gives a plain PDF of all pages, ``"png"`` one page image (pdfium)."""
    html = letter_html(spec, garuda)
    document = _layout(html, _digits_css(spec))
    justify.justify_document(document)
    if fmt == "pdf":
        return document.write_pdf()
    single = document.copy([document.pages[page - 1]])
    pdf = single.write_pdf()
    import io

    import pypdfium2

    pdf_doc = pypdfium2.PdfDocument(pdf)
    image = pdf_doc[0].render(scale=resolution / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- envelopes --------------------------------------------------------------------------------

ENVELOPE_SIZES_MM = {"DL": (220, 110), "C4": (324, 229), "C5": (229, 162), "C6": (162, 114)}


def render_envelope_pdf(spec: dict, size: str = "DL", garuda=None) -> bytes:
    """An envelope (ซอง) for the letter: sender with Garuda and ที่, urgency mark, recipient.

    Secrecy marks are not printed: a classified letter travels in a plain outer envelope
    (ระเบียบว่าด้วยการรักษาความลับของทางราชการ)."""
    if size not in ENVELOPE_SIZES_MM:
        raise ValueError(f"envelope size must be one of {', '.join(ENVELOPE_SIZES_MM)}")
    width, height = ENVELOPE_SIZES_MM[size]
    context = letter_context(spec, garuda)
    # The address block starts a little left of centre and just below the middle.
    context.update(size=size, width_mm=width, height_mm=height,
                   to_left_mm=round(width * 0.42), to_top_mm=round(height * 0.5))
    html = _engine().get_template("envelope.html").render(
        Context(context, autoescape=True, use_l10n=False, use_tz=False))
    return _layout(html).write_pdf(pdf_variant=PDF_VARIANT)


# --- register books ---------------------------------------------------------------------------

def render_register_pdf(title: str, period: str, columns, rows) -> bytes:
    """A register-book page set (landscape A4): ``title`` (e.g. ทะเบียนหนังสือรับ), ``period``
    (e.g. ประจำเดือนกันยายน ๒๕๖๓), ``columns`` as labels or ``{"label", "width"}`` (CSS width),
    ``rows`` as sequences of cell texts (already formatted, e.g. short Thai dates). The header
    row repeats on every page; text reads back through the same ActualText fix as letters."""
    cols = [c if isinstance(c, dict) else {"label": str(c), "width": None} for c in columns]
    body = [["" if cell is None else str(cell) for cell in row] for row in rows]
    for n, row in enumerate(body, start=1):
        if len(row) != len(cols):
            raise ValueError(f"row {n} has {len(row)} cells for {len(cols)} columns")
    html = _engine().get_template("register.html").render(
        Context({"title": title, "period": period, "columns": cols, "rows": body},
                autoescape=True, use_l10n=False, use_tz=False))
    document = HTML(string=html, base_url="letters:", url_fetcher=fonts.fetcher()).render(
        font_config=fonts.font_config(), counter_style=fonts.counter_style(),
        stylesheets=[fonts.stylesheet("register.css"), fonts.face_stylesheet()], pdf_variant=PDF_VARIANT)
    return document.write_pdf(pdf_variant=PDF_VARIANT)
