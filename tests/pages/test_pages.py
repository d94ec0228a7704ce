"""Every page of the officials' portal answers, in Thai, with the actions of the user's role; the
actions on the pages go through the services (register, route, minute, acknowledge, review, issue)."""
import re

import pytest
from django.urls import reverse

from page_data import deliver, make_items
from correspondence.models import ItemState, LetterState, RecipientState
from correspondence.services import documents, letters, receiving

pytestmark = pytest.mark.django_db


def _letter(u, soc, spec, **extra):
    return letters.letter_create(by=u["mfa.drafter"], content=spec, signer=u["mfa.signer"].official,
                                 recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official], **extra)


def test_login_page_and_anonymous_redirect(client):
    page = client.get("/")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    login = client.get("/login/")
    assert "เข้าสู่ระบบ" in login.content.decode() and "csrfmiddlewaretoken" in login.content.decode()


def test_dashboard_puts_most_urgent_first_in_red(users, soc, login):
    make_items(soc, 2, subject="ปกติ")
    make_items(soc, 1, subject="ด่วนมากเรื่อง", urgency=2)
    make_items(soc, 1, subject="ด่วนที่สุดเรื่อง", urgency=3)
    html = login(users["soc.clerk"]).get("/").content.decode()
    rows = re.findall(r'<tr class="(u\d)" data-item="\d+">', html)
    assert rows[0] == "u3" and rows[1] == "u2" and set(rows[2:]) == {"u0"}
    first = html.index('data-item=')
    assert html.index("ด่วนที่สุดเรื่อง") < html.index("ด่วนมากเรื่อง") < html.index("ปกติ")
    assert '<span class="urgency u3">ด่วนที่สุด</span>' in html[first:]
    assert 'id="count-most-urgent">๑<' in html
    # Strict CSP ready: no inline script or style anywhere in the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html and "<style" not in html
    assert "hx-on" not in html


def test_english_switch_keeps_be_dates(users, soc, login, client):
    make_items(soc, 1)
    c = login(users["soc.clerk"])
    c.post("/i18n/setlang/", {"language": "en", "next": "/incoming/"})
    html = c.get("/incoming/").content.decode()
    assert '<html lang="en">' in html and re.search(r"25\d\d \d", html)  # BE year, Arabic digits
    assert ">Incoming<" in html and ">Dashboard<" in html and "ภาษาไทย" in html


def test_letter_lifecycle_through_the_pages(users, soc, mfa_spec, login, client, settings, tmp_path,
                                            django_capture_on_commit_callbacks, second_factor):
    settings.MEDIA_ROOT = tmp_path
    u = users
    c = login(u["mfa.drafter"])
    assert c.get(reverse("portal:letter-new")).status_code == 200
    form = c.get(reverse("portal:letter-draft", args=["external"])).content.decode()
    for label in ("เรื่อง", "คำขึ้นต้น", "คำลงท้าย", "อ้างถึง", "ผู้ลงนาม", "ตัวอย่างหนังสือ"):
        assert label in form
    assert 'hx-trigger="load, input from:#draft-form delay:700ms' in form
    data = {"subject": "ขอเชิญประชุมหารือ", "salutation": "เรียน", "recipient": "เลขาธิการคณะรัฐมนตรี",
            "body": "ย่อหน้าแรก\nย่อหน้าที่สอง", "closing": "ขอแสดงความนับถือ", "urgency": "3", "secrecy": "0",
            "recipients": [soc.pk], "signer": u["mfa.signer"].official.pk,
            "reviewers": [u["mfa.reviewer"].official.pk], "reference_text": "หนังสือกรมทดสอบ ที่ ทส ๐๑/๑"}
    preview = c.post(reverse("portal:letter-preview", args=["external"]), data, HTTP_HX_REQUEST="true")
    key = re.search(r'data-key="([^"]+)"', preview.content.decode()).group(1)
    pdf = c.get(reverse("portal:letter-preview-pdf", args=[key]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    # A mismatched closing is flagged from the salutation table.
    warned = c.post(reverse("portal:letter-preview", args=["external"]),
                    {**data, "salutation": "กราบเรียน"}, HTTP_HX_REQUEST="true").content.decode()
    assert "คำเตือน" in warned
    saved = c.post(reverse("portal:letter-draft", args=["external"]), data)
    assert saved.status_code == 302
    letter = u["mfa.drafter"].drafted_letters.get()
    assert letter.content["references"] == ["หนังสือกรมทดสอบ ที่ ทส ๐๑/๑"] and letter.urgency == 3
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    # A file named .pdf that is not one is refused with the reason, and nothing is attached.
    refused = c.post(reverse("portal:enclosure-add", args=[letter.pk]),
                     {"description": "รายชื่อผู้เข้าประชุม", "quantity": "๑ ชุด",
                      "file": SimpleUploadedFile("list.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")},
                     follow=True)
    assert "PDF" in refused.content.decode() and not letter.enclosures.exists()
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    c.post(reverse("portal:enclosure-add", args=[letter.pk]),
           {"description": "รายชื่อผู้เข้าประชุม", "quantity": "๑ ชุด",
            "file": SimpleUploadedFile("list.pdf", out.getvalue(), content_type="application/pdf")})
    letter.refresh_from_db()
    assert letter.content["enclosures"] == ["รายชื่อผู้เข้าประชุม จำนวน ๑ ชุด"] and letter.enclosures.get().file
    assert c.post(reverse("portal:letter-submit", args=[letter.pk])).status_code == 302
    letter.refresh_from_db()
    assert letter.state == LetterState.IN_REVIEW

    c = login(u["mfa.reviewer"])
    board = c.get("/").content.decode()
    assert "ขอเชิญประชุมหารือ" in board and "ตรวจทาน" in board
    c.post(reverse("portal:letter-review", args=[letter.pk]), {"decision": "approve", "comment": ""})
    letter.refresh_from_db()
    assert letter.state == LetterState.APPROVED

    c = login(u["mfa.clerk"])
    page = c.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    assert 'id="do-issue"' in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("portal:letter-issue", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.state == LetterState.ISSUED and letter.number and letter.pdf
    pdf = c.get(reverse("portal:letter-pdf", args=[letter.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")

    # The signer sees it waiting; signing without a credential answers in Thai, nothing changes.
    c = login(u["mfa.signer"])
    assert "ลงนาม" in c.get("/").content.decode()
    page = c.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    assert 'id="verify-to-sign"' in page and 'id="do-sign"' not in page
    assert c.post(reverse("portal:letter-sign", args=[letter.pk]), {"secret": "1234"}).status_code == 403
    second_factor(c, u["mfa.signer"])
    assert 'id="do-sign"' in c.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    answer = c.post(reverse("portal:letter-sign", args=[letter.pk]), {"secret": "1234"},
                    HTTP_HX_REQUEST="true").content.decode()
    assert "ยังไม่ได้ตั้งค่ากุญแจ" in answer
    documents.letter_pdf_render(letter, by=u["mfa.clerk"])
    letters.letter_sign(letter, by=u["mfa.signer"])  # the state step without a PAdES credential

    c = login(u["mfa.clerk"])
    c.post(reverse("portal:letter-send", args=[letter.pk]))
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    page = c.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    assert 'id="delivered-count">๐ / ๑<' in page
    assert deliver(letter) == ["delivered"]
    page = c.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    assert 'id="delivered-count">๑ / ๑<' in page and "ส่งถึงแล้ว" in page

    # At the Secretariat: register from the queue, route, minute, acknowledge; the sender sees it.
    c = login(u["soc.clerk"])
    queue = c.get(reverse("portal:queue")).content.decode()
    item = letter.incoming_copies.get()
    assert f'data-item="{item.pk}"' in queue and "ลงทะเบียนรับ" in queue
    c.post(reverse("portal:item-register", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == ItemState.REGISTERED and item.receipt_number
    route_form = c.get(reverse("portal:item-route", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    division = soc.children.get(short_name="ภค.") if hasattr(soc, "children") else None
    from agencies.models import Agency
    division = Agency.objects.get(short_name="ภค.")
    assert division.name in route_form and "เพื่อดำเนินการ" in route_form
    c.post(reverse("portal:item-route", args=[item.pk]), {"to_units": [division.pk], "note": "เพื่อดำเนินการ"})
    copy = item.routed_copies.get()
    login(u["soc.div.clerk"]).post(reverse("portal:item-register", args=[copy.pk]))
    c = login(u["soc.exec"])
    page = c.get(reverse("portal:item", args=[copy.pk])).content.decode()
    assert 'id="minute-form"' in page and "เพื่อโปรดพิจารณา" in page
    c.post(reverse("portal:item-minute", args=[copy.pk]),
           {"action": "มอบ ภค. ดำเนินการ", "assignee": u["soc.officer"].official.pk, "due": ""})
    minute = copy.minutes.get()
    c = login(u["soc.officer"])
    assert "มอบ ภค. ดำเนินการ" in c.get("/").content.decode()
    page = c.get(reverse("portal:item", args=[copy.pk])).content.decode()
    assert f'id="do-ack-{minute.pk}"' in page
    c.post(reverse("portal:minute-ack", args=[minute.pk]))
    minute.refresh_from_db()
    assert minute.acknowledged_at
    recipient = letter.recipients.get()
    assert recipient.state == RecipientState.ACKNOWLEDGED
    c = login(u["mfa.drafter"])
    board = c.get("/").content.decode()
    assert f"เลขรับ {item.receipt_number}".replace("1", "๑") in board or "เลขรับ ๑" in board
    timeline = login(u["soc.clerk"]).get(reverse("portal:item", args=[item.pk])).content.decode()
    assert "ส่งต่อถึง" in timeline and "ลงทะเบียนรับ" in timeline and division.name in timeline


def test_returning_a_letter_needs_a_comment_shown_in_thai(users, soc, mfa_spec, login):
    letter = _letter(users, soc, mfa_spec)
    letters.letter_submit(letter, by=users["mfa.drafter"])
    c = login(users["mfa.reviewer"])
    answer = c.post(reverse("portal:letter-review", args=[letter.pk]), {"decision": "return", "comment": ""},
                    follow=True).content.decode()
    assert "กรุณาระบุความเห็นเมื่อส่งคืนแก้ไข" in answer
    letter.refresh_from_db()
    assert letter.state == LetterState.IN_REVIEW


def test_registers_page_by_page_with_exports(users, soc, login):
    items = make_items(soc, 23)
    for item in items:
        receiving.incoming_register(item, by=users["soc.clerk"])
    c = login(users["soc.clerk"])
    books = c.get(reverse("portal:books")).content.decode()
    from correspondence.models import RegisterBook
    book = RegisterBook.objects.get(unit=soc, kind="incoming")
    assert reverse("portal:book", args=[book.pk]) in books
    first = c.get(reverse("portal:book", args=[book.pk])).content.decode()
    second = c.get(reverse("portal:book", args=[book.pk]) + "?page=2").content.decode()
    assert "หน้า ๑ / ๒" in first and "หน้า ๒ / ๒" in second
    assert first.count("<tr class=") == 20 and second.count("<tr class=") == 3
    assert "เลขทะเบียนรับ" in first and "data-print" in first
    for fmt, magic in (("csv", "\ufeffเลขทะเบียนรับ".encode()), ("xlsx", b"PK"), ("pdf", b"%PDF-")):
        response = c.get(reverse("portal:book-export", args=[book.pk, fmt]))
        assert response.status_code == 200 and response.getvalue().startswith(magic), fmt
    assert login(users["mfa.clerk"]).get(reverse("portal:book", args=[book.pk])).status_code == 404


def test_queue_filters(users, soc, login):
    make_items(soc, 3, subject="ปกติ")
    make_items(soc, 2, subject="ด่วนมาก", urgency=2, start=10)
    c = login(users["soc.clerk"])
    html = c.get(reverse("portal:queue"), {"urgency": "2"}).content.decode()
    assert html.count("data-item=") == 2
    html = c.get(reverse("portal:queue"), {"sender": "ไม่มีผู้ส่งนี้"}).content.decode()
    assert html.count("data-item=") == 0
    html = c.get(reverse("portal:queue"), {"state": "registered"}).content.decode()
    assert html.count("data-item=") == 0
    html = c.get(reverse("portal:queue"), {"date_from": "1/1/2500"}).content.decode()
    assert html.count("data-item=") == 5
    html = c.get(reverse("portal:queue"), {"date_from": "๑ มกราคม ๒๖๐๐"}).content.decode()
    assert html.count("data-item=") == 0


def test_search_page_answers(users, login):
    html = login(users["soc.clerk"]).get(reverse("portal:search"), {"q": "ประชุม"}).content.decode()
    assert 'action="/search/"' in html
    assert "ค้นหา" in html


def test_a_search_of_punctuation_alone_asks_for_a_word(users, soc, login):
    make_items(soc, 1, subject="งบประมาณ 100%")
    c = login(users["soc.clerk"])
    for q in ("%", "_", "'", '"', "\\", "%_"):
        html = c.get(reverse("portal:search"), {"q": q}).content.decode()
        assert 'id="search-no-words"' in html and "ไม่พบหนังสือ" not in html, q
    html = c.get(reverse("portal:search"), {"q": "100%"}).content.decode()
    assert 'id="search-no-words"' not in html and "search-count" in html


def test_role_gates_answer_403_not_500(users, soc, login):
    (item,) = make_items(soc, 1)
    c = login(users["soc.officer"])  # sees nothing at the Secretariat's own level
    assert c.get(reverse("portal:item", args=[item.pk])).status_code == 404
    c = login(users["soc.exec"])  # sees it, but is not a clerk
    assert c.post(reverse("portal:item-register", args=[item.pk])).status_code == 403
    assert login(users["soc.clerk"]).get(reverse("portal:letter-new")).status_code == 403


def test_an_incomplete_draft_comes_back_with_thai_errors(users, login):
    c = login(users["mfa.drafter"])
    answer = c.post(reverse("portal:letter-draft", args=["external"]),
                    {"subject": "", "body": "", "urgency": "0", "secrecy": "0"})
    html = answer.content.decode()
    assert answer.status_code == 200 and 'class="errorlist"' in html
    assert re.search(r"ต้องมี|กรุณา", html)
    assert not users["mfa.drafter"].drafted_letters.exists()


def test_a_clerk_rejects_an_item_with_the_reason_before_registering_it(users, soc, login):
    first, second = make_items(soc, 2)
    c = login(users["soc.clerk"])
    page = c.get(reverse("portal:item", args=[first.pk])).content.decode()
    assert 'id="do-reject"' in page and 'for="id_reason"' in page
    # No reason: a Thai message, nothing changes.
    html = c.post(reverse("portal:item-reject", args=[first.pk]), {"reason": "  "}, follow=True).content.decode()
    first.refresh_from_db()
    assert "กรุณาระบุเหตุที่ปฏิเสธการรับ" in html and first.state == ItemState.RECEIVED
    # Not a clerk of the unit: refused.
    assert login(users["soc.exec"]).post(reverse("portal:item-reject", args=[first.pk]),
                                         {"reason": "ส่งผิดหน่วยงาน"}).status_code == 403
    c = login(users["soc.clerk"])
    html = c.post(reverse("portal:item-reject", args=[first.pk]), {"reason": "ส่งผิดหน่วยงาน"}, follow=True).content.decode()
    first.refresh_from_db()
    assert first.state == ItemState.REJECTED and first.rejected_reason == "ส่งผิดหน่วยงาน" and not first.receipt_number
    assert 'id="rejected-reason">ส่งผิดหน่วยงาน<' in html and 'id="do-register"' not in html
    # Over the API as well; a registered item can no longer be rejected.
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(users["soc.clerk"])
    r = api.post(f"/api/v1/items/{second.pk}/reject/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    receiving.incoming_register(second, by=users["soc.clerk"])
    r = api.post(f"/api/v1/items/{second.pk}/reject/", {"reason": "ส่งผิดหน่วยงาน"}, format="json")
    assert r.status_code == 400 and "state" in r.json()
    second.refresh_from_db()
    assert second.state == ItemState.REGISTERED


def test_routing_from_the_queue_stays_on_the_queue(users, soc, login):
    from agencies.models import Agency

    (item,) = make_items(soc, 1)
    receiving.incoming_register(item, by=users["soc.clerk"])
    division = Agency.objects.get(short_name="ภค.")
    c = login(users["soc.clerk"])
    queue_url = reverse("portal:queue") + "?urgency=0"
    route_url = reverse("portal:item-route", args=[item.pk])
    rows = c.get(queue_url).content.decode()
    # A link to the route form (works without htmx too) that knows the list it was opened from.
    assert f'href="{route_url}?next=/incoming/%3Furgency%3D0"' in rows
    form = c.get(route_url, {"next": "/incoming/?urgency=0"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<input type="hidden" name="next" value="/incoming/?urgency=0">' in form
    r = c.post(route_url, {"to_units": [division.pk], "next": "/incoming/?urgency=0"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == "/incoming/?urgency=0"
    item.refresh_from_db()
    assert item.state == ItemState.ROUTED and item.routings.get().to_unit == division
    assert "ส่งต่อแล้วถึง หน่วยงานผู้รับเรื่อง ภค." in c.get(queue_url).content.decode()
    # Another site as next is never followed; the item's own page form still goes back to the item.
    form = c.get(route_url, {"next": "https://example.com/"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="next"' not in form
    assert 'name="next"' not in c.get(reverse("portal:item", args=[item.pk])).content.decode().split(
        'id="route-form')[1].split("</form>")[0]


def test_a_rejected_item_in_the_default_queue_carries_its_thai_badge(users, soc, login):
    (item,) = make_items(soc, 1, urgency=3)
    receiving.incoming_reject(item, by=users["soc.clerk"], reason="ส่งผิดหน่วยงาน")
    html = login(users["soc.clerk"]).get(reverse("portal:queue")).content.decode()
    row = html.split(f'data-item="{item.pk}"')[1].split("</tr>")[0]  # listed: the default filter is unchanged
    assert '<span class="state rejected">ปฏิเสธการรับ</span>' in row
    assert "ลงทะเบียนรับ" not in row and "ส่งต่อ" not in row  # nothing left to do from the list
