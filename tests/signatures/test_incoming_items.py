"""On registration (correspondence.signals.item_registered): a validation report of the PDF as
received, then a receipt stamp with the receiving agency's seal, through the Celery task."""
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from correspondence.models import IncomingItem
from correspondence.signals import item_registered
from signatures import pades, selectors, services, validation
from signatures.models import ReceiptStamp, ReportStatus, SignatureReport, StampState
from signatures.testing import TEST_PASSPHRASE

from sig_portal import (  # noqa: F401 - fixtures
    eager, make_item, media, ministry_settings, p12_bytes, read, tree, trust_anchor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seal(tree, p12_bytes, ministry_settings):
    """The receiving ministry's seal; its division inherits it."""
    return services.credential_pkcs12_add(data=p12_bytes["seal-b"], agency=tree["other"], label="ตรากระทรวงผู้รับ",
                                          seal_secret=TEST_PASSPHRASE)


@pytest.fixture
def signed_letter(letter_pdf, p12, trust):
    return pades.sign_letter(letter_pdf, p12["official"], TEST_PASSPHRASE, trust=trust, level="B-LTA")


def _register(item, callbacks_fixture):
    with callbacks_fixture(execute=True):
        item_registered.send(sender=IncomingItem, item=item)
    item.refresh_from_db()


def test_registration_reports_then_stamps_a_signed_pdf(media, tree, seal, signed_letter, eager, policy,
                                                       django_capture_on_commit_callbacks):
    item = make_item(tree["other_div"], signed_letter, receipt_number="๑๕")
    _register(item, django_capture_on_commit_callbacks)

    report = SignatureReport.objects.get(item=item)
    assert report.status == ReportStatus.OK
    assert report.pdf_sha256 == services._sha256(signed_letter)  # the PDF as received
    assert report.report["signatures"][0]["status"] == "valid"

    stamp = ReceiptStamp.objects.get(item=item)
    assert stamp.state == StampState.STAMPED and stamp.seal == seal
    stamped = read(item.pdf)
    assert stamped[: len(signed_letter)] == signed_letter
    after = validation.validate_pdf(stamped, policy)
    assert after["ok"], after["summary_th"]  # the sender's signature survives the stamp
    assert len(after["signatures"]) == 2

    summary = selectors.item_signature_summary(item)
    assert summary["status"] == "ok" and "ถูกต้องและเชื่อถือได้" in summary["summary_th"]
    assert summary["stamp_state"] == "stamped"


def test_second_unit_receipt_sits_beside_the_first(media, tree, seal, signed_letter, eager,
                                                   django_capture_on_commit_callbacks, p12_bytes):
    services.credential_pkcs12_add(data=p12_bytes["seal-a"], agency=tree["other_div"], label="ตรากอง",
                                   seal_secret=TEST_PASSPHRASE)
    first = make_item(tree["other"], signed_letter, receipt_number="๑๕")
    _register(first, django_capture_on_commit_callbacks)
    # The routed copy in the unit below starts from the first unit's stamped file.
    second = make_item(tree["other_div"], read(first.pdf), receipt_number="๓")
    _register(second, django_capture_on_commit_callbacks)
    assert ReceiptStamp.objects.get(item=second).state == StampState.STAMPED

    r = PdfFileReader(BytesIO(read(second.pdf)), strict=False)
    page = r.root["/Pages"]["/Kids"][0].get_object()
    rects = [[float(v) for v in a.get_object()["/Rect"]] for a in page["/Annots"]
             if a.get_object().get("/FT") == "/Sig"]
    rects = [rc for rc in rects if rc[2] > rc[0]]  # the letter's signature and timestamps are invisible
    assert len(rects) == 2
    a, b = rects
    assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]  # no overlap


def test_unsigned_pdf_gets_the_stamp_and_a_warning_report(media, tree, seal, letter_pdf, eager,
                                                          django_capture_on_commit_callbacks):
    item = make_item(tree["other_div"], letter_pdf)
    _register(item, django_capture_on_commit_callbacks)
    report = SignatureReport.objects.get(item=item)
    assert report.status == ReportStatus.WARNING
    assert "ไม่มีลายมือชื่อ" in report.summary_th
    assert ReceiptStamp.objects.get(item=item).state == StampState.STAMPED
    assert read(item.pdf) != letter_pdf


def test_without_a_seal_the_registration_stands_and_says_so(media, tree, ministry_settings, signed_letter, eager,
                                                            django_capture_on_commit_callbacks):
    item = make_item(tree["other_div"], signed_letter)
    _register(item, django_capture_on_commit_callbacks)
    stamp = ReceiptStamp.objects.get(item=item)
    assert stamp.state == StampState.NO_SEAL
    assert "ไม่ได้ประทับตรารับ" in stamp.message
    assert read(item.pdf) == signed_letter
    assert "ไม่ได้ประทับตรารับ" in selectors.item_signature_summary(item)["text_th"]


