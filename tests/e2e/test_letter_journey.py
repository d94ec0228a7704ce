"""Acceptance 1: a most-urgent external letter from กระทรวงการต่างประเทศ to สำนักเลขาธิการคณะรัฐมนตรี, driven
through Debian's Chromium against the running portal — drafted with a reference and an enclosure while
the preview follows the typing, reviewed, approved, issued, signed with a PIN, sent; registered at the
top of the receiving queue (receipt stamp on the PDF), routed, minuted, acknowledged; the sender sees
the receipt number. Screenshots of each step go to test-artifacts/e2e/."""
from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.contrib.auth import get_user_model

from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency, Official
from correspondence.models import IncomingItem, ItemState, Letter, LetterState, RecipientState
from correspondence.services import delivery, receiving
from eoffice.levels import Urgency
from pdf_samples import blank_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = "ขอเชิญประชุมคณะทำงานพัฒนาระบบสารบรรณอิเล็กทรอนิกส์"
RED = "rgb(176, 0, 32)"  # --urgent in portal.css


def _pdftotext(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=60)
    return done.stdout.decode("utf-8", "replace")


def _page1(pdf: bytes):
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    doc.init_forms()
    return doc[0].render(scale=1.0, may_draw_forms=True).to_pil().convert("L")


def _signatures(pdf: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return len(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)


@pytest.fixture
def journey(demo_officials, pki, eager_tasks, settings, tmp_path):
    """Signing settings and keys for both agencies; the drafter's prior letter in the register."""
    from asn1crypto import pem

    from signatures import services as signing
    from signatures.models import AgencySigningSettings
    from signatures.testing import TEST_PASSPHRASE

    settings.MEDIA_ROOT = tmp_path / "media"
    User = get_user_model()
    u = {x.username: x for x in User.objects.select_related("official")}
    ict = Agency.objects.get(short_name="ศทส.")
    soc = Agency.objects.get(name="สำนักเลขาธิการคณะรัฐมนตรี")
    # The drafter works in ศทส. itself here, so the unit's register is theirs to cite from.
    Official.objects.filter(user=u["mfa.drafter"]).update(unit=ict)
    anchor = signing.trusted_certificate_add(data=pem.armor("CERTIFICATE", pki.root.dump()), name="Test Root")
    for agency in (ict.top, soc.top):
        s = AgencySigningSettings.objects.create(agency=agency, level="B-B")
        s.trust_anchors.add(anchor)
    signing.credential_pkcs12_add(data=pki.pkcs12_file("official", TEST_PASSPHRASE).read_bytes(),
                                  official=u["mfa.signer"].official, label="บัตรของผู้ลงนาม")
    signing.credential_pkcs12_add(data=pki.pkcs12_file("seal-a", TEST_PASSPHRASE).read_bytes(), agency=soc,
                                  label="ตราประทับ สลค.", seal_secret=TEST_PASSPHRASE)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=u["mfa.signer"], name="แอปยืนยันตัวตน", confirmed=True)
    # The letter the new one refers to (อ้างถึง), in ศทส.'s incoming register.
    prior = receiving.incoming_receive(unit=ict, by=u["mfa.clerk"], channel="scan",
                                       subject="ขอให้เสนอรายชื่อผู้แทนเข้าร่วมคณะทำงาน",
                                       sender_text="สำนักเลขาธิการคณะรัฐมนตรี", their_number="นร ๐๕๐๖/ว ๑๒๓")
    receiving.incoming_register(prior, by=u["mfa.clerk"])
    # Work already waiting at the Secretariat: the new letter must still come first.
    for n in range(3):
        receiving.incoming_receive(unit=soc, by=u["soc.clerk"], channel="scan", subject=f"หนังสือทั่วไป {n + 1}",
                                   sender_text="กรมตัวอย่าง", urgency=Urgency.URGENT if n == 0 else Urgency.NORMAL)
    return {"users": u, "ict": ict, "soc": soc, "device": device, "prior": prior, "passphrase": TEST_PASSPHRASE}


