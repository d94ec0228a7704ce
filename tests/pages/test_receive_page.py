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


def _registered(users, unit, **fields):
    import datetime as dt

    from correspondence.services import receiving

    values = {"channel": "scan", "subject": "ขอข้อมูลงบประมาณ", "sender_text": "กระทรวงการคลัง",
              "their_number": "กค ๐๔๐๑/๑๒๓", "dated": dt.date(2026, 11, 20), **fields}
    item = receiving.incoming_receive(unit=unit, by=users["soc.clerk"], **values)
    return receiving.incoming_register(item, by=users["soc.clerk"])[0]


def _again(units, **change):
    """The receive form filled in with the same letter again (Arabic digits this time)."""
    return {"unit": units["สลค."].pk, "channel": "scan", "their_number": "กค 0401/123", "dated": "20/11/2569",
            "sender_text": "กระทรวงการคลัง", "subject": "ขอข้อมูลงบประมาณ (ฉบับสแกน)", "urgency": "0",
            "secrecy": "0", "register_now": "on", **change}


def test_the_receive_page_warns_of_a_duplicate_while_it_is_filled_in(users, units, client):
    first = _registered(users, units["สลค."])
    client.force_login(users["soc.clerk"])
    page = client.get(reverse("portal:item-receive")).content.decode()
    assert 'hx-post="/incoming/new/check/"' in page and 'id="duplicate-check"' in page
    entries = RegisterEntry.objects.count()
    check = reverse("portal:item-receive-check")
    warning = client.post(check, _again(units), HTTP_HX_REQUEST="true").content.decode()
    assert "มีหนังสือที่ กค ๐๔๐๑/๑๒๓ ลงวันที่ ๒๐ พฤศจิกายน ๒๕๖๙ จากกระทรวงการคลัง รับไว้แล้ว เมื่อ" in warning
    assert "เลขรับ ๑ — ยืนยันการลงรับซ้ำหรือไม่" in warning
    assert f'href="/incoming/{first.pk}/"' in warning and 'name="confirm_duplicate"' in warning
    other = client.post(check, _again(units, their_number="กค 0401/124"), HTTP_HX_REQUEST="true")
    assert "ยืนยันการลงรับซ้ำ" not in other.content.decode()
    # a check writes nothing
    assert (RegisterEntry.objects.count(), IncomingItem.objects.count()) == (entries, 1)


def test_a_duplicate_is_not_registered_until_the_clerk_confirms(users, units, client):
    first = _registered(users, units["สลค."])
    client.force_login(users["soc.clerk"])
    entries = RegisterEntry.objects.count()
    data = _again(units, pdf=SimpleUploadedFile("scan.pdf", _pdf(), content_type="application/pdf"))
    r = client.post(reverse("portal:item-receive"), data, follow=True)
    item = IncomingItem.objects.exclude(pk=first.pk).get()
    # Received with its file, no number taken: the item's page asks, with the other letter linked.
    assert item.state == ItemState.RECEIVED and item.pdf and not item.receipt_number
    assert RegisterEntry.objects.count() == entries
    page = r.content.decode()
    assert "รับหนังสือแล้ว ยังไม่ได้ลงทะเบียนรับ: มีหนังสือที่" in page
    assert 'id="duplicate-warning"' in page and f'href="/incoming/{first.pk}/"' in page
    assert 'name="confirm_duplicate" value="1"' in page
    # The queue's one-click register asks the same question instead of registering.
    r = client.post(reverse("portal:item-register", args=[item.pk]), {"next": reverse("portal:queue")})
    assert r.url == reverse("portal:item", args=[item.pk]) and RegisterEntry.objects.count() == entries
    client.post(reverse("portal:item-register", args=[item.pk]), {"confirm_duplicate": "1"})
    item.refresh_from_db()
    assert (item.state, item.receipt_number, item.duplicate_of_id) == (ItemState.REGISTERED, "2", first.pk)
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert 'id="duplicate-of"' in page and f'<a href="/incoming/{first.pk}/">เลขรับ ๑</a>' in page


def test_a_duplicate_confirmed_on_the_receive_page_is_registered_at_once(users, units, client):
    first = _registered(users, units["สลค."])
    client.force_login(users["soc.clerk"])
    client.post(reverse("portal:item-receive"), _again(units, confirm_duplicate="1"))
    item = IncomingItem.objects.exclude(pk=first.pk).get()
    assert item.state == ItemState.REGISTERED and item.duplicate_of_id == first.pk


def test_the_item_page_never_links_a_duplicate_the_viewer_may_not_see(users, units, client):
    soc = units["สลค."]
    secret = _registered_secret(users, soc)
    plain = _registered(users, soc, their_number="กค ๐๔๐๑/๙๙")
    plain.duplicate_of = secret  # linked by a clerk who could see both
    plain.save(update_fields=["duplicate_of"])
    client.force_login(users["soc.clerk"])
    page = client.get(reverse("portal:item", args=[plain.pk])).content.decode()
    assert 'id="duplicate-of"' not in page and f"/incoming/{secret.pk}/" not in page
    assert "แผนลับ" not in page


def _registered_secret(users, unit):
    from correspondence.services import receiving

    item = receiving.incoming_receive(unit=unit, by=users["soc.secret"], channel="scan", subject="แผนลับ",
                                      sender_text="กระทรวงกลาโหม", secrecy=1)
    return receiving.incoming_register(item, by=users["soc.secret"])[0]


def test_a_classified_duplicate_is_named_only_in_a_session_with_the_second_factor(users, units, client, second_factor):
    """The secret-document registrar may see a ลับ letter, but not before the session has its second factor:
    the duplicate check must not read out its number, sender and receipt number meanwhile."""
    import datetime as dt

    from correspondence.models import Channel
    from correspondence.services import receiving

    registrar = users["soc.secret"]
    secret = receiving.incoming_receive(unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ",
                                        sender_text="กระทรวงการคลัง", their_number="กค ๐๔๐๑/๑๒๓",
                                        dated=dt.date(2026, 11, 20), secrecy=1)
    receiving.incoming_register(secret, by=registrar)
    client.force_login(registrar)
    check = reverse("portal:item-receive-check")
    unverified = client.post(check, _again(units), HTTP_HX_REQUEST="true").content.decode()
    assert "ยืนยันการลงรับซ้ำ" not in unverified and f"/incoming/{secret.pk}/" not in unverified
    second_factor(client, registrar)
    verified = client.post(check, _again(units), HTTP_HX_REQUEST="true").content.decode()
    assert "ยืนยันการลงรับซ้ำ" in verified and f"/incoming/{secret.pk}/" in verified
