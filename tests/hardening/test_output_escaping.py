"""HTML and script typed into subjects and bodies stay text: in the API (JSON and the browsable HTML), in
the admin, in the officials' pages and in the rendered PDF. Register exports are safe against spreadsheet
formula injection."""
import csv
import io
import subprocess

import pytest
from openpyxl import load_workbook

from correspondence.models import BookKind, Channel, RegisterBook
from correspondence.rendering.pdf import render_letter_pdf
from correspondence.services import receiving

from hardening_helpers import api


EVIL = "<script>alert(1)</script><b>x</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"


@pytest.fixture
def evil_item(users, units):
    clerk = users["soc.clerk"]
    item = receiving.incoming_receive(unit=units["สลค."], by=clerk, channel=Channel.SCAN, subject=EVIL,
                                      sender_text=f"กระทรวง{EVIL}", addressee=EVIL)
    item, _ = receiving.incoming_register(item, by=clerk)
    return item


@pytest.mark.django_db
def test_api_returns_the_text_as_data_and_the_browsable_api_escapes_it(users, evil_item):
    client = api(users["soc.clerk"])
    r = client.get(f"/api/v1/items/{evil_item.pk}/")
    assert r["Content-Type"].startswith("application/json") and r.json()["subject"] == EVIL
    html = client.get(f"/api/v1/items/{evil_item.pk}/", HTTP_ACCEPT="text/html")
    body = html.content.decode()
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert EVIL not in body and "<script>alert(1)" not in body
    assert "alert(1)" in body  # the text is there, escaped


def test_admin_shows_the_text_escaped(client, users, evil_item, admin_login):
    admin_login(client, users["admin"])
    for url in ("/admin/correspondence/incomingitem/", f"/admin/correspondence/incomingitem/{evil_item.pk}/change/"):
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert "<script>alert(1)" not in body, url
        assert "alert(1)" in body, url


def test_officials_pages_show_the_text_escaped(client, users, evil_item):
    client.force_login(users["soc.clerk"])
    for url in ("/incoming/", f"/incoming/{evil_item.pk}/", "/"):
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert "<script>alert(1)" not in body and "<b>x</b>" not in body, url
    assert ESCAPED in client.get(f"/incoming/{evil_item.pk}/").content.decode()


def test_the_letter_pdf_prints_the_markup_as_text(mfa_spec):
    spec = {**mfa_spec, "number": "กต ๐๒๐๓/๖๓๘๑", "date": "2020-09-17", "subject": EVIL,
            "body": [f"ข้อความ {EVIL} ท้าย"] if isinstance(mfa_spec.get("body"), list) else f"ข้อความ {EVIL} ท้าย"}
    pdf = render_letter_pdf(spec)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    assert "".join(EVIL.split()) in flat  # the subject, literally (a rendered <b> would have eaten the tags)
    assert f"ข้อความ{EVIL}ท้าย".replace(" ", "") in flat


FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")"]


@pytest.fixture
def formula_book(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    for text in FORMULAS:
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject=text, sender_text=text,
                                          addressee=text)
        receiving.incoming_register(item, by=clerk)
    return RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING)


def _dangerous(value) -> bool:
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")


def test_csv_and_xlsx_exports_neutralise_formulas(users, formula_book):
    client = api(users["soc.clerk"])
    r = client.get(f"/api/v1/books/{formula_book.pk}/export/", {"output": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if _dangerous(c) and c != "-"]
    subjects = [row[5] for row in rows[1:]]
    # The services strip surrounding whitespace, so "\t=1" arrives as "=1": still a formula, still guarded.
    assert subjects == ["'" + t.strip() for t in FORMULAS]  # kept, readable, inert
    x = client.get(f"/api/v1/books/{formula_book.pk}/export/", {"output": "xlsx"})
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.value for c in values if c.data_type == "f"]  # no cell is a formula
    assert not [c.value for c in values if _dangerous(c.value) and c.value != "-"]
    assert [row[5].value for row in sheet.iter_rows(min_row=2)] == ["'" + t.strip() for t in FORMULAS]


@pytest.mark.parametrize("value", ["=1", "+1", "-1+1", "@A1", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_guard_quotes_every_formula_start(value):
    from correspondence.services.exports import guard

    assert guard(value) == "'" + value and guard("ปกติ") == "ปกติ" and guard(5) == 5 and guard("-") == "-"


def test_the_pages_export_is_guarded_too(client, users, formula_book):
    client.force_login(users["soc.clerk"])
    r = client.get(f"/registers/{formula_book.pk}/export.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.getvalue().decode("utf-8-sig"), newline="")))
    assert not [c for row in rows[1:] for c in row if _dangerous(c) and c != "-"]
