"""Exports of a register book for a date range: PDF in the register's printed layout, CSV and XLSX.

Only the lines the user may see are exported (``selectors.entry_list``); classified lines that are
exported are recorded in the AccessLog like any other download.

CSV is produced line by line (an iterator of bytes, for a streaming response), so a whole year of a busy
registry (100,000 lines) downloads without holding it in memory or waiting for the last line before
the first byte. XLSX and PDF are built whole, so they have a cap (LIMITS): beyond it the official is told
to choose a shorter date range or take the CSV.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import Q

from correspondence import selectors
from correspondence.models import AccessLog, BookKind, EntryStatus, RegisterBook
from eoffice import thai
from eoffice.levels import Secrecy

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
INCOMING_COLUMNS = ["เลขทะเบียนรับ", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ"]
OUTGOING_COLUMNS = ["เลขทะเบียนส่ง", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "หมายเหตุ"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Lines a single export may hold, by format (CSV streams: no cap). Measured on this class of machine:
# a PDF page of 20 lines takes 30-70 ms, so 2,000 lines is about 100 pages and a few seconds; openpyxl
# writes roughly 4,000 lines a second.
LIMITS = {"pdf": 2_000, "xlsx": 20_000}
# Dates a register filter accepts: a year outside พ.ศ. 2400-2700 is a typing mistake (a Christian-era
# year read as BE, a missing digit), not a range anyone keeps registers for.
EARLIEST, LATEST = dt.date(2400 - 543, 1, 1), dt.date(2700 - 543, 12, 31)
# Excel's date format with the Thai Buddhist calendar (calendar 07, locale 041E): 17/9/2563.
XLSX_DATE_FORMAT = "[$-107041E]d/m/yyyy"
# Column widths of the printed register (landscape A4, 26.2 cm of table): เรื่อง gets the room.
_PDF_WIDTHS = {"เลขทะเบียนรับ": "2cm", "เลขทะเบียนส่ง": "2cm", "ที่": "3.8cm", "ลงวันที่": "3cm",
               "จาก": "3.2cm", "ถึง": "3.2cm", "ชั้นความลับ": "2cm", "การปฏิบัติ": "2.6cm", "หมายเหตุ": "2.6cm"}


def guard(value):
    """Spreadsheet formula injection: a text cell starting with = + - @ (or tab/CR) gets a leading quote.
    A lone "-" (the register's "no number") cannot be a formula and stays as written."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and value != "-":
        return "'" + value
    return value


# ทะเบียนควบคุมข้อมูลข่าวสารลับ: the incoming columns and the level of each line.
SECRET_COLUMNS = INCOMING_COLUMNS[:6] + ["ชั้นความลับ"] + INCOMING_COLUMNS[6:]


def _columns(book: RegisterBook) -> list[str]:
    if book.kind == BookKind.SECRET:
        return SECRET_COLUMNS
    return INCOMING_COLUMNS if book.kind == BookKind.INCOMING else OUTGOING_COLUMNS


def validate_range(date_from: dt.date | None, date_to: dt.date | None, *, typed: bool = True) -> None:
    """A date range a register can be read by, else ValidationError keyed by field with Thai messages.
    ``typed``: dates an official typed, where a year outside EARLIEST-LATEST is a mistake; a program (the
    API) may pass the first or last day there is to mean "open-ended"."""
    errors = {}
    for field, value in (("date_from", date_from), ("date_to", date_to)):
        if typed and value and not EARLIEST <= value <= LATEST:
            errors[field] = (f"ปี พ.ศ. {thai.to_thai_digits(str(value.year + thai.BE_OFFSET))} อยู่นอกช่วงที่ใช้ได้ "
                             f"(พ.ศ. ๒๔๐๐ ถึง ๒๗๐๐) กรุณาตรวจสอบปีที่พิมพ์")
    if not errors and date_from and date_to and date_from > date_to:
        errors["date_to"] = (f"วันที่สิ้นสุด ({thai.format_date(date_to)}) อยู่ก่อนวันที่เริ่มต้น "
                             f"({thai.format_date(date_from)}) กรุณาสลับหรือแก้ไขช่วงวันที่")
    if errors:
        raise ValidationError(errors)


def _lines(user, book: RegisterBook, date_from, date_to, verified: bool):
    qs = selectors.entry_list(user, book=book.pk, date_from=date_from, date_to=date_to)
    if not verified:
        qs = qs.filter(secrecy=Secrecy.NORMAL)
    return qs.order_by("number")


def _remarks(e) -> str:
    """หมายเหตุ: a void line says so with its reason, a reserved number says it is reserved."""
    if e.status == EntryStatus.VOID:
        return f"ยกเลิก: {e.void_reason}"
    if e.status == EntryStatus.RESERVED:
        return f"จองเลข {e.remarks}".strip()
    return e.remarks


def _row(e, columns, digits: str, native_dates: bool) -> list:
    if native_dates:
        dated = e.dated
    else:
        dated = thai.format_date(e.dated, "short_year4", digits=digits) if e.dated else ""
    number, their_number = e.number, e.their_number or "-"
    if digits == "thai":
        number, their_number = thai.to_thai_digits(str(number)), thai.to_thai_digits(their_number)
    row = [number, their_number, dated, e.from_text, e.to_text, e.subject]
    row += [e.get_secrecy_display()] if columns is SECRET_COLUMNS else []
    row += [e.action_taken, _remarks(e)] if columns is not OUTGOING_COLUMNS else [_remarks(e)]
    return row


def _log_classified(user, qs) -> None:
    """One AccessLog row per classified line leaving the portal, written before the file is produced."""
    classified = (qs.filter(secrecy__gte=Secrecy.CONFIDENTIAL)
                  .filter(Q(letter_id__isnull=False) | Q(item_id__isnull=False))
                  .values_list("secrecy", "letter_id", "item_id"))
    AccessLog.objects.bulk_create([AccessLog(user=user, action="export", secrecy=secrecy, letter_id=letter_id,
                                             item_id=item_id) for secrecy, letter_id, item_id in classified])


def book_rows(user, book: RegisterBook, date_from: dt.date | None, date_to: dt.date | None, *,
              digits: str = "arabic", verified: bool = True, native_dates: bool = False) -> Iterator[list]:
    """The export's lines, read in chunks. ``digits``: the number, ที่ and date columns in Arabic digits for
    the data files (CSV, XLSX: read by programs), in Thai digits for the printed PDF, like its heading.
    ``native_dates``: ลงวันที่ as a date (XLSX), not text. ``verified=False`` (no second factor in this
    session): the unclassified lines only, as the register's own pages show."""
    qs = _lines(user, book, date_from, date_to, verified)
    _log_classified(user, qs)
    columns = _columns(book)
    return (_row(e, columns, digits, native_dates) for e in qs.iterator(chunk_size=2000))


def period_of(date_from=None, date_to=None, year: int | None = None) -> str:
    """The heading's period: the dates asked for, or the book's year when none were."""
    if not date_from and not date_to:
        return f"ประจำปี พ.ศ. {thai.to_thai_digits(str(year))}" if year else "ทุกรายการ"
    if date_from and date_to:
        return f"ระหว่างวันที่ {thai.format_date(date_from)} ถึง {thai.format_date(date_to)}"
    if date_from:
        return f"ตั้งแต่วันที่ {thai.format_date(date_from)}"
    return f"จนถึงวันที่ {thai.format_date(date_to)}"


def file_name(book: RegisterBook, fmt: str, date_from=None, date_to=None) -> str:
    """The download's name, in Thai as the official knows the book: ทะเบียนหนังสือรับ สลค. 2569.csv, with
    the range when one was asked for (Arabic digits: file names are typed and sorted by programs)."""
    unit = book.unit.short_name or book.unit.name
    parts = [book.get_kind_display() + (f" ({book.prefix})" if book.prefix else ""), unit, f"พ.ศ. {book.year}"]
    if date_from or date_to:
        parts.append(" ถึง ".join(thai.format_date(d, "short_year4", digits="arabic") if d else "…"
                                 for d in (date_from, date_to)))
    name = " ".join(parts).replace("/", "-")
    return f"{name}.{fmt}"


def _csv_chunks(columns, rows, every: int = 1000) -> Iterator[bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    # BOM: Excel opens UTF-8 Thai correctly only with it.
    out.write("\ufeff")
    writer.writerow(columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([guard(c) for c in row])
        if n % every == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _xlsx(book, columns, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(book.year))
    dated = columns.index("ลงวันที่")
    ws.column_dimensions["F"].width = 60  # เรื่อง
    ws.append(columns)
    for row in rows:
        cells = [guard(c) for c in row]
        if cells[dated]:
            cell = WriteOnlyCell(ws, value=cells[dated])
            cell.number_format = XLSX_DATE_FORMAT
            cells[dated] = cell
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def book_export(user, book: RegisterBook, fmt: str, date_from=None, date_to=None, *,
                verified: bool = True) -> tuple[bytes | Iterator[bytes], str, str]:
    """(content, content type, file name) of the book's visible lines registered in the date range. The
    content of a CSV is an iterator of bytes (stream it); of XLSX and PDF, bytes. ValidationError (Thai,
    by field) for a range that cannot be read or an export over its format's cap: nothing is recorded then."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    validate_range(date_from, date_to, typed=False)
    lines = _lines(user, book, date_from, date_to, verified).count()
    limit = LIMITS.get(fmt)
    if limit and lines > limit:
        raise ValidationError({"output": (
            f"มี {thai.to_thai_digits(f'{lines:,}')} รายการ เกินกว่าที่ส่งออกเป็น {fmt.upper()} ได้ในครั้งเดียว "
            f"({thai.to_thai_digits(f'{limit:,}')} รายการ) กรุณาเลือกช่วงวันที่ให้แคบลง หรือส่งออกเป็น CSV")},
            code="too_large")
    columns = _columns(book)
    rows = book_rows(user, book, date_from, date_to, digits="thai" if fmt == "pdf" else "arabic",
                     verified=verified, native_dates=fmt == "xlsx")
    from eoffice import access_events
    from eoffice.models import AccessKind

    # Every export is in the audit trail, whatever the book: a register leaving the portal is an event.
    access_events.record(AccessKind.EXPORT, user=user, target=f"registerbook:{book.pk}", format=fmt, lines=lines,
                         date_from=str(date_from or ""), date_to=str(date_to or ""))
    name = file_name(book, fmt, date_from, date_to)
    if fmt == "csv":
        return _csv_chunks(columns, rows), FORMATS[fmt], name
    if fmt == "xlsx":
        return _xlsx(book, columns, rows), FORMATS[fmt], name
    from correspondence.rendering.pdf import render_register_pdf

    title = f"{book.get_kind_display()}{f' ({book.prefix})' if book.prefix else ''} {book.unit.name}"
    widths = [{"label": c, "width": _PDF_WIDTHS.get(c)} for c in columns]
    return render_register_pdf(title, period_of(date_from, date_to, book.year), widths, list(rows)), FORMATS[fmt], name
