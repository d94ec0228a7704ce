"""A register book as an official reads it: date ranges typed the Thai way and refused clearly, void and
reserved lines, and the exports (Thai file names, spreadsheet types, streaming CSV, caps)."""
import csv
import datetime as dt
import io
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from page_data import make_items
from correspondence.models import RegisterBook
from correspondence.services import exports, numbering, receiving
from eoffice.models import AccessEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(users, soc):
    """สลค.'s incoming book: three lines, the first void, then a reserved number."""
    for item in make_items(soc, 3):
        receiving.incoming_register(item, by=users["soc.clerk"])
    book = RegisterBook.objects.get(unit=soc, kind="incoming")
    numbering.entry_void(book.entries.get(number=1), reason="ลงทะเบียนซ้ำ", by=users["soc.clerk"])
    numbering.number_reserve(unit=soc, kind="incoming", by=users["soc.clerk"], note="หนังสือนอกระบบ")
    book.entries.filter(number=2).update(dated=dt.date(2026, 3, 5))
    return book


def _alerts(html):
    return " ".join(re.findall(r'role="alert">([^<]*)', html))


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_reversed_or_far_off_range_is_a_thai_error_and_exports_nothing(users, book, login):
    c = login(users["soc.clerk"])
    page, events = reverse("portal:book", args=[book.pk]), AccessEvent.objects.count()
    cases = [({"date_from": "31/12/2569", "date_to": "1/1/2569"}, "อยู่ก่อนวันที่เริ่มต้น"),
             ({"date_from": "1/1/0001"}, "อยู่นอกช่วงที่ใช้ได้"),
             ({"date_to": "31/12/9999"}, "อยู่นอกช่วงที่ใช้ได้")]
    for query, message in cases:
        html = c.get(page, query).content.decode()
        assert message in _alerts(html), query
        for fmt in exports.FORMATS:
            response = c.get(reverse("portal:book-export", args=[book.pk, fmt]), query)
            assert response.status_code == 400 and message in response.content.decode(), (query, fmt)
    assert AccessEvent.objects.count() == events  # nothing left the portal
    api = c.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv", "date_from": "2026-12-31",
                                                      "date_to": "2026-01-01"})
    assert api.status_code == 400 and "อยู่ก่อนวันที่เริ่มต้น" in api.json()["date_to"][0]


def test_a_range_beyond_the_books_year_says_where_the_other_years_are(users, book, login):
    c = login(users["soc.clerk"])
    year = book.year
    html = c.get(reverse("portal:book", args=[book.pk]),
                 {"date_from": f"1/12/{year - 1}", "date_to": f"31/1/{year + 1}"}).content.decode()
    assert html.count("<tr class=") == 4 and not _alerts(html)
    assert 'id="outside-year"' in html and "ทะเบียนของปีนั้น" in html
    assert re.search(r'id="book-period">ระหว่างวันที่ ๑ ธันวาคม [๐-๙]{4} ถึง ๓๑ มกราคม [๐-๙]{4}<', html)
    inside = c.get(reverse("portal:book", args=[book.pk]), {"date_from": f"1/1/{year}"}).content.decode()
    assert 'id="outside-year"' not in inside and 'id="back-to-books" ' not in inside
    assert f'href="{reverse("portal:books")}" id="back-to-books"' in inside


def test_void_and_reserved_lines_say_so_on_the_page_and_in_the_exports(users, book, login):
    c = login(users["soc.clerk"])
    html = c.get(reverse("portal:book", args=[book.pk])).content.decode()
    rows = re.findall(r'<tr class="u\d[^"]*"[^>]*>(.*?)</tr>', html, re.S)
    # หมายเหตุ: the last plain cell (the clerk's actions follow in a cell of their own)
    remarks = [re.sub(r"<[^>]+>", "", re.findall(r"<td>(.*?)</td>", row, re.S)[-1]).strip() for row in rows]
    assert remarks == ["ยกเลิก: ลงทะเบียนซ้ำ", "", "", "จองเลข หนังสือนอกระบบ"]
    text = _download(c.get(reverse("portal:book-export", args=[book.pk, "csv"]))).decode("utf-8-sig")
    remarks = [row[-1] for row in csv.reader(io.StringIO(text))][1:]
    assert remarks == ["ยกเลิก: ลงทะเบียนซ้ำ", "", "", "จองเลข หนังสือนอกระบบ"]


def test_file_names_are_thai_and_spreadsheet_cells_are_typed(users, book, login):
    c = login(users["soc.clerk"])
    response = c.get(reverse("portal:book-export", args=[book.pk, "xlsx"]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == f"ทะเบียนหนังสือรับ สลค. พ.ศ. {book.year}.xlsx"
    ranged = c.get(reverse("portal:book-export", args=[book.pk, "csv"]), {"date_from": f"1/1/{book.year}"})
    assert unquote(ranged["Content-Disposition"].split("''", 1)[1]).endswith(f" 1 ม.ค. {book.year} ถึง ….csv")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == [1, 2, 3, 4]  # numbers as numbers
    dated = rows[1][2]
    assert dated.is_date and dated.value.date() == dt.date(2026, 3, 5)
    assert dated.number_format == exports.XLSX_DATE_FORMAT  # shown with the Buddhist-era year
    assert rows[0][2].value is None


def test_csv_streams_and_the_whole_file_exports_are_capped(users, book, login, monkeypatch):
    c = login(users["soc.clerk"])
    response = c.get(reverse("portal:book-export", args=[book.pk, "csv"]))
    assert response.streaming and response["Cache-Control"] == "private, no-store"
    assert len(list(csv.reader(io.StringIO(_download(response).decode("utf-8-sig"))))) == 5
    monkeypatch.setitem(exports.LIMITS, "pdf", 3)
    events = AccessEvent.objects.count()
    refused = c.get(reverse("portal:book-export", args=[book.pk, "pdf"]))
    assert refused.status_code == 400
    assert "มี ๔ รายการ เกินกว่าที่ส่งออกเป็น PDF ได้ในครั้งเดียว (๓ รายการ)" in refused.content.decode()
    assert AccessEvent.objects.count() == events
    narrower = c.get(reverse("portal:book-export", args=[book.pk, "pdf"]), {"date_to": "1/1/2500"})
    assert narrower.status_code == 200 and narrower.content.startswith(b"%PDF-")  # empty: one page, no lines


def test_the_new_book_page_lines_are_translated(users, book, login):
    c = login(users["soc.clerk"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/registers/"})
    html = c.get(reverse("portal:book", args=[book.pk]), {"date_from": f"1/12/{book.year - 1}"}).content.decode()
    assert "Back to the registers" in html and "other years are in their own registers" in html
