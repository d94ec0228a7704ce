"""Register numbers: gap-free per book and calendar year, allocated with the entry in one transaction.

The book row is the counter. ``UPDATE … SET last_number = last_number + 1 … RETURNING`` locks it until
the transaction ends, so concurrent registrations queue on it, a rollback returns the number to the
book, and the entry can never exist without its number or the number without its entry.
Render and sign outside these transactions: they hold the lock only for the inserts.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from correspondence.models import BookKind, EntryStatus, RegisterBook, RegisterEntry
from eoffice import thai


def book_year(at: dt.datetime) -> int:
    """Books run through the calendar year in Bangkok (1 January), written in the Buddhist era."""
    return thai.be_year(thai.bangkok_date(at))


def book_open(unit, kind: str, prefix: str = "", year: int | None = None) -> RegisterBook:
    """The book for (unit, kind, prefix, year), opened if it does not exist yet; safe under races."""
    year = year or book_year(timezone.now())
    try:
        return RegisterBook.objects.get(unit=unit, kind=kind, prefix=prefix, year=year)
    except RegisterBook.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return RegisterBook.objects.create(unit=unit, kind=kind, prefix=prefix, year=year)
    except IntegrityError:
        # Another transaction opened it first.
        return RegisterBook.objects.get(unit=unit, kind=kind, prefix=prefix, year=year)


def _advance(book_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {RegisterBook._meta.db_table} SET last_number = last_number + 1 WHERE id = %s RETURNING last_number",
            [book_id],
        )
        return cursor.fetchone()[0]


def entry_register(*, unit, kind: str, prefix: str = "", at: dt.datetime | None = None, by=None,
                   status: str = EntryStatus.ACTIVE, **columns) -> RegisterEntry:
    """Take the next number of the unit's book and write its line, atomically.

    Called inside the caller's transaction when the entry belongs to a larger change (issuing a letter,
    registering an item): if that change rolls back, so does the number.
    """
    if kind not in BookKind.values:
        raise ValidationError({"kind": f"ไม่รู้จักประเภททะเบียน {kind}"})
    if not unit.keeps_registers:
        raise ValidationError({"unit": f"{unit.name} ไม่มีทะเบียนหนังสือของตนเอง"})
    at = at or timezone.now()
    book = book_open(unit, kind, prefix, book_year(at))
    # Everything that can fail or take time happens before the counter row is locked: the lock is
    # held from the UPDATE to the end of the transaction, and every registration in the book waits on it.
    entry = RegisterEntry(book=book, number=0, status=status, registered_at=at, registered_by=by, **columns)
    entry.full_clean(exclude=["book", "number", "registered_by", "letter", "item"], validate_unique=False,
                     validate_constraints=False)
    entry._history_user = by
    with transaction.atomic():
        entry.number = _advance(book.pk)
        entry.save(force_insert=True)
    return entry


def entry_void(entry: RegisterEntry, *, reason: str, by=None) -> RegisterEntry:
    """Cancel a line: it keeps its number, marked void with the reason; the number is never reused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "กรุณาระบุเหตุที่ยกเลิก"})
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == EntryStatus.VOID:
            raise ValidationError("รายการนี้ถูกยกเลิกไปแล้ว")
        entry.status = EntryStatus.VOID
        entry.void_reason = reason
        entry._history_user = by
        entry.save(update_fields=["status", "void_reason"])
    return entry


def number_reserve(*, unit, kind: str = BookKind.OUTGOING, prefix: str = "", by=None, note: str = "") -> RegisterEntry:
    """จองเลข: hold the next number for a letter made outside the portal; fill or void it later."""
    return entry_register(unit=unit, kind=kind, prefix=prefix, by=by, status=EntryStatus.RESERVED, remarks=note)


NOT_RESERVED = {
    EntryStatus.ACTIVE: "เลขนี้บันทึกรายละเอียดแล้ว ไม่ได้อยู่ในสถานะจองเลข",
    EntryStatus.VOID: "เลขนี้ถูกยกเลิกไปแล้ว",
}


def _still_reserved(entry: RegisterEntry) -> None:
    if entry.status != EntryStatus.RESERVED:
        raise ValidationError({"state": NOT_RESERVED.get(entry.status, "เลขนี้ไม่ได้อยู่ในสถานะจองเลข")})


def _fill_errors(columns: dict, scan) -> dict:
    """Everything wrong with a fill, checked before the line is locked: the subject, the letter's date,
    and the scan (the portal's upload checks, the same Thai messages as receiving)."""
    from correspondence.rendering.spec import received_date_problem
    from correspondence.services import uploads

    errors = {}
    if not (columns.get("subject") or "").strip():
        errors["subject"] = "กรุณาระบุเรื่อง"
    if problem := received_date_problem(columns.get("dated"), thai.bangkok_date(timezone.now())):
        errors["dated"] = problem
    if scan is not None:
        try:
            uploads.pdf_check(scan)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return errors


def reservation_fill(entry: RegisterEntry, *, by=None, scan=None, **columns) -> RegisterEntry:
    """Complete a reservation with the letter's details and, if given, its scanned PDF; the number stays
    the one reserved. A refused fill changes nothing: the line stays reserved and no file is left behind."""
    from correspondence.models import EntryScan
    from correspondence.services import uploads

    errors = _fill_errors(columns, scan)
    if errors:
        raise ValidationError(errors)
    stored = None
    try:
        with transaction.atomic():
            entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
            _still_reserved(entry)
            for key, value in columns.items():
                setattr(entry, key, value)
            entry.status = EntryStatus.ACTIVE
            entry._history_user = by
            entry.full_clean(exclude=["book", "registered_by", "letter", "item"])
            if scan is not None:
                # The file is written last, inside the transaction; if anything fails it is deleted below.
                record = EntryScan(entry=entry, uploaded_by=by)
                record._history_user = by
                record.pdf.save(uploads.stored_name(), scan, save=False)
                stored = record.pdf
                record.save()
            entry.save()  # after the scan, so the search document reads the scan's text
    except BaseException:
        uploads.discard_written(stored)
        raise
    return entry


def reservation_void(entry: RegisterEntry, *, reason: str, by=None) -> RegisterEntry:
    """ยกเลิกเลขที่จองไว้: only a reservation still open; the number stays in the book, void, with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุที่ยกเลิก"})
    with transaction.atomic():
        _still_reserved(RegisterEntry.objects.select_for_update().get(pk=entry.pk))
        return entry_void(entry, reason=reason, by=by)


def formatted_number(entry: RegisterEntry, digits: str = "thai") -> str:
    """The number as a letter prints it: ``กต ๐๒๐๓/๖๓๘๑``, ``นร ๐๕๐๖/ว ๒๓๘๖๐`` or ``๑/๒๕๖๗``."""
    book = entry.book
    if book.kind in (BookKind.ORDER, BookKind.ANNOUNCEMENT, BookKind.CERTIFICATE):
        return thai.format_yearly_number(entry.number, book.year, digits=digits)
    unit = book.unit
    prefix = book.prefix
    # Circulars put a space between ว and the number; agency series such as ต.ก. do not.
    sep = " " if prefix and prefix.startswith("ว") else ""
    number = thai.LetterNumber(code=unit.letter_code(on=thai.bangkok_date(entry.registered_at)), unit=unit.unit_number,
                               series=prefix, series_sep=sep, running=entry.number)
    return number.format(digits=digits)
