"""Gates on the officials' pages: a classified letter's preview asks for the second factor as its page
does, and the list an action returns to is only ever a page of this site."""
import pytest
from django.urls import reverse

from correspondence.models import Channel
from correspondence.services import letters, receiving

pytestmark = pytest.mark.django_db


def test_a_classified_letters_preview_needs_the_second_factor(users, mfa_spec, client, second_factor):
    drafter = users["mfa.drafter"]
    official = drafter.official
    official.clearance = 2
    official.save(update_fields=["clearance"])
    letter = letters.letter_create(by=drafter, content={**mfa_spec, "secrecy": "secret"},
                                   signer=users["mfa.signer"].official)
    client.force_login(drafter)
    url = reverse("portal:letter-preview", args=["external"])
    r = client.post(url, {"letter": letter.pk, "subject": "ตัวอย่าง"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 403 and b"%PDF" not in r.content
    second_factor(client, drafter)
    r = client.post(url, {"letter": letter.pk, "subject": "ตัวอย่าง"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200


@pytest.mark.parametrize("target,kept", [("/incoming/?state=registered", True), ("https://evil.example/phish", False),
                                         ("//evil.example/x", False)])
def test_register_and_route_go_back_only_to_this_site(users, units, client, target, kept):
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ทดสอบ", sender_text="กค")
    client.force_login(clerk)
    r = client.post(reverse("portal:item-register", args=[item.pk]), {"next": target})
    expected = target if kept else reverse("portal:item", args=[item.pk])
    assert r.status_code == 302 and r["Location"] == expected
    r = client.post(reverse("portal:item-route", args=[item.pk]),
                    {"to_units": [units["ภค."].pk], "next": target}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == expected


def test_the_reviewer_reads_the_draft_before_approving(users, mfa_spec, client):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    client.force_login(u["mfa.reviewer"])
    page = client.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    url = reverse("portal:letter-draft-pdf", args=[letter.pk])
    assert f'<iframe class="pdf-frame" src="{url}"' in page and "<object" not in page
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-") and pdf["X-Frame-Options"] == "SAMEORIGIN"
    from pypdf import PdfReader
    import io

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "(ร่าง)" in text or "ร่าง" in text
    client.force_login(u["soc.clerk"])  # not the letter's: as if it did not exist
    assert client.get(url).status_code == 404


def test_queue_filter_errors_speak_thai(users, client):
    client.force_login(users["soc.clerk"])
    page = client.get(reverse("portal:queue"), {"year": "2026", "series": "ก" * 20}).content.decode()
    assert "ใช้ปีพุทธศักราช เช่น ๒๕๖๙" in page and "ข้อความนี้ต้องยาวไม่เกิน 16 ตัวอักษร" in page
    assert "Ensure this value" not in page


def test_the_pages_are_thai_whatever_the_browser_asks_until_english_is_chosen(users, client):
    client.force_login(users["soc.clerk"])
    page = client.get(reverse("portal:queue"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="th"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("portal:queue"), HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert 'lang="en"' in page


def test_a_cleared_official_is_told_classified_rows_wait_for_the_second_factor(users, client, second_factor):
    client.force_login(users["soc.secret"])  # cleared to ลับที่สุด
    assert 'id="classified-hidden"' in client.get("/").content.decode()
    second_factor(client, users["soc.secret"])
    assert 'id="classified-hidden"' not in client.get("/").content.decode()
    client.force_login(users["soc.clerk"])  # not cleared: nothing to say
    assert 'id="classified-hidden"' not in client.get("/").content.decode()


def test_no_routing_section_for_a_unit_with_nothing_below(users, units):
    from correspondence import selectors_portal

    clerk, division = users["soc.div.clerk"], units["ภค."]
    item = receiving.incoming_receive(unit=division, by=clerk, channel=Channel.SCAN, subject="ภค.", sender_text="กค")
    item, _ = receiving.incoming_register(item, by=clerk)
    assert not selectors_portal.item_actions(clerk, item).route


def test_the_assignee_is_notified_when_the_minute_is_written(users, units, django_capture_on_commit_callbacks):
    from correspondence.models import Notification

    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="มอบงาน", sender_text="กค")
    item, _ = receiving.incoming_register(item, by=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        receiving.minute_write(item, by=users["soc.exec"], action="มอบ ดำเนินการ", assignee=clerk.official)
    note = Notification.objects.get(user=clerk, object_id=item.pk)
    assert note.text.startswith("ท่านได้รับมอบหมาย: มอบ ดำเนินการ")


def test_the_letter_page_counts_and_numbers_in_thai_digits(users, units, mfa_spec, client):
    import re

    from django.utils import timezone

    from correspondence.services import documents
    from signatures.models import LetterSignature

    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official], recipients=[{"agency": units["สลค."].pk}])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = documents.letter_pdf_render(letters.letter_issue(letter, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    letters.letter_sign(letter, by=u["mfa.signer"])
    for order in (1, 2):  # the signer's, then a further approval signature
        LetterSignature.objects.create(
            letter=letter, order=order, official=u["mfa.signer"].official, field_name=f"Signature{order}",
            level="B-LT", signer_common_name="Don", certificate_serial="1234567890", certificate_sha256="a" * 64,
            pdf_sha256="b" * 64, signed_at=timezone.now())
    letters.letter_send(letter, by=u["mfa.clerk"])
    client.force_login(u["mfa.clerk"])
    page = client.get(reverse("portal:letter", args=[letter.pk])).content.decode()
    signatures = re.search(r'<ol id="signatures".*?</ol>', page, re.S).group(0)
    assert '<span class="n">๑.</span> นายดอน' in signatures and '<span class="n">๒.</span>' in signatures
    assert '<span class="n">๑.</span> รอบ ๑' in page
    # What an official reads (the text, not attributes, scripts or styles) has no Arabic digit.
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", page, flags=re.S)
    assert re.findall(r".{0,20}[0-9].{0,20}", text) == []
