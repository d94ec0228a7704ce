"""Receiving details: duplicates, fields read from an uploaded PDF, sending inside the portal."""
import datetime as dt
import io
import json

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter
from rest_framework.test import APIClient

from correspondence.models import Channel, IncomingItem, ItemState
from correspondence.services import receiving
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db


def test_same_sender_number_and_date_twice_warns_and_links(users, units):
    clerk, soc, moi = users["soc.clerk"], units["สลค."], units["สป.มท."]

    def receive(number):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น",
                                          sender_text="กระทรวงมหาดไทย", sender_agency=moi, their_number=number,
                                          dated=dt.date(2020, 5, 12))
        return receiving.incoming_register(item, by=clerk)

    first, warning = receive("มท ๐๒๑๘/ต.ก.๕๕")
    assert warning is None
    # Typed again with Arabic digits and other spacing: the same number.
    second, warning = receive("มท 0218 / ต.ก.55")
    assert second.their_number_key == first.their_number_key == "มท0218/ต.ก.55"
    assert second.duplicate_of == first and second.receipt_number == "2"
    assert "ลงทะเบียนรับไว้แล้ว เลขรับ ๑" in warning
    other, warning = receive("มท ๐๒๑๘/ต.ก.๕๖")
    assert warning is None and other.duplicate_of is None


def test_a_duplicate_is_asked_about_before_a_number_is_taken(users, units):
    from correspondence.models import RegisterBook

    clerk, soc = users["soc.clerk"], units["สลค."]
    fields = dict(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น",
                  sender_text="กระทรวงมหาดไทย", their_number="มท ๐๒๑๘/๗", dated=dt.date(2020, 5, 12))
    first, _ = receiving.incoming_register(receiving.incoming_receive(**fields), by=clerk)
    again = receiving.incoming_receive(**fields)
    with pytest.raises(receiving.DuplicateNotConfirmed) as asked:
        receiving.incoming_register(again, by=clerk, duplicate_confirmed=False)
    assert asked.value.duplicate == first
    assert asked.value.message_dict["duplicate"] == [asked.value.question]
    assert asked.value.question.startswith(
        "มีหนังสือที่ มท ๐๒๑๘/๗ ลงวันที่ ๑๒ พฤษภาคม ๒๕๖๓ จากกระทรวงมหาดไทย รับไว้แล้ว เมื่อ ")
    assert asked.value.question.endswith("เลขรับ ๑ — ยืนยันการลงรับซ้ำหรือไม่")
    again.refresh_from_db()
    assert again.state == ItemState.RECEIVED
    assert RegisterBook.objects.get(unit=soc, kind="incoming").last_number == 1  # no number burnt
    again, warning = receiving.incoming_register(again, by=clerk, duplicate_confirmed=True)
    assert again.receipt_number == "2" and again.duplicate_of == first and warning


