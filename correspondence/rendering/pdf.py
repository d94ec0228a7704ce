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
import logging
from pathlib import Path

from django.template import Context, Engine
from weasyprint import HTML, Attachment

from eoffice.thai import format_date, format_signer_name, format_time, to_thai_digits

from . import actualtext, continuation, fonts, justify
from .spec import LetterSpecError, validate_spec

actualtext.install()
# WeasyPrint logs every step at INFO; a render is one step for us.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

URGENCY_MARKS = {"urgent": "ด่วน", "very_urgent": "ด่วนมาก", "most_urgent": "ด่วนที่สุด"}
SECRECY_MARKS = {"confidential": "ลับ", "secret": "ลับมาก", "top_secret": "ลับที่สุด"}
PDF_VARIANT = "pdf/a-3u"


class PaginationChanged(RuntimeError):
    """The second pass paginated differently from the first (the cues would be wrong)."""


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


def _labelled(label, items, spec):
    """อ้างถึง / สิ่งที่ส่งมาด้วย: one item as is, several numbered ๑. ๒. under the label."""
    if len(items) == 1:
        return [{"label": label, "text": items[0]}]
    return [{"label": label if i == 0 else "", "text": f"{_digits(spec, str(i + 1))}. {text}"}
            for i, text in enumerate(items)]


def _paragraphs(body):
    result = []
    for item in body:
        if isinstance(item, str):
            result.append({"text": item, "plain": False})
        else:
            result.append({"text": item["text"], "plain": not item.get("indent", True)})
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
    head = data[:256].lstrip()
    if data.startswith(b"\x89PNG"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8"):
        mime = "image/jpeg"
    elif head.startswith(b"<svg") or head.startswith(b"<?xml"):
        mime = "image/svg+xml"
    else:
        raise ValueError("Garuda artwork must be PNG, JPEG or SVG")
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


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
        "subject_rows": [{"label": "เรื่อง", "text": spec.get("subject") or ""}],
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
    }


def letter_html(spec: dict, garuda=None) -> str:
    template = _engine().get_template(f"{spec['kind']}.html")
    return template.render(Context(letter_context(spec, garuda), autoescape=True, use_l10n=False, use_tz=False))


# --- layout and output ------------------------------------------------------------------------

def _digits_css(spec) -> str:
    if spec.get("digits", "thai") == "thai":
        return ""
    return '@page { @top-center { content: "- " counter(page) " -"; } } @page :first { @top-center { content: none; } }'


def _layout(html: str, extra_css: str = ""):
    stylesheets = [fonts.stylesheet("letter.css"), fonts.face_stylesheet()]
    if extra_css:
        stylesheets.append(fonts.css_string(extra_css))
    document = HTML(string=html, base_url="letters:", url_fetcher=fonts.fetcher()).render(
        font_config=fonts.font_config(), counter_style=fonts.counter_style(), stylesheets=stylesheets, pdf_variant=PDF_VARIANT)
    return document


def layout_letter(spec: dict, garuda=None, *, validate: bool = True):
    """Lay out a letter: both passes, cues checked, lines distributed. Returns the Document."""
    if validate:
        problems = validate_spec(spec)
        if problems:
            raise LetterSpecError(problems)
    html = letter_html(spec, garuda)
    base_css = _digits_css(spec)
    document = _layout(html, base_css)
    page_cues = continuation.cues(document)
    if page_cues:
        first_lines = continuation.page_first_lines(document)
        document = _layout(html, base_css + "\n" + continuation.cue_css(page_cues))
        if continuation.page_first_lines(document) != first_lines:
            raise PaginationChanged("the continuation cues changed the pagination")
    justify.justify_document(document)
    return document


def _spec_attachment(spec: dict) -> Attachment:
    data = json.dumps(spec, ensure_ascii=False, indent=2).encode("utf-8")
    return Attachment(string=data, name="letter.json", description="Letter spec (ข้อมูลหนังสือ)",
                      relationship="Data")


def render_letter_pdf(spec: dict, garuda: bytes | str | Path | None = None, *,
                      validate: bool = True) -> bytes:
    """The letter as PDF/A-3u with fonts embedded, title and language set, and the spec
    attached as ``letter.json`` (associated file) for the receiving system."""
    document = layout_letter(spec, garuda, validate=validate)
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, attachments=[_spec_attachment(spec)])


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
