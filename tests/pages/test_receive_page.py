"""รับหนังสือ in the browser pages: a clerk uploads a scan, the fields are read from it, and the letter
is received and registered; bad input loses nothing and says why in Thai."""
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from correspondence.models import IncomingItem, ItemState, RegisterEntry

pytestmark = pytest.mark.django_db


def _pdf(spec: dict | None = None) -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    if spec is not None:
        writer.add_attachment("letter.json", json.dumps(spec, ensure_ascii=False).encode())
    writer.write(out)
    return out.getvalue()


def test_the_queue_offers_receiving_and_the_scan_fills_the_fields(users, client, mfa_spec):
    client.force_login(users["soc.clerk"])
    assert 'id="receive-new"' in client.get(reverse("portal:queue")).content.decode()
    page = client.get(reverse("portal:item-receive")).content.decode()
    assert 'hx-post="/incoming/new/prefill/"' in page
    spec = {**mfa_spec, "number": "กต ๐๒๐๓/๖๓๘๑", "date": "2026-11-20"}
    r = client.post(reverse("portal:item-receive-prefill"),
                    {"pdf": SimpleUploadedFile("scan.pdf", _pdf(spec), content_type="application/pdf")},
                    HTTP_HX_REQUEST="true")
    fields = r.content.decode()
    assert "กต ๐๒๐๓/๖๓๘๑" in fields and spec["subject"] in fields and "๒๐ พ.ย." in fields
    assert "กรุณาตรวจสอบก่อนบันทึก" in fields


def test_receiving_and_registering_a_scan(users, units, client):
    client.force_login(users["soc.clerk"])
    data = {"unit": units["สลค."].pk, "channel": "scan", "their_number": "ที่ กค ๐๔๐๑/๑๒๓",
            "dated": "20/11/2569", "sender_text": "กระทรวงการคลัง", "subject": "ขอข้อมูลงบประมาณ",
            "urgency": "2", "secrecy": "0", "deliver_by": "5/12/2569", "deliver_time": "10.30",
            "register_now": "on", "pdf": SimpleUploadedFile("scan.pdf", _pdf(), content_type="application/pdf")}
    r = client.post(reverse("portal:item-receive"), data, follow=True)
    item = IncomingItem.objects.get(subject="ขอข้อมูลงบประมาณ")
    assert item.state == ItemState.REGISTERED and item.receipt_number and item.pdf
    assert item.deliver_by.hour == 3 and item.deliver_by.minute == 30  # 10.30 Bangkok time
    assert "รับและลงทะเบียนแล้ว เลขรับ" in r.content.decode()


@pytest.mark.parametrize("change,message", [
    ({"pdf": SimpleUploadedFile("x.pdf", b"not a pdf at all", content_type="application/pdf")}, "PDF"),
    ({"subject": ""}, "กรุณาระบุเรื่อง"),
    ({"dated": "1/1/2600"}, "อนาคต"),
    ({"dated": "1/1/1900"}, "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
])
def test_bad_input_is_refused_in_thai_and_keeps_everything(users, units, client, change, message):
    client.force_login(users["soc.clerk"])
    entries = RegisterEntry.objects.count()
    data = {"unit": units["สลค."].pk, "channel": "scan", "sender_text": "กระทรวงการคลัง", "subject": "เรื่องทดสอบ",
            "urgency": "0", "secrecy": "0", "register_now": "on", **change}
    r = client.post(reverse("portal:item-receive"), data)
    page = r.content.decode()
    assert r.status_code == 200 and message in page and "กระทรวงการคลัง" in page
    assert not IncomingItem.objects.exists() and RegisterEntry.objects.count() == entries


def test_only_clerks_receive(users, client):
    client.force_login(users["soc.officer"])
    assert client.get(reverse("portal:item-receive")).status_code == 403
