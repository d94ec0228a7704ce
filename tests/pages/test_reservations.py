"""จองเลข in the register book's page: a clerk reserves the next number, fills it later with the letter's
details and its scan (downloadable from the book), or voids it with a reason; refused input leaves the
reservation as it was, with no gap in the numbers and no file behind."""
import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Role, RoleAssignment
from correspondence.models import AccessLog, BookKind, EntryScan, EntryStatus, RegisterBook, RegisterEntry
from correspondence.services import numbering, uploads
from eoffice import thai, twofactor
from eoffice.models import AccessEvent, AccessKind
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db


def _upload(data: bytes | None = None, name="scan.pdf"):
    return SimpleUploadedFile(name, blank_pdf() if data is None else data, content_type="application/pdf")


def _be(day: dt.date) -> str:
    """A date as a clerk types it: day/month/Buddhist-era year."""
    return f"{day.day}/{day.month}/{day.year + 543}"


def _yesterday() -> dt.date:
    from django.utils import timezone

    return thai.bangkok_date(timezone.now()) - dt.timedelta(days=1)


def _files(settings) -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


@pytest.fixture
def ict(units):
    return units["ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร"]


@pytest.fixture
def book(ict):
    return numbering.book_open(ict, BookKind.OUTGOING)


@pytest.fixture
def clerk(users, login):
    return login(users["mfa.clerk"])


def _reserve(client, book, note="หนังสือพิมพ์นอกระบบ"):
    return client.post(reverse("portal:book-reserve", args=[book.pk]), {"note": note}, follow=True)


def _fill_data(**change):
    return {"subject": "ขอเชิญประชุมคณะทำงาน", "their_number": "", "dated": _be(_yesterday()),
            "from_text": "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "to_text": "สำนักเลขาธิการคณะรัฐมนตรี",
            "remarks": "", "pdf": _upload(), **change}


