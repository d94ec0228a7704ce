"""Acceptance 6: bad input gets a clear (Thai) error, field by field, and changes nothing."""
import datetime as dt
import tempfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from correspondence.api.views import ItemViewSet
from correspondence.models import Channel, IncomingItem, Letter, LetterReference, RegisterEntry
from correspondence.services import receiving
from eoffice import thai

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def counts():
    return (Letter.objects.count(), LetterReference.objects.count(), IncomingItem.objects.count(),
            RegisterEntry.objects.count())


def test_unknown_kind(users, mfa_spec):
    before = counts()
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": {**mfa_spec, "kind": "letter"}}, format="json")
    assert r.status_code == 400
    assert r.json()["content"]["kind"][0].startswith("ไม่รู้จักชนิดหนังสือ 'letter' ต้องเป็นหนึ่งใน external | memo")
    assert counts() == before


@pytest.mark.parametrize("kind", ["missing", None, ""])
def test_a_missing_kind_asks_for_one(users, mfa_spec, kind):
    content = {k: v for k, v in mfa_spec.items() if k != "kind"}
    if kind != "missing":
        content["kind"] = kind
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": content}, format="json")
    assert r.status_code == 400
    (message,) = r.json()["content"]["kind"]
    assert message.startswith("กรุณาเลือกชนิดหนังสือ (kind) เป็นหนึ่งใน external | memo") and "None" not in message
    assert counts() == (0, 0, 0, 0)


def test_missing_subject(users, mfa_spec):
    spec = {k: v for k, v in mfa_spec.items() if k != "subject"}
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": spec}, format="json")
    assert r.status_code == 400
    assert r.json() == {"content": {"subject": ["หนังสือภายนอก ต้องมีเรื่อง"]}}
    assert counts() == (0, 0, 0, 0)


def test_spec_problems_are_keyed_by_their_path_in_the_content(users, mfa_spec):
    """A problem deep in the spec says where it is (signer.position, body[1]); a field of the request itself
    (the signer's id) stays a top-level key, so the two ``signer`` cannot be confused."""
    spec = {**mfa_spec, "signer": {"name": "นายดอน ปรมัตถ์วินัย"}, "body": ["ย่อหน้าแรก", 5]}
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": spec}, format="json")
    assert r.status_code == 400
    problems = r.json()["content"]
    assert sorted(problems) == ["body[1]", "signer.position"] and problems["signer.position"] == ["ต้องมีตำแหน่ง"]
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": mfa_spec,
                                                            "signer": users["mfa.drafter"].official.pk}, format="json")
    assert r.status_code == 400 and list(r.json()) == ["signer"]
    assert counts() == (0, 0, 0, 0)


def test_reference_to_a_letter_the_user_cannot_see(users, units, mfa_spec):
    soc_clerk = users["soc.clerk"]
    item = receiving.incoming_receive(unit=units["สลค."], by=soc_clerk, channel=Channel.SCAN, subject="ลับเฉพาะ สลค.",
                                      sender_text="กระทรวงมหาดไทย")
    entry = receiving.incoming_register(item, by=soc_clerk)[0].register_entries.get()
    before = counts()
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": mfa_spec, "references": [{"entry": entry.pk}]},
                                       format="json")
    assert r.status_code == 400
    assert r.json()["references"] == ["ไม่พบหนังสือที่อ้างถึงในทะเบียน (รายการที่ 1)"]
    assert counts() == before


def _scan(client, unit, **fields):
    data = {"unit": unit.pk, "channel": Channel.SCAN, "sender_text": "กระทรวงกลาโหม", "subject": "ขอเชิญประชุม",
            **fields}
    return client.post("/api/v1/items/", data, format="multipart")


def test_non_pdf_upload(users, units):
    r = _scan(api(users["soc.clerk"]), units["สลค."], pdf=ContentFile(b"GIF89a not a pdf", name="letter.pdf"))
    assert r.status_code == 400
    assert r.json()["pdf"] == ["ไฟล์ต้องเป็น PDF เท่านั้น"]
    assert counts() == (0, 0, 0, 0)


def test_received_letter_dated_in_the_future(users, units):
    tomorrow = thai.bangkok_date(dt.datetime.now(dt.timezone.utc)) + dt.timedelta(days=1)
    r = _scan(api(users["soc.clerk"]), units["สลค."], dated=tomorrow.isoformat(), pdf=ContentFile(PDF, name="a.pdf"))
    assert r.status_code == 400
    assert r.json()["dated"] == ["วันที่ของหนังสือต้องไม่เป็นวันในอนาคต"]
    assert counts() == (0, 0, 0, 0)


def test_received_letter_dated_before_the_regulation(users, units):
    r = _scan(api(users["soc.clerk"]), units["สลค."], dated="1900-01-01", pdf=ContentFile(PDF, name="a.pdf"))
    assert r.status_code == 400
    (message,) = r.json()["dated"]
    assert message.startswith("วันที่ ๑ มกราคม ๒๔๔๓ เก่าเกินกว่าจะเป็นวันที่ของหนังสือ ต้องไม่ก่อน ๑ มิถุนายน ๒๕๒๖")
    assert counts() == (0, 0, 0, 0)


def test_an_upload_over_the_limit_is_refused_by_its_size_without_reading_it(users, units, settings):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
    # A sparse file: 200 MB + 1 byte on paper, no memory and next to no disk.
    with tempfile.TemporaryFile() as f:
        f.write(b"%PDF-1.4\n")
        f.seek(settings.EOFFICE_MAX_UPLOAD_BYTES)
        f.write(b"\n")
        f.seek(0)
        with pytest.raises(ValidationError) as exc:
            receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                       subject="ก", sender_text="ข", pdf=File(f, name="big.pdf"))
    assert exc.value.message_dict["pdf"] == ["ไฟล์ใหญ่เกินกำหนด (ไม่เกิน ๒๐๐ เมกะไบต์)"]

    # Through the API: the declared length is refused before the body is parsed (never read here).
    request = APIRequestFactory().post("/api/v1/items/", data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(settings.EOFFICE_MAX_UPLOAD_BYTES + 1024 * 1024)
    force_authenticate(request, users["soc.clerk"])
    response = ItemViewSet.as_view({"post": "create"})(request)
    assert response.status_code == 400
    assert response.data["pdf"] == ["ไฟล์ใหญ่เกินกำหนด (ไม่เกิน ๒๐๐ เมกะไบต์)"]
    assert counts() == (0, 0, 0, 0)


def test_bad_letter_number_and_unknown_minute_action(users, units):
    client = api(users["soc.clerk"])
    r = _scan(client, units["สลค."], their_number="ไม่มีเลข")
    assert r.status_code == 400 and "their_number" in r.json()
    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN, subject="ก",
                                      sender_text="ข")
    receiving.incoming_register(item, by=users["soc.clerk"])
    r = api(users["soc.exec"]).post(f"/api/v1/items/{item.pk}/minutes/", {"action": "ทำไปก่อน"}, format="json")
    assert r.status_code == 400 and r.json()["action"][0].startswith("การสั่งการต้องขึ้นต้นด้วย")
    assert not item.minutes.exists()
