"""Exports of a register book for a date range: PDF in the register's printed layout, CSV and XLSX.

Only the lines the user may see are exported (``selectors.entry_list``); classified lines that are
exported are recorded in the AccessLog like any other download.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

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


def book_rows(user, book: RegisterBook, date_from: dt.date | None, date_to: dt.date | None, *,
              digits: str = "arabic", verified: bool = True):
    """The export's lines. ``digits``: the number, ที่ and date columns in Arabic digits for the data files
    (CSV, XLSX: read by programs), in Thai digits for the printed PDF, like its heading. ``verified=False``
    (no second factor in this session): the unclassified lines only, as the register's own pages show."""
    qs = selectors.entry_list(user, book=book.pk, date_from=date_from, date_to=date_to)
    if not verified:
        qs = qs.filter(secrecy=Secrecy.NORMAL)
    entries = list(qs.order_by("number"))
    columns = _columns(book)
    incoming = columns is not OUTGOING_COLUMNS
    secret = columns is SECRET_COLUMNS
    rows = []
    for e in entries:
        remarks = e.remarks
        if e.status == EntryStatus.VOID:
            remarks = f"ยกเลิก: {e.void_reason}"
        elif e.status == EntryStatus.RESERVED:
            remarks = f"จองเลข {remarks}".strip()
        dated = thai.format_date(e.dated, "short_year4", digits=digits) if e.dated else ""
        number, their_number = e.number, e.their_number or "-"
        if digits == "thai":
            number, their_number = thai.to_thai_digits(str(number)), thai.to_thai_digits(their_number)
        row = [number, their_number, dated, e.from_text, e.to_text, e.subject]
        row += [e.get_secrecy_display()] if secret else []
        row += [e.action_taken, remarks] if incoming else [remarks]
        rows.append(row)
    classified = [e for e in entries if e.secrecy >= Secrecy.CONFIDENTIAL and (e.letter_id or e.item_id)]
    AccessLog.objects.bulk_create([AccessLog(user=user, action="export", secrecy=e.secrecy, letter_id=e.letter_id,
                                             item_id=e.item_id) for e in classified])
    return rows


def _period(date_from, date_to, year: int | None = None) -> str:
    """The heading's period: the dates asked for, or the book's year when none were."""
    if not date_from and not date_to:
        return f"ประจำปี พ.ศ. {thai.to_thai_digits(str(year))}" if year else "ทุกรายการ"
    if date_from and date_to:
        return f"ระหว่างวันที่ {thai.format_date(date_from)} ถึง {thai.format_date(date_to)}"
    if date_from:
        return f"ตั้งแต่วันที่ {thai.format_date(date_from)}"
    return f"จนถึงวันที่ {thai.format_date(date_to)}"


def book_export(user, book: RegisterBook, fmt: str, date_from=None, date_to=None, *,
                verified: bool = True) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the book's visible lines registered in the date range."""
    columns = _columns(book)
    rows = book_rows(user, book, date_from, date_to, digits="thai" if fmt == "pdf" else "arabic", verified=verified)
    from eoffice import access_events
    from eoffice.models import AccessKind

    # Every export is in the audit trail, whatever the book: a register leaving the portal is an event.
    access_events.record(AccessKind.EXPORT, user=user, target=f"registerbook:{book.pk}", format=fmt, lines=len(rows),
                         date_from=str(date_from or ""), date_to=str(date_to or ""))
    name = f"register-{book.unit_id}-{book.kind}{'-' + book.prefix if book.prefix else ''}-{book.year}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([[guard(c) for c in row] for row in rows])
        # BOM: Excel opens UTF-8 Thai correctly only with it.
        return ("\ufeff" + out.getvalue()).encode("utf-8"), FORMATS[fmt], name
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=str(book.year))
        ws.append(columns)
        for row in rows:
            ws.append([guard(c) for c in row])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue(), FORMATS[fmt], name
    if fmt == "pdf":
        from correspondence.rendering.pdf import render_register_pdf

        title = f"{book.get_kind_display()} {book.unit.name}"
        return render_register_pdf(title, _period(date_from, date_to, book.year), columns, rows), FORMATS[fmt], name
    raise ValueError(fmt)
