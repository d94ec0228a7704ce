"""Register numbers are gap-free, never duplicated, never reused, and restart each calendar year."""
import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction

from agencies.models import Agency
from correspondence.models import BookKind, EntryScan, EntryStatus, RegisterBook, RegisterEntry
from correspondence.services import numbering
from eoffice.thai import BANGKOK
from pdf_samples import blank_pdf


class Rollback(Exception):
    pass


@pytest.fixture
def ict(reference_data):
    return Agency.objects.get(name="ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร")


def _hammer(unit_id, kind, clients=16, per_client=100):
    """Each client registers in its own connection; every fifth transaction rolls back after its number."""
    errors = []
    barrier = threading.Barrier(clients)

    def client(n):
        try:
            unit = Agency.objects.get(pk=unit_id)
            barrier.wait()
            for i in range(per_client):
                try:
                    with transaction.atomic():
                        numbering.entry_register(unit=unit, kind=kind, subject=f"เรื่องที่ {n}-{i}")
                        if i % 5 == 4:
                            raise Rollback
                except Rollback:
                    pass
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", [BookKind.OUTGOING, BookKind.INCOMING])
def test_sixteen_concurrent_clients_leave_numbers_one_to_n(ict, kind):
    assert connection.vendor == "postgresql"
    errors = _hammer(ict.pk, kind)
    assert errors == []
    numbers = list(RegisterEntry.objects.filter(book__unit=ict, book__kind=kind).values_list("number", flat=True))
    kept = 16 * 80
    assert len(numbers) == kept
    assert sorted(numbers) == list(range(1, kept + 1))
    assert RegisterBook.objects.get(unit=ict, kind=kind).last_number == kept


@pytest.mark.django_db
def test_year_rollover_in_bangkok_opens_new_books_at_one(ict):
    last_second = dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=BANGKOK)
    first_second = dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=BANGKOK)
    a = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, at=last_second - dt.timedelta(hours=1), subject="ก")
    b = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, at=last_second, subject="ข")
    c = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, at=first_second, subject="ค")
    assert (a.book.year, a.number) == (2568, 1)
    assert (b.book.year, b.number) == (2568, 2)
    assert (c.book.year, c.number) == (2569, 1)
    # 1 January 00:00 Bangkok is still 31 December in UTC: the book follows Bangkok.
    assert first_second.astimezone(dt.timezone.utc).year == 2025


@pytest.mark.django_db
def test_void_keeps_the_line_and_the_number_is_not_reused(ict):
    first = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="ก")
    with pytest.raises(ValidationError):
        numbering.entry_void(first, reason="  ")
    numbering.entry_void(first, reason="ออกเลขผิดเรื่อง")
    second = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="ข")
    first.refresh_from_db()
    assert first.status == EntryStatus.VOID and first.void_reason == "ออกเลขผิดเรื่อง"
    assert second.number == 2
    assert first.history.count() == 2


@pytest.mark.django_db
def test_reservation_is_filled_or_voided_never_leaving_a_gap(ict):
    reserved = numbering.number_reserve(unit=ict, note="หนังสือที่พิมพ์นอกระบบ")
    other = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="ข")
    with pytest.raises(ValidationError):
        numbering.reservation_fill(reserved, subject="")
    filled = numbering.reservation_fill(reserved, subject="ขอเชิญประชุม", to_text="สำนักเลขาธิการคณะรัฐมนตรี")
    assert (filled.number, filled.status) == (1, EntryStatus.ACTIVE)
    assert other.number == 2
    with pytest.raises(ValidationError):
        numbering.reservation_fill(filled, subject="อีกครั้ง")


@pytest.mark.django_db
def test_a_unit_without_registers_cannot_number(ict):
    section = Agency.objects.get(name="ส่วนนโยบายและยุทธศาสตร์")
    with pytest.raises(ValidationError):
        numbering.entry_register(unit=section, kind=BookKind.OUTGOING, subject="ก")
    assert not RegisterBook.objects.filter(unit=section).exists()


@pytest.mark.django_db
def test_formatted_numbers_follow_the_book(ict):
    at = dt.datetime(2020, 9, 17, 10, tzinfo=BANGKOK)
    entry = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, at=at, subject="ก")
    assert numbering.formatted_number(entry) == "กต ๐๒๐๓/๑"
    circular = numbering.entry_register(unit=ict, kind=BookKind.CIRCULAR, prefix="ว", at=at, subject="ข")
    assert numbering.formatted_number(circular) == "กต ๐๒๐๓/ว ๑"
    order = numbering.entry_register(unit=ict, kind=BookKind.ORDER, at=at, subject="ค")
    assert numbering.formatted_number(order) == "๑/๒๕๖๓"


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_numbering_is_gap_free_on_the_embedded_database_too(ict):
    assert connection.vendor == "sqlite"
    errors = _hammer(ict.pk, BookKind.OUTGOING, clients=4, per_client=25)
    assert errors == []
    numbers = sorted(RegisterEntry.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 4 * 20 + 1))


