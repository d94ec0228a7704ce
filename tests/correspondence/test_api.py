"""The API: the letter's transitions over HTTP, list shapes and their query counts, exports, schema."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from correspondence.models import BookKind, Channel, Letter, LetterState, OutboxMessage, RegisterBook
from correspondence.services import delivery, exports, numbering, receiving
from eoffice import thai

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_letter_transitions_over_http(users, units, mfa_spec, second_factor, signing_key):
    u, soc = users, units["สลค."]
    r = api(u["mfa.drafter"]).post("/api/v1/letters/", {
        "content": mfa_spec, "signer": u["mfa.signer"].official.pk, "recipients": [{"agency": soc.pk}],
        "reviewers": [u["mfa.reviewer"].official.pk]}, format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert api(u["mfa.drafter"]).post(f"/api/v1/letters/{pk}/submit/").json()["state"] == LetterState.IN_REVIEW
    r = api(u["mfa.reviewer"]).post(f"/api/v1/letters/{pk}/review/", {"approve": False}, format="json")
    assert r.status_code == 400 and r.json() == {"comment": ["กรุณาระบุความเห็นเมื่อส่งคืนแก้ไข"]}
    assert api(u["mfa.reviewer"]).post(f"/api/v1/letters/{pk}/review/", {"approve": True},
                                       format="json").json()["state"] == LetterState.APPROVED
    assert api(u["mfa.drafter"]).post(f"/api/v1/letters/{pk}/issue/").status_code == 403
    issued = api(u["mfa.clerk"]).post(f"/api/v1/letters/{pk}/issue/").json()
    assert issued["number"].startswith("กต ๐๒๐๓/") and issued["content"]["number"] == issued["number"]
    assert Letter.objects.get(pk=pk).pdf  # issuing makes the PDF the signer signs
    assert api(u["mfa.clerk"]).post(f"/api/v1/letters/{pk}/send/").json() == {"state": ["ส่งได้เฉพาะหนังสือที่ลงนามแล้ว"]}
    signer = api(u["mfa.signer"])
    second_factor(signer, u["mfa.signer"])  # signing needs a verified second factor
    wrong = signer.post(f"/api/v1/letters/{pk}/sign/", {"secret": "not-the-pin"}, format="json").json()
    assert wrong["state"] == "failed" and Letter.objects.get(pk=pk).state == LetterState.ISSUED
    job = signer.post(f"/api/v1/letters/{pk}/sign/", {"secret": signing_key}, format="json")
    assert job.status_code == 202 and job.json()["state"] == "done"
    assert signer.get(f"/api/v1/letters/{pk}/signing/{job.json()['id']}/").json()["state"] == "done"
    letter = Letter.objects.get(pk=pk)
    assert letter.state == LetterState.SIGNED and letter.signatures.count() == 1  # a PAdES signature, not a flag
    assert b"/ByteRange" in letter.pdf.open("rb").read()
    sent = api(u["mfa.clerk"]).post(f"/api/v1/letters/{pk}/send/").json()
    assert sent["state"] == LetterState.SENT and sent["recipients"][0]["state"] == "pending"
    # The outbox row written with the send is delivered by its task (run here in-process).
    (row,) = OutboxMessage.objects.filter(letter_id=pk)
    assert delivery.outbox_deliver(row.pk) == "delivered"
    assert api(u["mfa.drafter"]).get(f"/api/v1/letters/{pk}/").json()["recipients"][0]["state"] == "delivered"
    # The Secretariat's clerk sees the arrival and registers it.
    items = api(u["soc.clerk"]).get("/api/v1/items/", {"state": "received"}).json()
    assert items["count"] == 1 and "pdf" not in items["results"][0]
    reg = api(u["soc.clerk"]).post(f"/api/v1/items/{items['results'][0]['id']}/register/").json()
    assert reg["item"]["receipt_number"] == "1" and reg["warning"] is None
    letter = api(u["mfa.drafter"]).get(f"/api/v1/letters/{pk}/").json()
    assert letter["recipients"][0]["state"] == "registered" and letter["recipients"][0]["receipt_number"] == "1"
    # The list never carries the letter's content.
    listed = api(u["mfa.drafter"]).get("/api/v1/letters/").json()["results"][0]
    assert "content" not in listed and listed["number"] == issued["number"]


def _items(users, units, n):
    clerk, soc = users["soc.clerk"], units["สลค."]
    for i in range(n):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject=f"เรื่องที่ {i}",
                                          sender_text="กระทรวงมหาดไทย", their_number=f"มท ๐๒๑๘/{thai.to_thai_digits(str(i + 1))}")
        receiving.incoming_register(item, by=clerk)


@pytest.mark.parametrize("url", ["/api/v1/items/", "/api/v1/entries/", "/api/v1/books/", "/api/v1/letters/"])
def test_list_query_count_does_not_grow_with_the_page(users, units, url, django_assert_num_queries):
    _items(users, units, 12)
    client = api(users["soc.clerk"])
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"page_size": size}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(url, {"page_size": 5})


def test_entries_filter_by_year_series_dates_and_text(users, units):
    _items(users, units, 3)
    clerk, ict = users["mfa.clerk"], units["ศทส."]
    numbering.entry_register(unit=ict, kind=BookKind.CIRCULAR, prefix="ว", subject="หนังสือเวียน")
    client = api(users["soc.clerk"])
    book = RegisterBook.objects.get(unit=units["สลค."], kind=BookKind.INCOMING)
    assert len(client.get("/api/v1/entries/", {"year": book.year}).json()["results"]) == 3
    assert len(client.get("/api/v1/entries/", {"year": book.year - 1}).json()["results"]) == 0
    assert [e["subject"] for e in client.get("/api/v1/entries/", {"q": "เรื่องที่ 1"}).json()["results"]] == ["เรื่องที่ 1"]
    # Number search with Arabic digits finds the Thai-digit number.
    assert len(client.get("/api/v1/entries/", {"q": "0218/2"}).json()["results"]) == 1
    assert client.get("/api/v1/entries/", {"date_from": "2020-01-01", "date_to": "2020-12-31"}).json()["results"] == []
    assert client.get("/api/v1/entries/", {"date_from": "เมื่อวาน"}).status_code == 400
    # The circular of another ministry is not there; for its own clerk it is, by series.
    assert client.get("/api/v1/entries/", {"series": "ว"}).json()["results"] == []
    assert len(api(clerk).get("/api/v1/entries/", {"series": "ว"}).json()["results"]) == 1


def test_reservation_over_http(users, units):
    client = api(users["mfa.clerk"])
    r = client.post("/api/v1/reservations/", {"unit": units["ศทส."].pk, "note": "หนังสือพิมพ์นอกระบบ"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "reserved"
    pk = r.json()["id"]
    assert api(users["soc.clerk"]).post(f"/api/v1/reservations/{pk}/fill/", {"subject": "ก"}).status_code == 404
    filled = client.post(f"/api/v1/reservations/{pk}/fill/", {"subject": "ขอเชิญประชุม"}, format="json").json()
    assert filled["status"] == "active" and filled["number"] == 1
    assert client.post(f"/api/v1/reservations/{pk}/void/", {"reason": "x"}, format="json").status_code == 400


def test_the_secret_register_is_reserved_in_by_its_registrar_not_a_clerk(users, units, settings):
    settings.EOFFICE_SECOND_FACTOR = False  # the second factor's own rules are tested elsewhere
    soc = units["สลค."]
    body = {"unit": soc.pk, "kind": "secret", "note": "หนังสือลับทำนอกระบบ"}
    refused = api(users["soc.clerk"]).post("/api/v1/reservations/", body, format="json")
    assert refused.status_code == 403 and "นายทะเบียนเอกสารลับ" in refused.json()["detail"]
    r = api(users["soc.secret"]).post("/api/v1/reservations/", body, format="json")
    assert r.status_code == 201 and r.json()["status"] == "reserved" and r.json()["number"] == 1


def _scan(data: bytes | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    if data is None:
        writer, out = PdfWriter(), io.BytesIO()
        writer.add_blank_page(595, 842)
        writer.write(out)
        data = out.getvalue()
    return SimpleUploadedFile("scan.pdf", data, content_type="application/pdf")


def test_reservation_filled_with_its_scan_over_http(users, units, settings):
    from correspondence.models import EntryScan, EntryStatus, RegisterEntry
    from correspondence.services import uploads

    client = api(users["mfa.clerk"])
    pk = client.post("/api/v1/reservations/", {"unit": units["ศทส."].pk}, format="json").json()["id"]
    url = f"/api/v1/reservations/{pk}/fill/"
    # A refused scan (not a PDF, too large) keeps the reservation open and stores nothing.
    r = client.post(url, {"subject": "ขอเชิญประชุม", "pdf": _scan(b"GIF89a not a pdf")}, format="multipart")
    assert r.status_code == 400 and r.json() == {"pdf": [uploads.NOT_PDF]}
    settings.EOFFICE_MAX_UPLOAD_BYTES = 64
    r = client.post(url, {"subject": "ขอเชิญประชุม", "pdf": _scan()}, format="multipart")
    assert r.status_code == 400 and r.json() == {"pdf": [uploads.too_large_message()]}
    assert RegisterEntry.objects.get(pk=pk).status == EntryStatus.RESERVED and not EntryScan.objects.exists()
    settings.EOFFICE_MAX_UPLOAD_BYTES = 1024 * 1024
    # A JSON body carries no file.
    assert list(client.post(url, {"subject": "ก", "pdf": "JVBERi0xLjQK"}, format="json").json()) == ["pdf"]
    r = client.post(url, {"subject": "ขอเชิญประชุม", "dated": "2026-11-20", "pdf": _scan()}, format="multipart")
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["number"]) == ("active", 1)
    assert EntryScan.objects.get(entry_id=pk).pdf.read() == _scan().read()
    r = client.post(url, {"subject": "อีกครั้ง"}, format="json")
    assert r.status_code == 400 and r.json() == {"state": [numbering.NOT_RESERVED[EntryStatus.ACTIVE]]}


def test_register_lines_say_whether_a_filled_reservation_has_its_scan(users, units, settings, second_factor):
    """has_scan in the list and the detail (and the fill's answer); the file at entries/{id}/scan/ to whoever
    may see the line, a classified one with the second factor, as the register page serves it."""
    ict = units["ศทส."]
    client = api(users["mfa.clerk"])
    with_scan = client.post("/api/v1/reservations/", {"unit": ict.pk}, format="json").json()["id"]
    filled = client.post(f"/api/v1/reservations/{with_scan}/fill/", {"subject": "มีแฟ้ม", "pdf": _scan()},
                         format="multipart").json()
    assert filled["has_scan"] is True
    without = numbering.reservation_fill(numbering.number_reserve(unit=ict), subject="ไม่มีแฟ้ม")
    listed = {e["id"]: e["has_scan"] for e in client.get("/api/v1/entries/", {"unit": ict.pk}).json()["results"]}
    assert listed == {with_scan: True, without.pk: False}
    assert client.get(f"/api/v1/entries/{with_scan}/").json()["has_scan"] is True
    assert client.get(f"/api/v1/entries/{without.pk}/").json()["has_scan"] is False
    r = client.get(f"/api/v1/entries/{with_scan}/scan/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == _scan().read()
    assert client.get(f"/api/v1/entries/{without.pk}/scan/").json() == {"scan": ["รายการนี้ไม่มีแฟ้มหนังสือ"]}
    # Another ministry's clerk does not see the line, nor its file.
    assert api(users["soc.clerk"]).get(f"/api/v1/entries/{with_scan}/scan/").status_code == 404

    # A line of the secret register: its registrar, and only with the second factor.
    settings.EOFFICE_SECOND_FACTOR = True
    soc, registrar = units["สลค."], users["soc.secret"]
    secret = numbering.reservation_fill(numbering.number_reserve(unit=soc, kind=BookKind.SECRET, by=registrar),
                                        by=registrar, subject="แผนลับ", scan=_scan())
    client = api(registrar)
    assert client.get(f"/api/v1/entries/{secret.pk}/scan/").status_code == 403
    assert api(users["soc.clerk"]).get(f"/api/v1/entries/{secret.pk}/scan/").status_code == 404
    second_factor(client, registrar)
    client.force_authenticate(registrar)
    assert client.get(f"/api/v1/entries/{secret.pk}/").json()["has_scan"] is True
    assert client.get(f"/api/v1/entries/{secret.pk}/scan/").status_code == 200


def test_the_schema_documents_has_scan_and_the_scan_download(users):
    schema = api(users["soc.clerk"]).get("/api/schema/", {"format": "json"}).json()
    entry = schema["components"]["schemas"]["Entry"]
    assert entry["properties"]["has_scan"]["type"] == "boolean" and "has_scan" in entry["required"]
    assert "scan" in entry["properties"]["has_scan"]["description"]
    download = schema["paths"]["/api/v1/entries/{id}/scan/"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]


def test_exports_guard_formulas_and_render_the_register(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    for subject in ("=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "ปกติ"):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject=subject,
                                          sender_text="-2+3")
        receiving.incoming_register(item, by=clerk)
    book = RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING)
    client = api(clerk)
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"})
                                       .content.decode("utf-8-sig"))))
    assert rows[0] == exports.INCOMING_COLUMNS
    assert [r[5] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "ปกติ"]
    assert {r[3] for r in rows[1:]} == {"'-2+3"} and {r[1] for r in rows[1:]} == {"-"}
    xlsx = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == 1 and values[1][5] == "'=HYPERLINK(\"http://x\")"
    assert all(not (isinstance(v, str) and v.startswith("=")) for row in values for v in row)
    pdf = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "pdf", "date_from": "2020-01-01"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert client.get(f"/api/v1/books/{book.pk}/export/", {"output": "doc"}).status_code == 400


def test_api_answers_are_never_cached(users, units):
    """Exports, files and lists of the API carry records: no browser or proxy may keep them."""
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ทดสอบ", sender_text="กห")
    receiving.incoming_register(item, by=clerk)
    book = RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING)
    client = api(clerk)
    for url, params in ((f"/api/v1/books/{book.pk}/export/", {"output": "csv"}), ("/api/v1/entries/", {}),
                        (f"/api/v1/items/{item.pk}/", {}), ("/api/v1/items/999999/", {})):
        response = client.get(url, params)
        assert response.status_code in (200, 404), url
        assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}, url
    assert "no-store" not in client.get("/api/schema/", {"format": "json"}).get("Cache-Control", "")


def test_the_printed_register_uses_thai_digits_and_the_data_files_arabic(users, units):
    import datetime as dt
    import re
    import subprocess

    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอข้อมูล",
                                      sender_text="กระทรวงการต่างประเทศ", their_number="กต 0203/6381",
                                      dated=dt.date(2020, 9, 29))
    receiving.incoming_register(item, by=clerk)
    book = RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING)
    client = api(clerk)
    pdf = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "pdf"}).content
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                                             capture_output=True, check=True).stdout.decode())
    # The heading (ประจำปี พ.ศ. …) and the line alike: number, ที่ and date in Thai digits, none Arabic.
    assert "๒๙ก.ย.๒๕๖๓" in text and "กต๐๒๐๓/๖๓๘๑" in text and "ประจำปีพ.ศ.๒๕" in text
    assert not re.search(r"[0-9]", text), text
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"})
                                       .content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["1", "กต 0203/6381", "29 ก.ย. 2563"]


def test_schema_and_offline_docs(client, users):
    client.force_login(users["soc.clerk"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/items/{id}/register/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_admin_lists_follow_the_same_visibility(client, users, units, admin_login):
    soc = units["สลค."]
    secret = receiving.incoming_receive(unit=soc, by=users["soc.secret"], channel=Channel.SCAN, subject="ลับมากเฉพาะ",
                                        sender_text="กระทรวงกลาโหม", secrecy=2)
    plain = receiving.incoming_receive(unit=soc, by=users["soc.clerk"], channel=Channel.SCAN, subject="เรื่องทั่วไป",
                                       sender_text="กระทรวงกลาโหม")
    admin_login(client, users["admin"])
    page = client.get("/admin/correspondence/incomingitem/").content.decode()
    assert "เรื่องทั่วไป" in page and "ลับมากเฉพาะ" not in page
    assert client.get(f"/admin/correspondence/incomingitem/{secret.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/correspondence/incomingitem/{plain.pk}/change/").status_code == 200
    assert client.get("/admin/correspondence/registerentry/").status_code == 200


def test_an_unknown_path_or_id_under_the_api_is_a_json_404(users):
    # A line break inside the path (found by the fuzzer: %0A in an id) too.
    for path in ("/api/v1/letters/abc/", "/api/v1/no-such-thing/", "/api/v1/items/12/nonsense/",
                 "/api/v1/items/1%0A2/close/", "/api/v1/%0A"):
        r = api(users["mfa.drafter"]).get(path)
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), path
        assert r.json() == {"detail": "ไม่พบข้อมูลที่ขอ"}


def test_a_signed_in_post_to_an_unknown_path_is_the_same_json_404_not_a_csrf_page(users):
    """A session client's POST there gets the documented JSON 404, not Django's HTML CSRF refusal."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["soc.clerk"])
    r = client.post("/api/v1/items/abc/close/", {"filed_at": ""}, content_type="application/json")
    assert r.status_code == 404 and r.json() == {"detail": "ไม่พบข้อมูลที่ขอ"}


def test_a_received_letter_keeps_its_deadline(users, units):
    r = api(users["soc.clerk"]).post("/api/v1/items/", {
        "unit": units["สลค."].pk, "channel": "scan", "sender_text": "กระทรวงการคลัง", "subject": "ด่วนภายใน",
        "urgency": 3, "deliver_by": "2026-12-05T10:30:00+07:00"}, format="json")
    assert r.status_code == 201, r.json()
    from correspondence.models import IncomingItem

    item = IncomingItem.objects.get(pk=r.json()["id"])
    assert item.deliver_by.isoformat().startswith("2026-12-05T03:30")


def test_the_secret_register_shows_each_lines_level(users, units, second_factor):
    from rest_framework.test import APIClient

    registrar = users["soc.secret"]
    item = receiving.incoming_receive(unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับมาก",
                                      sender_text="กห", secrecy=2)
    receiving.incoming_register(item, by=registrar)
    book = RegisterBook.objects.get(unit=units["สลค."], kind=BookKind.SECRET)
    client = APIClient()
    client.force_login(registrar)
    second_factor(client, registrar)
    rows = list(csv.reader(io.StringIO(client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"})
                                       .content.decode("utf-8-sig"))))
    assert rows[0] == exports.SECRET_COLUMNS and rows[0][6] == "ชั้นความลับ"
    line = next(r for r in rows[1:] if "แผนลับมาก" in r)
    assert line[6] == "ลับมาก"
    pdf = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_an_item_is_corrected_over_the_api_before_it_is_registered(users, units):
    import datetime as dt

    soc, clerk = units["สลค."], users["soc.clerk"]
    mailed = receiving.incoming_receive(unit=soc, by=None, channel=Channel.EMAIL, subject="Fwd: หนังสือ",
                                        sender_text="saraban@mof.go.th")
    url = f"/api/v1/items/{mailed.pk}/correct/"
    fields = {"their_number": "กค 0401/123", "dated": "2026-11-20", "sender_text": "กระทรวงการคลัง",
              "subject": "ขอข้อมูลงบประมาณ", "urgency": 2}
    r = api(clerk).post(url, fields, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["warning"] is None and r.json()["item"]["subject"] == "ขอข้อมูลงบประมาณ"
    mailed.refresh_from_db()
    assert (mailed.their_number, mailed.dated, mailed.sender_text, mailed.urgency) == (
        "กค 0401/123", dt.date(2026, 11, 20), "กระทรวงการคลัง", 2)
    assert mailed.history.first().history_user == clerk

    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = api(clerk).post(url, {**fields, "dated": future, "subject": "อื่น"}, format="json")
    assert r.status_code == 400 and list(r.json()) == ["dated"]
    mailed.refresh_from_db()
    assert mailed.subject == "ขอข้อมูลงบประมาณ"  # nothing changed
    assert api(users["mfa.clerk"]).post(url, fields, format="json").status_code == 404

    # The same letter registered already: the correction says what registering will ask.
    first = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN,
                                      **{**fields, "dated": dt.date(2026, 11, 20)})
    receiving.incoming_register(first, by=clerk)
    r = api(clerk).post(url, fields, format="json")
    assert r.status_code == 200 and "กค 0401/123" in r.json()["warning"]

    receiving.incoming_register(mailed, by=clerk)
    r = api(clerk).post(url, fields, format="json")
    assert r.status_code == 400 and "state" in r.json()


def test_a_correction_over_the_api_changes_only_the_fields_it_sends(users, units, second_factor):
    """A client sending the subject alone must not reset the rest to the receiving defaults: an urgent item
    would lose its urgency, a classified one its secrecy."""
    import datetime as dt

    soc, clerk = units["สลค."], users["soc.clerk"]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอข้อมูล",
                                      sender_text="กระทรวงการคลัง", their_number="กค 0401/123",
                                      dated=dt.date(2026, 11, 20), addressee="เลขาธิการคณะรัฐมนตรี", urgency=3)
    url = f"/api/v1/items/{item.pk}/correct/"
    r = api(clerk).post(url, {"subject": "ขอข้อมูลงบประมาณ"}, format="json")
    assert r.status_code == 200, r.json()
    item.refresh_from_db()
    assert (item.subject, item.urgency, item.their_number, item.dated, item.sender_text, item.addressee) == (
        "ขอข้อมูลงบประมาณ", 3, "กค 0401/123", dt.date(2026, 11, 20), "กระทรวงการคลัง", "เลขาธิการคณะรัฐมนตรี")
    # A field sent empty is cleared; a required one sent empty is refused as on receiving.
    assert api(clerk).post(url, {"addressee": ""}, format="json").status_code == 200
    r = api(clerk).post(url, {"sender_text": " "}, format="json")
    assert r.status_code == 400 and r.json() == {"sender_text": ["กรุณาระบุผู้ส่ง"]}
    item.refresh_from_db()
    assert (item.addressee, item.sender_text, item.urgency) == ("", "กระทรวงการคลัง", 3)

    # How and where it came is not corrected: refused by name, not silently ignored.
    r = api(clerk).post(url, {"subject": "อื่น", "unit": units["ศทส."].pk, "channel": "email"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"unit", "channel"}
    assert "แก้ไขไม่ได้" in r.json()["unit"][0]
    item.refresh_from_db()
    assert (item.subject, item.unit_id, item.channel) == ("ขอข้อมูลงบประมาณ", soc.pk, Channel.SCAN)

    # A classified item corrected by its registrar keeps its secrecy when it is not sent.
    registrar = users["soc.secret"]
    secret = receiving.incoming_receive(unit=soc, by=registrar, channel=Channel.SCAN, subject="แผนลับ",
                                        sender_text="กระทรวงกลาโหม", secrecy=2)
    client = APIClient()
    second_factor(client, registrar)
    client.force_authenticate(registrar)
    r = client.post(f"/api/v1/items/{secret.pk}/correct/", {"subject": "แผนลับ (แก้ไข)"}, format="json")
    assert r.status_code == 200, r.json()
    secret.refresh_from_db()
    assert (secret.subject, secret.secrecy) == ("แผนลับ (แก้ไข)", 2)


def test_a_correction_made_from_stale_details_is_refused_over_the_api(users, units):
    """The item's detail answer carries details_version; a correction sent with it as ``seen`` after someone
    else corrected the item is refused under ``seen`` and changes nothing."""
    soc, clerk = units["สลค."], users["soc.clerk"]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอข้อมูล",
                                      sender_text="กระทรวงการคลัง")
    seen = api(clerk).get(f"/api/v1/items/{item.pk}/").json()["details_version"]
    url = f"/api/v1/items/{item.pk}/correct/"
    first = api(clerk).post(url, {"subject": "ขอข้อมูลงบประมาณ", "seen": seen}, format="json")
    assert first.status_code == 200 and first.json()["item"]["details_version"] != seen
    late = api(clerk).post(url, {"subject": "เรื่องอื่น", "seen": seen}, format="json")
    assert late.status_code == 400 and late.json() == {"seen": [receiving.CORRECTED_MEANWHILE]}
    item.refresh_from_db()
    assert item.subject == "ขอข้อมูลงบประมาณ"
    # Without ``seen`` the correction is made as before (the client takes the risk).
    assert api(clerk).post(url, {"subject": "เรื่องอื่น"}, format="json").status_code == 200