class Portal:
    """One browser context per official, like people at their own desks."""

    def __init__(self, browser, base_url, artifacts):
        self.browser, self.base, self.artifacts, self.step = browser, base_url, artifacts, 0
        self.pages = {}

    def as_user(self, username):
        if username not in self.pages:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
            page = context.new_page()
            page.on("dialog", lambda d: d.accept())
            page.goto(f"{self.base}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("section.login button[type=submit]")
            page.wait_for_url(f"{self.base}/")
            self.pages[username] = page
        return self.pages[username]

    def shot(self, page, name):
        self.step += 1
        page.screenshot(path=str(self.artifacts / f"{self.step:02d}-{name}.png"), full_page=True)

    def go(self, page, path):
        page.goto(f"{self.base}{path}")


def test_most_urgent_letter_from_draft_to_acknowledged(journey, live_server, browser, artifacts):
    from django_otp.oath import TOTP

    u = journey["users"]
    portal = Portal(browser, live_server.url, artifacts)

    # --- drafting, with the preview following the typing -------------------------------------------------
    drafter = portal.as_user("mfa.drafter")
    portal.shot(drafter, "drafter-dashboard")
    portal.go(drafter, "/letters/new/")
    drafter.click("a[href='/letters/new/external/']")
    drafter.wait_for_selector("#preview-frame")
    first_key = drafter.get_attribute("#preview-frame", "data-key")
    drafter.fill("#id_subject", SUBJECT)
    drafter.fill("#id_salutation", "เรียน")
    drafter.dispatch_event("#id_salutation", "change")
    assert drafter.input_value("#id_closing") == "ขอแสดงความนับถือ"  # from the salutation table
    drafter.fill("#id_recipient", "เลขาธิการคณะรัฐมนตรี")
    drafter.fill("#id_body", "ตามหนังสือที่อ้างถึง สำนักเลขาธิการคณะรัฐมนตรีขอให้เสนอรายชื่อผู้แทน\n"
                             "กระทรวงการต่างประเทศขอเรียนว่า ได้มอบหมายผู้แทนเข้าร่วมประชุมแล้ว")
    drafter.select_option("#id_urgency", str(int(Urgency.MOST_URGENT)))
    drafter.select_option("#id_references", str(journey["prior"].register_entries.get().pk))
    drafter.select_option("#id_recipients", str(journey["soc"].pk))
    drafter.select_option("#id_signer", str(u["mfa.signer"].official.pk))
    drafter.select_option("#id_reviewers_0", str(u["mfa.reviewer"].official.pk))
    changed = "k => { const f = document.querySelector('#preview-frame'); return f && f.dataset.key !== k; }"
    drafter.wait_for_function(changed, arg=first_key, timeout=30000)
    drafter.wait_for_timeout(1500)
    drafter.wait_for_load_state("networkidle")
    typed_key = drafter.get_attribute("#preview-frame", "data-key")
    drafter.press("#id_subject", "End")
    drafter.type("#id_subject", " ครั้งที่ ๒")
    drafter.wait_for_function(changed, arg=typed_key, timeout=30000)
    drafter.wait_for_load_state("networkidle")
    src = drafter.get_attribute("#preview-frame", "src")
    preview = _pdftotext(drafter.request.get(f"{live_server.url}{src}").body())
    assert "ครั้งที่ ๒" in preview and "ขอเชิญประชุมคณะทำงาน" in preview and "ด่วนที่สุด" in preview and "นร ๐๕๐๖/ว ๑๒๓" in preview
    portal.shot(drafter, "draft-with-live-preview")
    drafter.click("#save-draft")
    drafter.wait_for_selector("#enclosure-form")
    letter = Letter.objects.get(created_by=u["mfa.drafter"])
    assert letter.subject == f"{SUBJECT} ครั้งที่ ๒" and letter.urgency == Urgency.MOST_URGENT
    drafter.fill("#id_description", "รายชื่อผู้แทนกระทรวงการต่างประเทศ")
    drafter.set_input_files("#id_file", files=[{"name": "representatives.pdf", "mimeType": "application/pdf",
                                                "buffer": blank_pdf()}])
    drafter.click("#enclosure-form button[type=submit]")
    drafter.wait_for_selector("#enclosures li")
    drafter.wait_for_function("() => !!document.querySelector('#preview-frame')")
    portal.shot(drafter, "draft-with-enclosure")
    letter.refresh_from_db()
    assert letter.content["enclosures"] == ["รายชื่อผู้แทนกระทรวงการต่างประเทศ จำนวน ๑ ชุด"]
    drafter.click("#submit-review")
    drafter.wait_for_selector("text=ส่งตรวจทานแล้ว")
    letter.refresh_from_db()
    assert letter.state == LetterState.IN_REVIEW

    # --- review and approval -------------------------------------------------------------------------------
    reviewer = portal.as_user("mfa.reviewer")
    reviewer.click(f"#waiting a[href='/letters/{letter.pk}/']")
    reviewer.check("#id_decision_0")
    reviewer.fill("#id_comment", "เห็นชอบ")
    portal.shot(reviewer, "review")
    reviewer.click("#do-review")
    reviewer.wait_for_selector("text=เห็นชอบแล้ว")
    letter.refresh_from_db()
    assert letter.state == LetterState.APPROVED

    # --- the registry of ศทส. issues the number (and the PDF) ---------------------------------------------------
    clerk = portal.as_user("mfa.clerk")
    portal.go(clerk, f"/letters/{letter.pk}/")
    clerk.click("#do-issue")
    clerk.wait_for_selector("text=ออกเลขและสร้างแฟ้มหนังสือแล้ว", timeout=60000)
    letter.refresh_from_db()
    assert letter.state == LetterState.ISSUED and letter.number.startswith("กต ๐๒๐๓/")
    portal.shot(clerk, "issued")

    # --- signing with the second factor and the PIN, with progress ----------------------------------------------------
    signer = portal.as_user("mfa.signer")
    portal.go(signer, f"/letters/{letter.pk}/")
    signer.click("#verify-to-sign")
    device = journey["device"]
    token = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    signer.fill("#id_token", f"{token:0{device.digits}d}")
    signer.click("section.login button[type=submit]")
    signer.wait_for_selector("#id_secret")
    signer.fill("#id_secret", journey["passphrase"])
    signer.click("#do-sign")
    signer.wait_for_selector("#sign-state.done, #sign-state.failed, #sign-error", timeout=60000)
    assert signer.locator("#sign-state.done").count() == 1, signer.inner_text("#sign-progress")
    portal.shot(signer, "signed")
    letter.refresh_from_db()
    with letter.pdf.open("rb") as f:
        assert letter.state == LetterState.SIGNED and _signatures(f.read()) == 1

    # --- sent to the Secretariat -------------------------------------------------------------------------------------
    portal.go(clerk, f"/letters/{letter.pk}/")
    clerk.click("#do-send")
    clerk.wait_for_selector("text=ส่งหนังสือแล้ว")
    # Delivery runs in Celery; drive any row still waiting (idempotent when the eager task already ran).
    for pk in letter.outbox.values_list("pk", flat=True):
        delivery.outbox_deliver(pk)
    clerk.reload()
    assert clerk.inner_text("#delivered-count") == "๑ / ๑"
    portal.shot(clerk, "sent")
    item = IncomingItem.objects.get(letter=letter, parent__isnull=True)
    with item.pdf.open("rb") as f:
        as_received = f.read()

    # --- the Secretariat's registry: on top, red, registered, stamped ----------------------------------------------------
    soc_clerk = portal.as_user("soc.clerk")
    portal.go(soc_clerk, "/incoming/")
    first = soc_clerk.locator("#queue-rows tr").first
    assert first.get_attribute("data-item") == str(item.pk)
    mark = first.locator(".urgency")
    assert mark.inner_text() == "ด่วนที่สุด"
    assert mark.evaluate("e => getComputedStyle(e).color") == RED
    portal.shot(soc_clerk, "receiving-queue-most-urgent-on-top")
    # Keyboard first: Tab reaches the skip link, then the page; a tablet shows the queue without page overflow.
    soc_clerk.keyboard.press("Tab")
    assert soc_clerk.evaluate("document.activeElement.className") == "skip"
    soc_clerk.set_viewport_size({"width": 768, "height": 1024})
    assert soc_clerk.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    portal.shot(soc_clerk, "receiving-queue-tablet")
    soc_clerk.set_viewport_size({"width": 1280, "height": 900})
    first.locator("button", has_text="ลงทะเบียนรับ").click()
    soc_clerk.wait_for_selector("text=ลงทะเบียนรับแล้ว เลขรับ")
    item.refresh_from_db()
    assert item.state == ItemState.REGISTERED and item.receipt_number
    portal.go(soc_clerk, f"/incoming/{item.pk}/")
    assert "ประทับตรารับแล้ว" in soc_clerk.inner_text("#stamp-state")
    stamped = soc_clerk.request.get(f"{live_server.url}/incoming/{item.pk}/pdf/").body()
    assert _signatures(stamped) == 2  # the sender's signature and the receipt stamp
    before, after = _page1(as_received), _page1(stamped)
    after.convert("RGB").save(artifacts / "receipt-stamp-page1.png")
    width, height = after.size
    box = (width // 2, 0, width, height // 4)  # the stamp sits at the top right of page 1
    from PIL import ImageChops

    assert ImageChops.difference(before.crop(box), after.crop(box)).getbbox() is not None
    portal.shot(soc_clerk, "registered-with-receipt-stamp")

    # --- the sender sees it registered with the receipt number ---------------------------------------------------------
    drafter.goto(f"{live_server.url}/letters/{letter.pk}/")
    recipients = drafter.inner_text("#recipients")
    assert RecipientState.REGISTERED.label in recipients
    from eoffice import thai
    assert thai.to_thai_digits(item.receipt_number) in recipients
    portal.shot(drafter, "sender-sees-registered")

    # --- routed to ภค., registered there, minuted by the executive, acknowledged by the assignee ------------------------------
    division = Agency.objects.get(short_name="ภค.")
    soc_clerk.locator("#route").get_by_label(division.name, exact=True).check()
    soc_clerk.click("#route .phrases button[data-phrase='เพื่อดำเนินการ']")
    portal.shot(soc_clerk, "routing")
    soc_clerk.click("#route button[type=submit]")
    soc_clerk.wait_for_selector("text=ส่งต่อแล้วถึง")
    copy = item.routed_copies.get()
    div_clerk = portal.as_user("soc.div.clerk")
    portal.go(div_clerk, f"/incoming/{copy.pk}/")
    div_clerk.click("#do-register")
    div_clerk.wait_for_selector("text=ลงทะเบียนรับแล้ว เลขรับ")

    executive = portal.as_user("soc.exec")
    portal.go(executive, f"/incoming/{copy.pk}/")
    executive.click("#minute-form .phrases button[data-phrase='มอบ … ดำเนินการ']")
    executive.fill("#id_action", "มอบ ภค. ดำเนินการ")
    executive.select_option("#id_assignee", str(u["soc.officer"].official.pk))
    executive.fill("#id_text", "เสนอความเห็นประกอบการพิจารณา")
    portal.shot(executive, "minute")
    executive.click("#minute-form button[type=submit]")
    executive.wait_for_selector("text=บันทึกการเกษียนหนังสือแล้ว")
    minute = copy.minutes.get()

    officer = portal.as_user("soc.officer")
    assert "มอบ ภค. ดำเนินการ" in officer.inner_text("#assigned")
    officer.click(f"#assigned a[href='/incoming/{copy.pk}/']")
    officer.click(f"#do-ack-{minute.pk}")
    officer.wait_for_selector("text=รับทราบแล้ว")
    assert "รับทราบ" in officer.inner_text("#timeline")
    portal.shot(officer, "acknowledged")
    minute.refresh_from_db()
    assert minute.acknowledged_at

    # --- the sender's final view ----------------------------------------------------------------------------------------------
    drafter.goto(f"{live_server.url}/")
    sent = drafter.inner_text("#sent")
    assert re.search(rf"เลขรับ {thai.to_thai_digits(item.receipt_number)}", sent)
    portal.shot(drafter, "sender-dashboard-final")
    assert len(list(artifacts.glob("*.png"))) >= 16