def test_item_without_pdf_dispatches_nothing(media, tree, seal, django_capture_on_commit_callbacks):
    item = make_item(tree["other_div"], None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item_registered.send(sender=IncomingItem, item=item)
    assert callbacks == []


def test_tampered_signature_is_flagged_broken(media, tree, seal, signed_letter, eager,
                                              django_capture_on_commit_callbacks):
    # Flip a byte inside the signed range (the page content), keeping the file parseable.
    i = signed_letter.index(b"stream") + 20
    tampered = signed_letter[:i] + bytes([signed_letter[i] ^ 0x01]) + signed_letter[i + 1:]
    item = make_item(tree["other_div"], tampered)
    _register(item, django_capture_on_commit_callbacks)
    report = SignatureReport.objects.get(item=item)
    assert report.status == ReportStatus.BROKEN
    assert selectors.item_signature_summary(item)["status"] == "broken"
    assert selectors.item_signature_summary(item)["flagged_th"]


def test_untrusted_signer_is_flagged_broken(media, tree, signed_letter, eager, django_capture_on_commit_callbacks):
    # No settings anywhere: no trust anchors, so the test PKI's signer chains to nothing trusted.
    item = make_item(tree["other_div"], signed_letter)
    _register(item, django_capture_on_commit_callbacks)
    report = SignatureReport.objects.get(item=item)
    assert report.status == ReportStatus.BROKEN
    assert "untrusted" in report.report["signatures"][0]["flags"]
    assert ReceiptStamp.objects.get(item=item).state == StampState.NO_SEAL


def test_processing_twice_stamps_once(media, tree, seal, signed_letter):
    item = make_item(tree["other_div"], signed_letter)
    services.incoming_item_process(item.pk)
    first = read(IncomingItem.objects.get(pk=item.pk).pdf)
    services.incoming_item_process(item.pk)  # e.g. a redelivered task
    assert read(IncomingItem.objects.get(pk=item.pk).pdf) == first
    assert SignatureReport.objects.filter(item=item).count() == 1


def test_a_copy_routed_before_the_stamp_takes_the_stamped_file(media, tree, seal, letter_pdf, eager,
                                                               django_capture_on_commit_callbacks):
    from django.utils import timezone

    item = make_item(tree["other"], letter_pdf)
    # Routed on at once: the copy points at the file as it is before the stamp task has run.
    now = timezone.now()
    early = IncomingItem.objects.create(unit=tree["other_div"], channel="routed", state="received", parent=item,
                                        subject=item.subject, sender_text=item.sender_text, received_at=now,
                                        pdf=item.pdf.name)
    registered = IncomingItem.objects.create(unit=tree["other_div"], channel="routed", state="registered",
                                             parent=item, subject=item.subject, sender_text=item.sender_text,
                                             received_at=now, pdf=item.pdf.name)
    unstamped = item.pdf.name
    _register(item, django_capture_on_commit_callbacks)
    assert ReceiptStamp.objects.get(item=item).state == StampState.STAMPED and item.pdf.name != unstamped
    early.refresh_from_db()
    registered.refresh_from_db()
    assert early.pdf.name == item.pdf.name and read(early.pdf) == read(item.pdf)
    assert registered.pdf.name == unstamped  # registered below already: keeps its own chain


def test_a_signature_checked_while_the_responder_was_down_is_checked_again_by_the_job(
        media, tree, seal, letter_pdf, p12, trust, pki, eager, django_capture_on_commit_callbacks):
    from signatures import tasks

    signed = pades.sign_letter(letter_pdf, p12["official"], TEST_PASSPHRASE, trust=trust, level="B-T")
    item = make_item(tree["other_div"], signed)
    pki.stop()
    try:
        _register(item, django_capture_on_commit_callbacks)
    finally:
        pki.start()
    first = SignatureReport.objects.get(item=item)
    assert first.status == ReportStatus.WARNING
    assert "revocation_unknown" in first.report["signatures"][0]["flags"]

    result = tasks.revalidate_reports.apply().get()
    assert result == {"checked": 1, "changed": 1, "failed": 0}
    newest = SignatureReport.objects.filter(item=item).order_by("-created_at", "-pk").first()
    assert newest.status == ReportStatus.OK and newest.pdf_sha256 == services._sha256(signed)
    assert selectors.item_signature_summary(item)["status"] == "ok"
    # Settled: the next run has nothing to check.
    assert tasks.revalidate_reports.apply().get() == {"checked": 0, "changed": 0, "failed": 0}


def test_checking_again_reads_the_file_as_received_not_the_stamped_one(
        media, tree, seal, signed_letter, eager, django_capture_on_commit_callbacks):
    item = make_item(tree["other_div"], signed_letter)
    _register(item, django_capture_on_commit_callbacks)
    stamp = ReceiptStamp.objects.get(item=item)
    assert stamp.state == StampState.STAMPED and stamp.received_pdf and stamp.received_pdf != item.pdf.name
    again = services.incoming_item_revalidate(item)
    assert again.pdf_sha256 == services._sha256(signed_letter)
    assert len(again.report["signatures"]) == 1  # the sender's, without our receipt stamp
