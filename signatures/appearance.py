"""Visible appearances of signatures and receipt stamps, drawn with WeasyPrint.

pyHanko's text stamps misplace Thai marks on later lines, so each appearance is a one-page PDF
of exactly the box size, shaped by WeasyPrint (Pango), then imported by pyHanko's StaticStampStyle.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import PdfContent
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.stamp import StaticStampStyle

from eoffice import thai

BANGKOK = ZoneInfo("Asia/Bangkok")


def _font_stack() -> str:
    """The letters' face (correspondence.rendering.fonts): TH Sarabun New where installed, else Laksaman
    at its scale. Asking for 'TH Sarabun New' where it is not installed gets Debian's synthetic alias
    (Laksaman under a 0.66 font matrix), which WeasyPrint draws squeezed, dots lost."""
    from correspondence.rendering import fonts

    return f"{fonts.family_css()}, \"Noto Sans Thai\", sans-serif"


def _sized(css: str) -> str:
    """Font sizes written in TH Sarabun New points, converted to the face in use."""
    from correspondence.rendering import fonts

    return re.sub(r"font-size: ([0-9.]+)pt", lambda m: f"font-size: {fonts.size(float(m.group(1)))}pt", css)

_font_config = None


def _fonts():
    # One FontConfiguration per process (design.md: reuse it for CSS() and write_pdf()).
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_box_pdf(inner_html: str, width: float, height: float, extra_css: str = "") -> bytes:
    """A one-page PDF of ``width`` x ``height`` points containing ``inner_html``."""
    from weasyprint import CSS, HTML

    fc = _fonts()
    css = CSS(
        string=(
            f"@page {{ size: {width}pt {height}pt; margin: 0 }}"
            f"html, body {{ margin: 0; padding: 0; height: 100%; font-family: {_font_stack()};"
            " line-height: 1.05 }"
            + _sized(extra_css)
        ),
        font_config=fc,
    )
    doc = HTML(string=f"<html lang='th'><body>{inner_html}</body></html>")
    return doc.write_pdf(stylesheets=[css], font_config=fc)


def _e(text: str) -> str:
    return html.escape(text or "")


def _local(dt: datetime) -> datetime:
    return dt.astimezone(BANGKOK) if dt.tzinfo else dt.replace(tzinfo=BANGKOK)


def signature_block_html(signer_name: str, position: str | None, signed_at: datetime) -> str:
    local = _local(signed_at)
    when = f"{thai.format_date(thai.bangkok_date(local), style='full')} เวลา {thai.format_time(local.time())}"
    parts = [
        "<div class='sig'>",
        "<div class='tag'>ลงลายมือชื่ออิเล็กทรอนิกส์</div>",
        f"<div class='name'>{_e(signer_name)}</div>",
    ]
    if position:
        parts.append(f"<div class='pos'>{_e(position)}</div>")
    parts.append(f"<div class='when'>{_e(when)}</div></div>")
    return "".join(parts)


SIGNATURE_CSS = (
    ".sig { text-align: center; color: #0b2a6f; border: 0.8pt solid #0b2a6f; border-radius: 3pt;"
    " height: 100%; box-sizing: border-box; padding: 1pt 3pt; overflow: hidden;"
    " display: flex; flex-direction: column; justify-content: center }"
    ".tag { font-size: 9pt } .name { font-size: 14pt; font-weight: bold }"
    ".pos { font-size: 11pt } .when { font-size: 10pt }"
)


def signature_appearance_pdf(
    signer_name: str, position: str | None, signed_at: datetime, width: float, height: float
) -> bytes:
    """Appearance of an official's visible signature: name, position, date and time in BE."""
    return render_box_pdf(
        signature_block_html(signer_name, position, signed_at), width, height, SIGNATURE_CSS
    )


RECEIPT_CSS = (
    ".rs { border: 1.2pt solid #1d3fa8; color: #1d3fa8; height: 100%; box-sizing: border-box;"
    " padding: 2pt 5pt; font-size: 12pt; overflow: hidden;"
    " display: flex; flex-direction: column; justify-content: space-between }"
    ".ag { text-align: center; font-weight: bold; font-size: 12.5pt; border-bottom: 0.6pt solid #1d3fa8;"
    " margin-bottom: 1pt }"
    ".row { display: flex; white-space: nowrap } .k { width: 3em }"
    " .v { flex: 1; border-bottom: 0.5pt dotted #1d3fa8 }"
)


def receipt_stamp_html(agency_name: str, receipt_no: str, received_at: datetime) -> str:
    local = _local(received_at)
    date_txt = thai.format_date(thai.bangkok_date(local), style="short")
    time_txt = thai.format_time(local.time())
    rows = "".join(
        f"<div class='row'><span class='k'>{k}</span><span class='v'>{_e(v)}</span></div>"
        for k, v in (("เลขรับ", thai.to_thai_digits(receipt_no)), ("วันที่", date_txt), ("เวลา", time_txt))
    )
    return f"<div class='rs'><div class='ag'>{_e(agency_name)}</div>{rows}</div>"


def receipt_stamp_pdf(
    agency_name: str, receipt_no: str, received_at: datetime, width: float, height: float
) -> bytes:
    """ตรารับหนังสือ: agency name, เลขรับ, วันที่, เวลา (Thai digits, BE short date)."""
    html_ = receipt_stamp_html(agency_name, receipt_no, received_at)
    return render_box_pdf(html_, width, height, RECEIPT_CSS)


class ImportedPdfBytes(PdfContent):
    """First page of an in-memory PDF as a form XObject (pyHanko's ImportedPdfPage needs a file)."""

    def __init__(self, data: bytes, page_ix: int = 0):
        self.data = data
        self.page_ix = page_ix
        super().__init__()

    def render(self) -> bytes:
        import binascii
        import uuid

        w = self._ensure_writer
        xobj = w.import_page_as_xobject(PdfFileReader(BytesIO(self.data)), page_ix=self.page_ix)
        name = "/Import" + binascii.hexlify(uuid.uuid4().bytes).decode("ascii")
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def static_style(appearance_pdf: bytes) -> StaticStampStyle:
    """pyHanko stamp style that shows ``appearance_pdf`` filling the field box, no border."""
    return StaticStampStyle(
        background=ImportedPdfBytes(appearance_pdf),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )
