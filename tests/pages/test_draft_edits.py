"""Saving a draft loses nothing: not another tab's save, not what the page has no field for (outside
addressees, สำเนาส่ง), not the สิ่งที่ส่งมาด้วย line when the API changes the content."""
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from correspondence.models import Letter
from correspondence.services import documents, letters

pytestmark = pytest.mark.django_db


def _letter_fields(soc, u, **changes) -> dict:
    """An external letter as the drafting page posts it."""
    return {"subject": "ขอเชิญประชุม", "salutation": "เรียน", "recipient": "เลขาธิการคณะรัฐมนตรี",
            "body": "ย่อหน้าแรก", "closing": "ขอแสดงความนับถือ", "urgency": "0", "secrecy": "0",
            "recipients": [soc.pk], "signer": u["mfa.signer"].official.pk,
            "reviewers": [u["mfa.reviewer"].official.pk], **changes}


def _form_data(page: str, soc, u) -> dict:
    """The edit page's form as posted back: the fields and the version the page was opened at."""
    return _letter_fields(soc, u, version=re.search(r'name="version" value="([^"]*)"', page).group(1))


def _new_form_data(page: str, soc, u, **changes) -> dict:
    """The new-draft page's form with its one-time key."""
    return _letter_fields(soc, u, once=re.search(r'name="once" value="([^"]+)"', page).group(1), **changes)


def test_a_save_from_an_older_tab_does_not_undo_a_newer_one(users, units, mfa_spec, client):
    u, soc = users, units["สลค."]
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   recipients=[{"agency": soc.pk}])
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-edit", args=[letter.pk])
    tab1 = _form_data(client.get(url).content.decode(), soc, u)
    tab2 = dict(tab1)
    assert client.post(url, {**tab1, "body": "วันที่ ๑๖"}).status_code == 302
    stale = client.post(url, {**tab2, "subject": "เรื่องใหม่"})
    page = stale.content.decode()
    assert stale.status_code == 200 and "ถูกบันทึกจากหน้าอื่น" in page and "เรื่องใหม่" in page
    letter.refresh_from_db()
    assert letter.content["body"] == ["วันที่ ๑๖"] and letter.subject != "เรื่องใหม่"
    # Saving again from the re-shown form (it carries the new version) is a deliberate override.
    again = _form_data(page, soc, u)
    assert client.post(url, {**again, "subject": "เรื่องใหม่", "body": "วันที่ ๑๖"}).status_code == 302
    assert Letter.objects.get(pk=letter.pk).subject == "เรื่องใหม่"


def test_the_page_edits_outside_addressees_and_copies_and_keeps_them(users, units, mfa_spec, client):
    u, soc, moi = users, units["สลค."], units["มท"] if "มท" in units else None
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   recipients=[{"agency": soc.pk},
                                               {"name": "นายสมปอง ใจดี", "address": "กรุงเทพฯ", "email": "a@example.go.th"},
                                               {"name": "ผู้อำนวยการกองกลาง", "is_copy": True}])
    assert letter.content["copies_to"] == ["ผู้อำนวยการกองกลาง"]
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-edit", args=[letter.pk])
    page = client.get(url).content.decode()
    # The page shows them in its fields (as a browser posts them back unchanged).
    outside = re.search(r'<textarea name="outside"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1).strip()
    copies = re.search(r'<textarea name="copies_text"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1).strip()
    assert outside == "นายสมปอง ใจดี | กรุงเทพฯ | a@example.go.th" and copies == "ผู้อำนวยการกองกลาง"
    data = {**_form_data(page, soc, u), "outside": outside, "copies_text": copies}
    assert client.post(url, data).status_code == 302
    letter.refresh_from_db()
    rows = {(r.agency_id, r.name, r.is_copy) for r in letter.recipients.all()}
    assert rows == {(soc.pk, "", False), (None, "นายสมปอง ใจดี", False), (None, "ผู้อำนวยการกองกลาง", True)}
    assert letter.content["copies_to"] == ["ผู้อำนวยการกองกลาง"]


def test_changing_the_content_through_the_api_keeps_the_enclosure_line(users, mfa_spec):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   enclosures=[{"description": "รายชื่อผู้เข้าประชุม", "quantity": "๑ ชุด"}])
    assert letter.content["enclosures"] == ["รายชื่อผู้เข้าประชุม จำนวน ๑ ชุด"]
    client = APIClient()
    client.force_authenticate(u["mfa.drafter"])
    changed = {**mfa_spec, "subject": "เรื่องที่แก้"}
    changed.pop("enclosures", None)
    r = client.patch(f"/api/v1/letters/{letter.pk}/", {"content": changed}, format="json")
    assert r.status_code == 200, r.json()
    letter.refresh_from_db()
    assert letter.subject == "เรื่องที่แก้" and letter.content["enclosures"] == ["รายชื่อผู้เข้าประชุม จำนวน ๑ ชุด"]


def test_saving_a_draft_that_was_submitted_meanwhile_says_it_was_not_saved(users, units, mfa_spec, client):
    u, soc = users, units["สลค."]
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official])
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-edit", args=[letter.pk])
    data = _form_data(client.get(url).content.decode(), soc, u)
    letters.letter_submit(letter, by=u["mfa.drafter"])
    r = client.post(url, {**data, "subject": "แก้ช้าไป"}, follow=True)
    assert "แก้ไขไม่ได้ สิ่งที่แก้ในหน้านั้นไม่ได้บันทึก" in r.content.decode()
    assert Letter.objects.get(pk=letter.pk).subject != "แก้ช้าไป"


def test_a_double_click_on_save_makes_one_draft(users, units, client):
    u, soc = users, units["สลค."]
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-draft", args=["external"])
    data = _new_form_data(client.get(url).content.decode(), soc, u)
    once = data["once"]
    first = client.post(url, data)
    second = client.post(url, data)
    drafts = Letter.objects.filter(created_by=u["mfa.drafter"], subject="ขอเชิญประชุม")
    assert drafts.count() == 1
    assert first["Location"] == second["Location"] == reverse("portal:letter-edit", args=[drafts.get().pk])
    # A new form (new key) makes a new draft.
    again = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode()).group(1)
    assert again != once
    client.post(url, {**data, "once": again})
    assert drafts.count() == 2


def test_a_new_draft_takes_its_deadline_circular_series_outside_addressees_and_copies(users, units, client):
    u, soc = users, units["สลค."]
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-draft", args=["external"])
    data = _new_form_data(client.get(url).content.decode(), soc, u, subject="แจ้งเวียน",
                          recipient="หัวหน้าส่วนราชการ", urgency="2", deliver_by="5/12/2569", deliver_time="10.30",
                          is_circular="on", outside="นายสมปอง ใจดี |  | sompong@example.com",
                          copies_text="ผู้อำนวยการกองกลาง")
    once = data["once"]
    assert client.post(url, data).status_code == 302
    letter = Letter.objects.get(subject="แจ้งเวียน")
    assert letter.is_circular and letter.series_prefix == "ว"
    assert letter.content["deliver_by"] == "2026-12-05T10:30" and letter.content["copies_to"] == ["ผู้อำนวยการกองกลาง"]
    rows = {(r.agency_id, r.name, r.email, r.is_copy) for r in letter.recipients.all()}
    assert rows == {(soc.pk, "", "", False), (None, "นายสมปอง ใจดี", "sompong@example.com", False),
                    (None, "ผู้อำนวยการกองกลาง", "", True)}
    bad = client.post(url, {**data, "once": "x" + once, "outside": "นายก | | not-an-email"})
    assert bad.status_code == 200 and "อีเมล not-an-email ไม่ถูกต้อง" in bad.content.decode()


def test_the_review_chain_keeps_the_order_chosen(users, units, client):
    from agencies.models import Role, RoleAssignment

    u, soc = users, units["สลค."]
    second = u["mfa.signer"].official
    RoleAssignment.objects.create(official=second, role=Role.REVIEWER)
    client.force_login(u["mfa.drafter"])
    url = reverse("portal:letter-draft", args=["external"])
    page = client.get(url).content.decode()
    assert 'id="id_reviewers_0"' in page and 'id="id_reviewers_2"' in page and "ลำดับที่ ๑" in page
    # the second-listed reviewer chosen first, an empty slot between, a repeat ignored
    data = _new_form_data(page, soc, u, subject="ลำดับผู้ตรวจ",
                          reviewers=[second.pk, "", u["mfa.reviewer"].official.pk, second.pk])
    assert client.post(url, data).status_code == 302
    letter = Letter.objects.get(subject="ลำดับผู้ตรวจ")
    assert [s.reviewer_id for s in letter.review_steps.order_by("order")] == [second.pk, u["mfa.reviewer"].official.pk]
    edit = client.get(reverse("portal:letter-edit", args=[letter.pk])).content.decode()
    first_select = edit[edit.index('id="id_reviewers_0"'):edit.index("</select>", edit.index('id="id_reviewers_0"'))]
    assert f'value="{second.pk}" selected' in first_select


def test_the_opening_offers_every_closing_that_goes_with_it(users, client):
    import html
    import json

    from correspondence.models import SalutationRule

    client.force_login(users["mfa.drafter"])
    page = client.get(reverse("portal:letter-draft", args=["external"])).content.decode()
    table = json.loads(html.unescape(re.search(r'data-closings="([^"]+)"', page).group(1)))
    for rule in SalutationRule.objects.all():
        assert rule.closing in table[rule.opening]


def test_the_edit_page_shows_the_latest_return_comment(users, mfa_spec, client):
    import datetime as dt

    from correspondence.models import ReviewStep
    from eoffice import thai

    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official])
    url = reverse("portal:letter-edit", args=[letter.pk])
    client.force_login(u["mfa.drafter"])
    assert 'id="return-comment"' not in client.get(url).content.decode()  # never returned: nothing to show

    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=False, comment="แก้คำลงท้าย")
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=False, comment="เพิ่มสิ่งที่ส่งมาด้วย")
    when = dt.datetime(2026, 3, 9, 14, 5, tzinfo=thai.BANGKOK)
    ReviewStep.objects.filter(letter=letter, round=2).update(decided_at=when)

    page = client.get(url).content.decode()
    panel = re.search(r'<section[^>]*id="return-comment".*?</section>', page, re.S).group(0)
    assert "เพิ่มสิ่งที่ส่งมาด้วย" in panel and "แก้คำลงท้าย" not in panel  # the latest round's comment
    assert "นายสมชาย ตรวจทาน" in panel and "๙ มี.ค. ๒๕๖๙ ๑๔.๐๕ น." in panel

    letters.letter_submit(letter, by=u["mfa.drafter"])  # in review again: the page is the letter's, no edit form
    assert 'id="return-comment"' not in client.get(url, follow=True).content.decode()


def _enclosure_inputs(page: str) -> dict:
    form = re.search(r'<form[^>]*id="enclosure-form".*?</form>', page, re.S).group(0)
    return {name: (re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)) for name in ("description", "quantity")}


@pytest.mark.parametrize("case", ["not a pdf", "too big", "no description"])
def test_a_refused_enclosure_keeps_what_was_typed(users, mfa_spec, client, settings, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=users["mfa.signer"].official)
    client.force_login(users["mfa.drafter"])
    data = {"description": "รายชื่อผู้เข้าประชุมทั้งหมด", "quantity": "๓ แผ่น",
            "file": SimpleUploadedFile("list.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")}
    if case == "too big":
        settings.EOFFICE_MAX_UPLOAD_BYTES = 8
        data["file"] = SimpleUploadedFile("list.pdf", b"%PDF-1.7\n" + b"0" * 64, content_type="application/pdf")
    if case == "no description":
        data["description"] = ""
    page = client.post(reverse("portal:enclosure-add", args=[letter.pk]), data, follow=True).content.decode()
    assert not letter.enclosures.exists()
    reason = {"not a pdf": "PDF", "too big": "ไฟล์ใหญ่เกินกำหนด", "no description": "กรุณาระบุรายการสิ่งที่ส่งมาด้วย"}
    assert reason[case] in page
    inputs = _enclosure_inputs(page)
    assert f'value="{data["description"]}"' in inputs["description"] or case == "no description"
    assert 'value="๓ แผ่น"' in inputs["quantity"]
    # Kept for the page that shows the refusal only: the next visit starts with an empty form.
    again = _enclosure_inputs(client.get(reverse("portal:letter-edit", args=[letter.pk])).content.decode())
    assert "รายชื่อผู้เข้าประชุมทั้งหมด" not in again["description"] and "๓ แผ่น" not in again["quantity"]


def test_a_minutes_draft_made_on_the_page_carries_and_renders_every_meeting_part(users, client):
    import subprocess

    from correspondence.services import documents

    drafter = users["mfa.drafter"]
    client.force_login(drafter)
    url = reverse("portal:letter-draft", args=["minutes"])
    page = client.get(url).content.decode()
    for name in ("meeting_absent", "meeting_attending", "meeting_opened", "meeting_closed", "meeting_recorder"):
        assert f'name="{name}"' in page
    external = client.get(reverse("portal:letter-draft", args=["external"])).content.decode()
    assert "meeting_" not in external  # only the minutes ask for them
    data = {"title": "รายงานการประชุมคณะทำงานพัฒนาระบบสารบรรณ", "meeting_number": "๑/๒๕๖๙",
            "meeting_when": "๕ มกราคม ๒๕๖๙", "meeting_place": "ห้องประชุมกองกลาง",
            "meeting_present": "นายสมชาย รักงาน ประธาน\nนางสาวสมใจ ใจดี เลขานุการ",
            "meeting_absent": "นายสมศักดิ์ ทำดี (ติดราชการ)", "meeting_attending": "\nนายสมหมาย ช่วยงาน\n",
            "meeting_opened": "9.30", "meeting_closed": "๑๒.๐๐ น.", "meeting_recorder": "นางสาวสมใจ ใจดี",
            "body": "ระเบียบวาระที่ ๑ เรื่องที่ประธานแจ้งให้ที่ประชุมทราบ\nมติที่ประชุม รับทราบ",
            "urgency": "0", "secrecy": "0", "once": re.search(r'name="once" value="([^"]+)"', page).group(1)}
    closed_first = client.post(url, {**data, "meeting_closed": "๙.๐๐ น."})
    assert closed_first.status_code == 200 and "เวลาเลิกประชุมต้องหลังเวลาเริ่มประชุม" in closed_first.content.decode()
    assert client.post(url, data).status_code == 302
    letter = drafter.drafted_letters.get()
    assert letter.content["meeting"] == {
        "number": "๑/๒๕๖๙", "when": "2026-01-05", "place": "ห้องประชุมกองกลาง",
        "present": ["นายสมชาย รักงาน ประธาน", "นางสาวสมใจ ใจดี เลขานุการ"],
        "absent": ["นายสมศักดิ์ ทำดี (ติดราชการ)"], "attending": ["นายสมหมาย ช่วยงาน"],
        "opened": "๙.๓๐ น.", "closed": "๑๒.๐๐ น.", "recorder": "นางสาวสมใจ ใจดี"}

    pdf = documents.preview_pdf(letter.content, letter.issuing_unit)
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())
    for part in ("ผู้ไม่มาประชุม", "๑. นายสมศักดิ์ ทำดี (ติดราชการ)", "ผู้เข้าร่วมประชุม", "๑. นายสมหมาย ช่วยงาน",
                 "เริ่มประชุมเวลา ๙.๓๐ น.", "เลิกประชุมเวลา ๑๒.๐๐ น.", "นางสาวสมใจ ใจดี ผู้จดรายงานการประชุม",
                 "เมื่อวันที่ ๕ มกราคม ๒๕๖๙"):
        assert part in text, part

    # The edit page shows them back, and saving it unchanged keeps them.
    edit_url = reverse("portal:letter-edit", args=[letter.pk])
    edit = client.get(edit_url).content.decode()
    absent = re.search(r'<textarea name="meeting_absent"[^>]*>\s*(.*?)</textarea>', edit, re.S).group(1).strip()
    assert absent == "นายสมศักดิ์ ทำดี (ติดราชการ)" and 'value="๙.๓๐ น."' in edit and 'value="นางสาวสมใจ ใจดี"' in edit
    version = re.search(r'name="version" value="([^"]*)"', edit).group(1)
    when = re.search(r'<input[^>]*name="meeting_when"[^>]*value="([^"]*)"', edit).group(1)
    resaved = {**{k: v for k, v in data.items() if k != "once"}, "version": version, "meeting_when": when}
    assert client.post(edit_url, resaved).status_code == 302
    letter.refresh_from_db()
    assert letter.content["meeting"]["when"] == "2026-01-05" and letter.content["meeting"]["recorder"] == "นางสาวสมใจ ใจดี"


@pytest.mark.parametrize("when, words", [("๕ มกราคม ๒๕๒๐", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
                                         ("๕ มกราคม ๒๖๐๐", "ไกลเกินไป")])
def test_an_implausible_meeting_date_is_shown_under_its_field(users, client, when, words):
    client.force_login(users["mfa.drafter"])
    url = reverse("portal:letter-draft", args=["minutes"])
    once = re.search(r'name="once" value="([^"]+)"', client.get(url).content.decode()).group(1)
    answer = client.post(url, {"title": "รายงานการประชุมคณะทำงาน", "meeting_number": "๑/๒๕๖๙", "meeting_when": when,
                               "meeting_place": "ห้องประชุมกองกลาง", "meeting_present": "นายสมชาย รักงาน ประธาน",
                               "body": "ระเบียบวาระที่ ๑", "urgency": "0", "secrecy": "0", "once": once})
    form = answer.context["form"]
    assert answer.status_code == 200 and not users["mfa.drafter"].drafted_letters.exists()
    assert any(words in e for e in form.errors["meeting_when"]), form.errors
    assert not form.non_field_errors()