def _stored(settings) -> list:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_a_reservation_filled_with_its_scan_keeps_the_file_with_the_line(ict, settings):
    reserved = numbering.number_reserve(unit=ict)
    filled = numbering.reservation_fill(reserved, subject="ขอเชิญประชุม", scan=ContentFile(blank_pdf(), name="a.pdf"))
    filled = RegisterEntry.objects.get(pk=filled.pk)
    assert filled.status == EntryStatus.ACTIVE and filled.scan.pdf.read() == blank_pdf()
    assert filled.scan.pdf.name.startswith("registers/") and len(_stored(settings)) == 1


@pytest.mark.django_db
def test_a_fill_that_fails_after_the_file_was_written_leaves_neither_file_nor_filled_line(ict, settings,
                                                                                          monkeypatch):
    reserved = numbering.number_reserve(unit=ict)
    real_save = RegisterEntry.save

    def failing_save(self, *args, **kwargs):
        if self.status == EntryStatus.ACTIVE:
            raise RuntimeError("the database went away")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(RegisterEntry, "save", failing_save)
    with pytest.raises(RuntimeError):
        numbering.reservation_fill(reserved, subject="ขอเชิญประชุม", scan=ContentFile(blank_pdf(), name="a.pdf"))
    monkeypatch.undo()
    reserved.refresh_from_db()
    assert (reserved.status, reserved.subject) == (EntryStatus.RESERVED, "")
    assert _stored(settings) == []
    assert not EntryScan.objects.exists()


@pytest.mark.django_db
def test_only_an_open_reservation_is_voided_or_filled(ict):
    filled = numbering.reservation_fill(numbering.number_reserve(unit=ict), subject="ก")
    with pytest.raises(ValidationError) as exc:
        numbering.reservation_void(filled, reason="ไม่ใช้")
    assert exc.value.message_dict == {"state": [numbering.NOT_RESERVED[EntryStatus.ACTIVE]]}
    voided = numbering.reservation_void(numbering.number_reserve(unit=ict), reason="ไม่ใช้", by=None)
    assert (voided.status, voided.number) == (EntryStatus.VOID, 2)
    with pytest.raises(ValidationError) as exc:
        numbering.reservation_fill(voided, subject="ข")
    assert exc.value.message_dict == {"state": [numbering.NOT_RESERVED[EntryStatus.VOID]]}
    with pytest.raises(ValidationError):
        numbering.reservation_void(numbering.number_reserve(unit=ict), reason=" ")


@pytest.mark.django_db
def test_under_the_counter_lock_a_new_line_only_writes(ict):
    """The book's counter stays locked from the number to the commit, so every query there is paid by every
    registration in the book: a new line's search row is written without looking for one, or for a scan,
    and it still finds the line."""
    from django.test.utils import CaptureQueriesContext

    from correspondence.models import SearchDocument

    numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="เปิดทะเบียน")  # the book exists
    with CaptureQueriesContext(connection) as ctx:
        entry = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="ขอเชิญประชุมคณะทำงาน")
    after_counter = [q["sql"] for q in ctx.captured_queries]
    after_counter = after_counter[next(i for i, sql in enumerate(after_counter) if "last_number + 1" in sql):]
    tables = (SearchDocument._meta.db_table, EntryScan._meta.db_table)
    assert not [sql for sql in after_counter if sql.startswith(("SELECT", "DELETE")) and any(t in sql for t in tables)]
    doc = SearchDocument.objects.get(entry=entry)
    assert doc.title == "ขอเชิญประชุมคณะทำงาน" and doc.unit_id == ict.pk


@pytest.mark.django_db
def test_saving_a_line_again_still_finds_its_search_row_and_scan(ict, settings, tmp_path):
    """Only a new line skips the look-ups: a later save rewrites the one row it has, with its scan's name."""
    from correspondence.models import SearchDocument

    settings.MEDIA_ROOT = tmp_path
    entry = numbering.entry_register(unit=ict, kind=BookKind.OUTGOING, subject="เดิม")
    EntryScan.objects.create(entry=entry, pdf=ContentFile(b"%PDF-1.4\n%%EOF\n", name="scan.pdf"))
    entry.subject = "แก้ไขแล้ว"
    entry.save()
    doc = SearchDocument.objects.get(entry=entry)
    assert doc.title == "แก้ไขแล้ว" and doc.pdf_name.endswith("scan.pdf")