def test_a_rejected_item_is_no_duplicate(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    fields = dict(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น",
                  sender_text="กระทรวงมหาดไทย", their_number="มท ๐๒๑๘/๘", dated=dt.date(2020, 5, 12))
    receiving.incoming_reject(receiving.incoming_receive(**fields), by=clerk, reason="ส่งผิดหน่วยงาน")
    item, warning = receiving.incoming_register(receiving.incoming_receive(**fields), by=clerk,
                                                duplicate_confirmed=False)
    assert warning is None and item.duplicate_of is None


def test_the_api_register_answers_the_duplicate_and_the_warning(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    fields = dict(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น",
                  sender_text="กระทรวงมหาดไทย", their_number="มท ๐๒๑๘/๙", dated=dt.date(2020, 5, 12))
    first, _ = receiving.incoming_register(receiving.incoming_receive(**fields), by=clerk)
    again = receiving.incoming_receive(**fields)
    client = APIClient()
    client.force_authenticate(clerk)
    body = client.post(f"/api/v1/items/{again.pk}/register/").json()
    assert body["item"]["duplicate_of"] == first.pk and body["item"]["receipt_number"] == "2"
    assert "ลงทะเบียนรับไว้แล้ว เลขรับ ๑" in body["warning"]


def test_a_classified_duplicate_the_clerk_cannot_see_is_not_revealed(users, units):
    soc, moi = units["สลค."], units["สป.มท."]
    fields = dict(unit=soc, channel=Channel.SCAN, subject="ขอความเห็น", sender_text="กระทรวงมหาดไทย",
                  sender_agency=moi, their_number="มท ๐๒๑๘/๗", dated=dt.date(2020, 5, 12))
    secret = receiving.incoming_receive(by=users["soc.secret"], secrecy=1, **fields)
    receiving.incoming_register(secret, by=users["soc.secret"])
    plain, warning = receiving.incoming_register(receiving.incoming_receive(by=users["soc.clerk"], **fields),
                                                 by=users["soc.clerk"])
    assert warning is None and plain.duplicate_of is None


def _pdf_with_spec(spec) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("letter.json", json.dumps(spec, ensure_ascii=False).encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_prefill_reads_the_embedded_letter_json(users, mfa_spec):
    spec = {**mfa_spec, "number": "กต ๐๒๐๓/๖๓๘๑", "date": "2020-09-17"}
    client = APIClient()
    client.force_authenticate(users["soc.clerk"])
    r = client.post("/api/v1/items/prefill/", {"pdf": ContentFile(_pdf_with_spec(spec), name="in.pdf")},
                    format="multipart")
    assert r.status_code == 200
    body = r.json()
    assert (body["their_number"], body["dated"], body["sender_text"], body["urgency"], body["source"]) == (
        "กต ๐๒๐๓/๖๓๘๑", "2020-09-17", "กระทรวงการต่างประเทศ", 3, "letter.json")
    assert body["subject"] == mfa_spec["subject"]


def test_routing_only_goes_down_the_tree(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ก", sender_text="ข")
    item, _ = receiving.incoming_register(item, by=clerk)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        receiving.item_route(item, by=clerk, to_units=[units["ศทส."]])
    item.refresh_from_db()
    assert item.state == ItemState.REGISTERED and not item.routings.exists()


def test_a_unit_gets_one_copy_and_is_no_longer_offered(users, units):
    from django.core.exceptions import ValidationError

    from correspondence import selectors_portal

    clerk, soc, division = users["soc.clerk"], units["สลค."], units["ภค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ส่งต่อครั้งเดียว",
                                      sender_text="กระทรวงการคลัง")
    item, _ = receiving.incoming_register(item, by=clerk)
    assert division in selectors_portal.units_to_route(item)
    (routing,) = receiving.item_route(item, by=clerk, to_units=[division])
    assert division not in selectors_portal.units_to_route(item)
    with pytest.raises(ValidationError) as refused:
        receiving.item_route(item, by=clerk, to_units=[division])
    assert "ส่งต่อถึง หน่วยงานผู้รับเรื่อง ภค. แล้ว" in refused.value.messages[0]
    assert item.routings.count() == 1 and IncomingItem.objects.filter(parent=item).count() == 1


def test_a_classified_item_goes_only_to_a_unit_with_a_cleared_registrar(users, units):
    from django.core.exceptions import ValidationError

    from agencies.models import Role, RoleAssignment
    from correspondence import selectors_portal

    registrar, soc, division = users["soc.secret"], units["สลค."], units["ภค."]
    item = receiving.incoming_receive(unit=soc, by=registrar, channel=Channel.SCAN, subject="แผนลับ",
                                      sender_text="กระทรวงกลาโหม", secrecy=2)
    item, _ = receiving.incoming_register(item, by=registrar)
    assert division not in selectors_portal.units_to_route(item)
    with pytest.raises(ValidationError) as refused:
        receiving.item_route(item, by=registrar, to_units=[division])
    assert "ไม่มีนายทะเบียนเอกสารลับที่ได้รับอนุญาตชั้นความลับลับมาก" in refused.value.messages[0]
    assert not item.routings.exists()
    # A registrar cleared only to ลับ is not enough; one cleared to ลับมาก is.
    official = users["soc.div.clerk"].official
    RoleAssignment.objects.create(official=official, role=Role.SECRET_REGISTRAR, unit=division)
    official.clearance = 1
    official.save(update_fields=["clearance"])
    assert division not in selectors_portal.units_to_route(item)
    official.clearance = 2
    official.save(update_fields=["clearance"])
    assert division in selectors_portal.units_to_route(item)
    (routing,) = receiving.item_route(item, by=registrar, to_units=[division])
    from correspondence import permissions

    assert permissions.visible_items(users["soc.div.clerk"]).filter(pk=routing.copy_id).exists()


def test_the_assignee_list_holds_only_who_the_minute_may_name(users, units):
    from correspondence import selectors_portal

    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="มอบหมาย",
                                      sender_text="กระทรวงการคลัง")
    item, _ = receiving.incoming_register(item, by=clerk)
    offered = selectors_portal.assignable_officials(item)
    officer = users["soc.officer"].official  # in ภค., below: does not see the Secretariat's item
    assert officer not in offered and users["soc.exec"].official in offered
    for official in offered:
        receiving.minute_write(item, by=users["soc.exec"], action="มอบ ดำเนินการ", assignee=official)


def test_a_rejected_item_says_so(users, units, client):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ส่งผิดหน่วยงาน",
                                      sender_text="กรมตัวอย่าง")
    client.force_login(clerk)
    r = client.post(reverse("portal:item-reject", args=[item.pk]), {"reason": "ไม่ใช่หนังสือถึงหน่วยงานนี้"},
                    follow=True)
    assert "กรุณาแจ้งผู้ส่งตามช่องทางที่ได้รับหนังสือ" in r.content.decode()  # a paper sender sees nothing
    with pytest.raises(ValidationError) as refused:
        receiving.incoming_register(item, by=clerk)
    assert refused.value.message_dict["state"] == ["หนังสือนี้ปฏิเสธการรับไปแล้ว จึงลงทะเบียนรับไม่ได้"]
    assert "ส่งผิดหน่วยงาน" in client.get(reverse("portal:queue"), {"state": "rejected"}).content.decode()
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert clerk.official.display_name in page and ">soc.clerk<" not in page  # history by name


def test_a_number_typed_with_its_printed_ที่_is_the_same_number(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    day = dt.date(2026, 11, 2)
    first = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ก", sender_text="กต",
                                       their_number="กต 0203/6381", dated=day)
    first, _ = receiving.incoming_register(first, by=clerk)
    again = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ก", sender_text="กต",
                                       their_number="ที่ กต ๐๒๐๓/๖๓๘๑", dated=day)
    again, warning = receiving.incoming_register(again, by=clerk)
    assert again.duplicate_of_id == first.pk
    assert warning.endswith(f"เลขรับ {receiving.thai.to_thai_digits(first.receipt_number)}")


def test_the_register_line_records_what_was_done(users, units):
    from correspondence.models import RegisterEntry

    clerk, soc, division = users["soc.clerk"], units["สลค."], units["ภค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="บันทึกการปฏิบัติ",
                                      sender_text="กระทรวงการคลัง")
    item, _ = receiving.incoming_register(item, by=clerk)
    receiving.minute_write(item, by=users["soc.exec"], action="เพื่อโปรดพิจารณา")
    receiving.item_route(item, by=clerk, to_units=[division], note="ด่วน")
    receiving.item_close(item, by=clerk, filed_at="แฟ้มงบประมาณ ๒๕๖๙")
    line = RegisterEntry.objects.get(item=item)
    assert line.action_taken.startswith("เกษียน: เพื่อโปรดพิจารณา; ส่ง ภค. (")
    assert line.action_taken.endswith(") ด่วน") and line.remarks == "เก็บที่ แฟ้มงบประมาณ ๒๕๖๙"


def test_the_division_sees_the_receipt_number_of_the_unit_above_without_a_link(users, units, client):
    from django.urls import reverse

    clerk, soc, division = users["soc.clerk"], units["สลค."], units["ภค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ลำดับการรับ",
                                      sender_text="กระทรวงการคลัง")
    item, _ = receiving.incoming_register(item, by=clerk)
    (routing,) = receiving.item_route(item, by=clerk, to_units=[division])
    client.force_login(users["soc.div.clerk"])
    page = client.get(reverse("portal:item", args=[routing.copy_id])).content.decode()
    chain = page[page.index('id="receipt-chain"'):page.index("</ol>", page.index('id="receipt-chain"'))]
    assert soc.name in chain and f"เลขรับ {receiving.thai.to_thai_digits(item.receipt_number)}" in chain
    assert reverse("portal:item", args=[item.pk]) not in page


# The two reference letters as received (text with their receipt stamps), kept with the tests.
SEEDS = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("seed,number,dated,sender,subject_start,subject_end", [
    ("mfa-to-cabinet-2563-gcio", "กต ๐๒๐๓/๖๓๘๑", "2020-09-17", "กระทรวงการต่างประเทศ",
     "การดำเนินงานตามมติคณะรัฐมนตรี", "(Government Chief Information Officer Management Guideline)"),
    ("moi-to-cabinet-2563-e-correspondence", "มท ๐๒๑๘/ต.ก.๕๕", "2020-05-12", "กระทรวงมหาดไทย",
     "ข้อเสนอในการปรับปรุงการออกเอกสาร", "ระหว่างส่วนราชการที่เป็นนิติบุคคล"),
])
def test_the_fields_of_the_reference_letters_are_read_past_their_receipt_stamps(seed, number, dated, sender,
                                                                                subject_start, subject_end):
    found = receiving.text_prefill((SEEDS / f"{seed}.txt").read_text(encoding="utf-8"))
    assert found["their_number"] == number and found["dated"] == dated and found["sender_text"] == sender
    assert found["subject"].startswith(subject_start) and subject_end in found["subject"]  # all its lines


def test_the_issuer_on_the_number_line_of_a_laid_out_page_is_the_sender():
    text = "ที่ มท ๐๒๑๘/ต.ก.๕๕                         กระทรวงมหาดไทย\n             ถนนอัษฎางค์ กรุงเทพฯ ๑๐๒๐๐\n"
    assert receiving.text_prefill(text)["sender_text"] == "กระทรวงมหาดไทย"


@pytest.mark.parametrize("number", ["-", " - ", "—"])
def test_a_letter_without_a_number_is_received_alike_by_the_page_and_the_api(users, units, client, number):
    """``-`` is the register's ที่ of a letter without a number: the page and the API take it the same way."""
    from django.urls import reverse

    soc = units["สลค."]
    fields = {"unit": soc.pk, "channel": "scan", "their_number": number, "sender_text": "ชมรมข้าราชการบำนาญ",
              "urgency": "0", "secrecy": "0"}
    api = APIClient()
    api.force_authenticate(users["soc.clerk"])
    r = api.post("/api/v1/items/", {**fields, "subject": "ผ่าน API"}, format="multipart")
    assert r.status_code == 201, r.json()
    client.force_login(users["soc.clerk"])
    r = client.post(reverse("portal:item-receive"), {**fields, "subject": "ผ่านหน้าเว็บ", "register_now": "on"})
    assert r.status_code == 302
    by_api, by_page = (IncomingItem.objects.get(subject=s) for s in ("ผ่าน API", "ผ่านหน้าเว็บ"))
    assert by_api.their_number == by_page.their_number == "" and by_api.their_number_key == ""
    assert by_page.register_entries.get().their_number == "-"


def test_the_api_names_a_duplicate_only_to_those_who_may_see_it(users, units):
    """A duplicate the reader may not see (a classified item of the secret register) is answered as null, in
    the list and the detail: its id would tell that a classified item exists."""
    from correspondence.models import IncomingItem

    clerk, registrar, soc = users["soc.clerk"], users["soc.secret"], units["สลค."]
    secret, _ = receiving.incoming_register(receiving.incoming_receive(
        unit=soc, by=registrar, channel=Channel.SCAN, subject="แผนลับ", sender_text="กห", secrecy=1), by=registrar)
    plain, _ = receiving.incoming_register(receiving.incoming_receive(
        unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น", sender_text="กห"), by=clerk)
    other, _ = receiving.incoming_register(receiving.incoming_receive(
        unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น", sender_text="กห"), by=clerk)
    IncomingItem.objects.filter(pk=plain.pk).update(duplicate_of=secret)
    IncomingItem.objects.filter(pk=other.pk).update(duplicate_of=plain)
    client = APIClient()
    client.force_authenticate(clerk)
    assert client.get(f"/api/v1/items/{plain.pk}/").json()["duplicate_of"] is None
    listed = {row["id"]: row["duplicate_of"] for row in client.get("/api/v1/items/").json()["results"]}
    assert listed[plain.pk] is None and listed[other.pk] == plain.pk
    client.force_authenticate(registrar)
    assert client.get(f"/api/v1/items/{plain.pk}/").json()["duplicate_of"] == secret.pk


def test_an_item_refused_by_the_database_leaves_no_file(users, units, settings):
    """The same message id in the same unit (two deliveries at once): the second row is refused, and the
    file written for it goes with it."""
    from pathlib import Path

    from django.db import IntegrityError

    clerk, soc = users["soc.clerk"], units["สลค."]
    fields = dict(unit=soc, by=clerk, channel=Channel.EMAIL, subject="ขอความเห็น", sender_text="กระทรวงมหาดไทย",
                  message_id="email:<same@moi.go.th>")
    first = receiving.incoming_receive(**fields, pdf=ContentFile(blank_pdf(), name="a.pdf"))
    with pytest.raises(IntegrityError):
        receiving.incoming_receive(**fields, pdf=ContentFile(blank_pdf(), name="b.pdf"))
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert [p.name for p in files] == [Path(first.pdf.name).name]


