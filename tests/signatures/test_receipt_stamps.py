"""Acceptance 2: receipt stamps (ตรารับหนังสือ) as visible approval signatures of the agency seal."""

from datetime import datetime, timezone
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures import appearance, pades, validation

from signatures.testing import TEST_PASSPHRASE as PASSPHRASE
from signatures.testing import SAMPLE_SIGNATURE_BOX

SIGNATURE_BOX = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)

RECEIVED = datetime(2026, 9, 29, 3, 5, tzinfo=timezone.utc)  # 10.05 น. in Bangkok


@pytest.fixture(scope="module")
def sender_signed(letter_pdf, p12, trust):
    return pades.sign_letter(
        letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-LTA", box=SIGNATURE_BOX
    )


@pytest.fixture(scope="module")
def stamped_twice(sender_signed, p12, trust):
    once = pades.add_receipt_stamp(
        sender_signed, p12["seal-a"], PASSPHRASE, trust=trust,
        agency_name="สำนักงานปลัดกระทรวงตัวอย่าง", receipt_no="1234", received_at=RECEIVED,
    )
    twice = pades.add_receipt_stamp(
        once, p12["seal-b"], PASSPHRASE, trust=trust,
        agency_name="กองกลาง สำนักงานปลัดกระทรวง", receipt_no="56", received_at=RECEIVED,
    )
    return once, twice


def _sig_widget_rects(pdf, page_ix=0):
    r = PdfFileReader(BytesIO(pdf), strict=False)
    page = r.root["/Pages"]["/Kids"][page_ix].get_object()
    rects = [
        [float(v) for v in a.get_object()["/Rect"]]
        for a in page.get("/Annots", [])
        if a.get_object().get("/FT") == "/Sig"
    ]
    return [r for r in rects if r[2] > r[0] and r[3] > r[1]]  # archive timestamps are invisible


def test_sender_signature_stays_intact_valid_trusted(stamped_twice, policy, sender_signed):
    _, twice = stamped_twice
    assert twice[: len(sender_signed)] == sender_signed  # nothing signed is rewritten
    report = validation.validate_pdf(twice, policy)
    assert report["ok"], report["summary_th"]
    sender, stamp1, stamp2 = report["signatures"]
    assert sender["signer"]["common_name"] == "นายสมชาย ใจดี"
    assert sender["integrity"]["intact"] and sender["integrity"]["valid"]
    assert sender["chain"]["trusted"]
    assert sender["status"] == "valid"
    level = sender["integrity"]["modification_level"]
    assert level in ("NONE", "LTA_UPDATES", "FORM_FILLING"), level
    assert stamp1["signer"]["common_name"] == "สำนักงานปลัดกระทรวงตัวอย่าง"
    assert stamp2["signer"]["common_name"] == "กรมตัวอย่าง"
    assert stamp1["status"] == stamp2["status"] == "valid"
    assert stamp1["pades_level"] == stamp2["pades_level"] == "B-LTA"


def test_pdfsig_reports_every_signature_valid(stamped_twice, pdfsig):
    _, twice = stamped_twice
    entries = pdfsig(twice)
    cms_entries = [e for e in entries if e.sig_type == "ETSI.CAdES.detached"]
    assert len(cms_entries) == 3
    assert all(e.signature_validation == "Signature is Valid." for e in cms_entries), entries
    # poppler 22.12 lists RFC 3161 document timestamps as "unknown" and cannot check them;
    # openssl does that in the next test.
    others = [e for e in entries if e not in cms_entries]
    assert len(others) == 3 and all(e.field.startswith("Timestamp-") for e in others), others


def test_openssl_verifies_every_signature_and_timestamp(stamped_twice, openssl_verify):
    _, twice = stamped_twice
    results = openssl_verify(twice)
    assert len(results) == 6  # three signatures, three archive timestamps
    assert all(ok for ok, _ in results.values()), {k: v for k, v in results.items() if not v[0]}


def test_stamps_top_right_of_page_one_and_do_not_overlap(stamped_twice):
    once, twice = stamped_twice
    (first,) = _sig_widget_rects(once, 0)
    rects = _sig_widget_rects(twice, 0)
    assert len(rects) == 2
    width, height = 595.0, 842.0  # A4 from the WeasyPrint sample
    assert first[2] == pytest.approx(width - pades.RECEIPT_MARGIN, abs=1)
    assert first[3] == pytest.approx(height - pades.RECEIPT_MARGIN, abs=1)
    second = [r for r in rects if r != first][0]
    assert second[2] <= first[0] or second[3] <= first[1]  # beside or below, never on top
    assert second[0] >= width / 2 - pades.RECEIPT_W  # still in the top-right area
    assert second[1] >= height / 2


def test_unsigned_pdf_gets_the_same_stamp(letter_pdf, p12, trust, policy, pdfsig):
    stamped = pades.add_receipt_stamp(
        letter_pdf, p12["seal-a"], PASSPHRASE, trust=trust, level="B-T",
        agency_name="สำนักงานปลัดกระทรวงตัวอย่าง", receipt_no="7", received_at=RECEIVED,
    )
    assert stamped[: len(letter_pdf)] == letter_pdf
    report = validation.validate_pdf(stamped, policy)
    assert report["ok"]
    assert [s["pades_level"] for s in report["signatures"]] == ["B-T"]
    assert len(_sig_widget_rects(stamped, 0)) == 1
    assert [e.signature_validation for e in pdfsig(stamped)] == ["Signature is Valid."]


def test_receipt_stamp_content_is_thai():
    html = appearance.receipt_stamp_html("กรมตัวอย่าง", "1234", RECEIVED)
    assert "เลขรับ" in html and "วันที่" in html and "เวลา" in html
    assert "๑๒๓๔" in html  # Thai digits
    assert "๒๙ ก.ย. ๖๙" in html  # BE short date, Bangkok day
    assert "๑๐.๐๕ น." in html  # Bangkok time
    pdf = appearance.receipt_stamp_pdf("กรมตัวอย่าง", "1234", RECEIVED, 150, 78)
    r = PdfFileReader(BytesIO(pdf))
    box = [float(v) for v in r.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]]
    assert box[2] - box[0] == pytest.approx(150, abs=0.5) and box[3] - box[1] == pytest.approx(78, abs=0.5)


def test_signature_block_shows_be_date():
    html = appearance.signature_block_html("นายสมชาย ใจดี", "ผู้อำนวยการ", RECEIVED)
    assert "๒๙ กันยายน ๒๕๖๙" in html and "๑๐.๐๕ น." in html and "นายสมชาย ใจดี" in html