def test_reserve_fill_with_the_scan_and_download_it(clerk, book):
    page = clerk.get(reverse("portal:book", args=[book.pk])).content.decode()
    assert 'id="do-reserve"' in page
    r = _reserve(clerk, book)
    entry = RegisterEntry.objects.get(book=book)
    assert entry.status == EntryStatus.RESERVED and entry.remarks == "หนังสือพิมพ์นอกระบบ"
    number = numbering.formatted_number(entry)
    assert number.startswith("กต ๐๒๐๓/")
    html = r.content.decode()
    assert f"จองเลข {number} แล้ว" in html
    assert re.search(rf'<tr class="[^"]*\breserved\b" id="entry-{entry.pk}"', html) and f'id="fill-{entry.pk}"' in html

    form = clerk.get(reverse("portal:reservation-fill", args=[entry.pk])).content.decode()
    assert number in form and 'enctype="multipart/form-data"' in form
    assert 'name="remarks" value="หนังสือพิมพ์นอกระบบ"' in form  # the note is kept unless changed
    r = clerk.post(reverse("portal:reservation-fill", args=[entry.pk]), _fill_data(remarks="หนังสือพิมพ์นอกระบบ"),
                   follow=True)
    html = r.content.decode()
    assert f"บันทึกรายละเอียดเลข {number} แล้ว" in html
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and entry.subject == "ขอเชิญประชุมคณะทำงาน"
    assert entry.dated == _yesterday() and entry.number == 1
    assert f'id="scan-{entry.pk}"' in html and f'id="fill-{entry.pk}"' not in html

    download = clerk.get(reverse("portal:entry-scan", args=[entry.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == blank_pdf()
    assert download["Cache-Control"] == "private, no-store"
    # Once filled it is no longer offered for filling.
    again = clerk.get(reverse("portal:reservation-fill", args=[entry.pk]), follow=True).content.decode()
    assert numbering.NOT_RESERVED[EntryStatus.ACTIVE] in again


@pytest.mark.parametrize("change,message", [
    ({"pdf": _upload(b"not a pdf at all")}, uploads.NOT_PDF),
    ({"pdf": _upload(b"%PDF-1.4\n" + b"0" * 4096)}, None),  # over the limit set below
    ({"subject": ""}, "กรุณาระบุเรื่อง"),
    ({"dated": "1/1/2600"}, "อนาคต"),
    ({"dated": "1/1/1900"}, "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
    ({"dated": "วันพรุ่งนี้"}, "ต้องเป็น วัน เดือน ปี พ.ศ."),
])
def test_a_refused_fill_keeps_the_reservation_and_leaves_no_gap_or_file(clerk, book, settings, change, message):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 2048
    pdf = blank_pdf()
    assert len(pdf) < 2048
    _reserve(clerk, book)
    entry = RegisterEntry.objects.get(book=book)
    message = message or uploads.too_large_message()
    r = clerk.post(reverse("portal:reservation-fill", args=[entry.pk]), _fill_data(**change))
    assert r.status_code == 200 and message in r.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.subject, entry.dated) == (EntryStatus.RESERVED, "", None)
    assert not EntryScan.objects.exists() and _files(settings) == []
    # The same number is filled afterwards, and the next reservation is the next number: no gap.
    r = clerk.post(reverse("portal:reservation-fill", args=[entry.pk]), _fill_data(pdf=_upload(pdf)))
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ACTIVE and entry.number == 1 and entry.scan.pdf
    _reserve(clerk, book)
    assert list(RegisterEntry.objects.filter(book=book).values_list("number", flat=True)) == [1, 2]
    assert RegisterBook.objects.get(pk=book.pk).last_number == 2


def test_void_needs_a_reason_and_keeps_the_number(clerk, book):
    _reserve(clerk, book)
    entry = RegisterEntry.objects.get(book=book)
    url = reverse("portal:reservation-void", args=[entry.pk])
    r = clerk.post(url, {"reason": "  "}, follow=True)
    assert "กรุณาระบุเหตุที่ยกเลิกเลข" in r.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RESERVED
    r = clerk.post(url, {"reason": "หนังสือไม่ได้ออก"}, follow=True)
    html = r.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))  # the page as read, marks aside
    assert f"ยกเลิกเลข {numbering.formatted_number(entry)} แล้ว" in text and "ยกเลิก: หนังสือไม่ได้ออก" in text
    entry.refresh_from_db()
    assert (entry.status, entry.void_reason, entry.number) == (EntryStatus.VOID, "หนังสือไม่ได้ออก", 1)
    # Neither voided again nor filled: the number stays void.
    assert numbering.NOT_RESERVED[EntryStatus.VOID] in clerk.post(url, {"reason": "อีก"}, follow=True).content.decode()
    r = clerk.post(reverse("portal:reservation-fill", args=[entry.pk]), _fill_data())
    assert r.status_code == 200 and numbering.NOT_RESERVED[EntryStatus.VOID] in r.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.VOID and not EntryScan.objects.exists()


def test_a_clerk_of_another_unit_gets_404_and_a_non_clerk_403(users, login, book, settings):
    entry = numbering.number_reserve(unit=book.unit, note="จอง")
    filled = numbering.number_reserve(unit=book.unit)
    numbering.reservation_fill(filled, subject="มีแฟ้ม", scan=_upload())
    urls = [("post", reverse("portal:book-reserve", args=[book.pk])),
            ("get", reverse("portal:reservation-fill", args=[entry.pk])),
            ("post", reverse("portal:reservation-fill", args=[entry.pk])),
            ("post", reverse("portal:reservation-void", args=[entry.pk]))]
    other = login(users["soc.clerk"])
    for method, url in urls + [("get", reverse("portal:entry-scan", args=[filled.pk]))]:
        assert getattr(other, method)(url, {"reason": "x", "subject": "x"}).status_code == 404, url
    # The reviewer of the same unit sees the book and the scan, but reserves, fills and voids nothing.
    reviewer = login(users["mfa.reviewer"])
    page = reviewer.get(reverse("portal:book", args=[book.pk])).content.decode()
    assert 'id="do-reserve"' not in page and f'id="fill-{entry.pk}"' not in page and f'id="scan-{filled.pk}"' in page
    for method, url in urls:
        r = getattr(reviewer, method)(url, {"reason": "x", "subject": "x"})
        assert r.status_code == 403 and "เฉพาะเจ้าหน้าที่สารบรรณ" in r.content.decode(), url
    assert reviewer.get(reverse("portal:entry-scan", args=[filled.pk])).status_code == 200
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RESERVED
    assert RegisterBook.objects.get(pk=book.pk).last_number == 2


def test_the_secret_register_needs_the_second_factor_and_logs_the_download(users, login, soc, second_factor):
    registrar = users["soc.secret"]  # the registrar alone (not a registry clerk) keeps the secret register
    assert not RoleAssignment.objects.filter(official=registrar.official, role=Role.REGISTRY_CLERK).exists()
    book = numbering.book_open(soc, BookKind.SECRET)
    client = login(registrar)
    r = _reserve(client, book)
    assert r.status_code == 403 and twofactor.NOT_ENROLLED in r.content.decode()
    second_factor(client, registrar)
    client.logout()
    client.force_login(registrar)  # a new session: enrolled, not verified in it
    r = _reserve(client, book)
    assert r.status_code == 403 and twofactor.REQUIRED in r.content.decode()
    assert RegisterBook.objects.get(pk=book.pk).last_number == 0
    second_factor(client, registrar)
    r = _reserve(client, book)
    entry = RegisterEntry.objects.get(book=book)
    assert f"จองเลข {numbering.formatted_number(entry)} แล้ว" in r.content.decode()
    r = client.post(reverse("portal:reservation-fill", args=[entry.pk]), _fill_data())
    assert r.status_code == 302
    download = client.get(reverse("portal:entry-scan", args=[entry.pk]))
    assert download.status_code == 200
    log = AccessLog.objects.get(entry=entry)
    assert (log.user, log.action) == (registrar, "download")
    assert AccessEvent.objects.filter(kind=AccessKind.DOWNLOAD, target=f"registerentry:{entry.pk}").exists()
    # Unverified again: neither the fill form nor the scan.
    client.logout()
    client.force_login(registrar)
    assert "/account/two-factor/" in client.get(reverse("portal:reservation-fill", args=[entry.pk]))["Location"]
    assert client.get(reverse("portal:entry-scan", args=[entry.pk])).status_code == 403
    # A clerk of the unit is not the registrar: the secret register does not exist for them.
    other = login(users["soc.clerk"])
    assert other.post(reverse("portal:book-reserve", args=[book.pk]), {"note": ""}).status_code == 404
    # And the registrar is not a registry clerk: the unit's ordinary books are the clerks' to number.
    incoming = numbering.book_open(soc, BookKind.INCOMING)
    client = login(registrar)  # the one test client, signed in as the registrar again
    second_factor(client, registrar)
    r = client.post(reverse("portal:book-reserve", args=[incoming.pk]), {"note": ""})
    assert r.status_code == 403 and "เฉพาะเจ้าหน้าที่สารบรรณ" in r.content.decode()
    assert RegisterBook.objects.get(pk=incoming.pk).last_number == 0


def test_the_book_page_with_reservations_and_scans_is_constant_in_queries(clerk, book, django_assert_num_queries):
    def lines(n):
        for i in range(n):
            numbering.number_reserve(unit=book.unit)
            numbering.reservation_fill(numbering.number_reserve(unit=book.unit), subject=f"เรื่อง {i}", scan=_upload())

    url = reverse("portal:book", args=[book.pk])
    lines(3)
    with CaptureQueriesContext(connection) as small:
        html_small = clerk.get(url).content.decode()
    lines(6)
    with django_assert_num_queries(len(small.captured_queries)):
        html_big = clerk.get(url).content.decode()
    assert html_big.count('id="scan-') == 9 > html_small.count('id="scan-') == 3
    assert html_big.count('id="fill-') == 9 > html_small.count('id="fill-') == 3
