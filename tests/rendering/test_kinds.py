"""Acceptance 3: every kind renders with its own elements; envelopes."""

import copy
import json

import pytest

from correspondence.rendering.pdf import ENVELOPE_SIZES_MM, render_envelope_pdf, render_letter_pdf
from correspondence.rendering.spec import LetterSpecError

from .conftest import FIXTURES, CM, is_red, load, open_pdf, pdftotext, squash

KINDS = json.loads((FIXTURES / "kinds.json").read_text(encoding="utf-8"))

# What each kind must show, beyond its body (ระเบียบงานสารบรรณ; domain notes §1).
EXPECTED = {
    "memo": ["ด่วน", "บันทึกข้อความ", "ส่วนราชการ", "กองกลาง สำนักงานปลัดกระทรวง โทร. ๐ ๒๒๒๑ ๔๑๔๑", "ที่", "มท ๐๒๐๑/๑๒๓",
             "วันที่", "๕ มกราคม ๒๕๖๗", "เรื่อง", "เรียน ปลัดกระทรวงมหาดไทย", "(นางสาวสมใจ ใจดี)"],
    "stamped": ["ที่ มท ๐๒๐๑/๔๕๖", "ถึง กรมการปกครอง", "กระทรวงมหาดไทย", "สจ.", "๕ มกราคม ๒๕๖๗", "กองกลาง",
                "โทร. ๐ ๒๒๒๑ ๔๑๔๑"],
    "order": ["คำสั่งกระทรวงมหาดไทย", "ที่ ๑/๒๕๖๗", "เรื่อง แต่งตั้งคณะทำงานพัฒนาระบบสารบรรณอิเล็กทรอนิกส์",
              "สั่ง ณ วันที่ ๕ มกราคม พ.ศ. ๒๕๖๗", "(นายสมชาย รักงาน)", "ปลัดกระทรวงมหาดไทย"],
    "regulation": ["ระเบียบกระทรวงมหาดไทย", "ว่าด้วยการรับส่งหนังสือทางอิเล็กทรอนิกส์", "(ฉบับที่ ๒)", "พ.ศ. ๒๕๖๗",
                   "ประกาศ ณ วันที่ ๕ มกราคม พ.ศ. ๒๕๖๗", "(นายสมชาย รักงาน)"],
    "bylaw": ["ข้อบังคับสภามหาวิทยาลัย", "ว่าด้วยการประชุมสภา", "พ.ศ. ๒๕๖๗", "ประกาศ ณ วันที่ ๕ มกราคม พ.ศ. ๒๕๖๗"],
    "announcement": ["ประกาศกระทรวงมหาดไทย", "เรื่อง รับสมัครบุคคลเพื่อเลือกสรรเป็นพนักงานราชการ",
                     "ประกาศ ณ วันที่ ๕ มกราคม พ.ศ. ๒๕๖๗", "(นายสมชาย รักงาน)"],
    "statement": ["แถลงการณ์กระทรวงมหาดไทย", "เรื่อง สถานการณ์อุทกภัย", "ฉบับที่ ๓", "กระทรวงมหาดไทย",
                  "๕ มกราคม พ.ศ. ๒๕๖๗"],
    "news": ["ข่าวกระทรวงมหาดไทย", "เรื่อง การเปิดใช้ระบบสารบรรณอิเล็กทรอนิกส์", "๕ มกราคม พ.ศ. ๒๕๖๗"],
    "certificate": ["เลขที่ ๑๒/๒๕๖๗", "กรมการปกครอง", "หนังสือรับรอง", "ให้ไว้ ณ วันที่ ๕ มกราคม พ.ศ. ๒๕๖๗",
                    "(นายสมชาย รักงาน)", "อธิบดีกรมการปกครอง"],
    "minutes": ["รายงานการประชุมคณะทำงานพัฒนาระบบสารบรรณ", "ครั้งที่ ๑/๒๕๖๗", "เมื่อวันที่ ๕ มกราคม ๒๕๖๗",
                "ณ ห้องประชุมกองกลาง", "ผู้มาประชุม", "ผู้ไม่มาประชุม", "ผู้เข้าร่วมประชุม", "เริ่มประชุมเวลา ๐๙.๓๐ น.",
                "เลิกประชุมเวลา ๑๒.๐๐ น.", "ผู้จดรายงานการประชุม"],
    "record": ["บันทึก", "เรื่อง รายงานผลการตรวจรับวัสดุ", "เรียน ผู้อำนวยการกองกลาง", "(นายสมหมาย ช่วยงาน)",
               "๕ มกราคม ๒๕๖๗"],
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_renders_its_elements_in_order(kind):
    spec = KINDS[kind]
    pdf = render_letter_pdf(spec)
    text = squash(pdftotext(pdf, layout=True))
    position = 0
    for element in EXPECTED[kind]:
        found = text.find(squash(element), position)
        assert found >= 0, f"{kind}: {element!r} missing or out of order"
        position = found
    for paragraph in spec["body"]:
        assert squash(paragraph) in text


def test_unsigned_kinds_have_no_signature_and_signed_kinds_do():
    for kind in ("statement", "news"):
        assert "(" not in pdftotext(render_letter_pdf(KINDS[kind])).replace("(ฉบับ", "")
    assert "(นายสมชาย รักงาน)" in pdftotext(render_letter_pdf(KINDS["order"]))


def test_memo_garuda_is_small_and_top_left(garuda_png):
    with open_pdf(render_letter_pdf(KINDS["memo"], garuda=garuda_png)) as doc:
        (image,) = doc.pages[0].images
        assert image["bottom"] - image["top"] == pytest.approx(1.5 * CM, abs=2)
        assert image["x0"] == pytest.approx(3 * CM, abs=2)
        heading = [c for c in doc.pages[0].chars if c["size"] > 15 and not is_red(c)]
        assert heading  # บันทึกข้อความ in large bold type


def test_stamped_letter_has_a_red_stamp():
    with open_pdf(render_letter_pdf(KINDS["stamped"])) as doc:
        assert any(is_red(c) for c in doc.pages[0].chars)
        assert doc.pages[0].curves or doc.pages[0].rects


@pytest.mark.parametrize("kind,key", [("memo", "owner_unit"), ("order", "number"), ("announcement", "signer"),
                                      ("minutes", "meeting"), ("certificate", "issuer")])
def test_missing_required_element_is_an_error(kind, key):
    spec = copy.deepcopy(KINDS[kind])
    del spec[key]
    with pytest.raises(LetterSpecError) as error:
        render_letter_pdf(spec)
    assert [p.path for p in error.value.problems] == [f"$.{key}"]


@pytest.mark.parametrize("size", sorted(ENVELOPE_SIZES_MM))
def test_envelopes(size):
    spec = load("moi-2563")
    spec["recipient_address"] = ["สำนักเลขาธิการคณะรัฐมนตรี", "ทำเนียบรัฐบาล ถนนพิษณุโลก", "กรุงเทพฯ ๑๐๓๐๐"]
    pdf = render_envelope_pdf(spec, size)
    with open_pdf(pdf) as doc:
        (page,) = doc.pages
        w, h = ENVELOPE_SIZES_MM[size]
        assert page.width == pytest.approx(w / 25.4 * 72, abs=1)
        assert page.height == pytest.approx(h / 25.4 * 72, abs=1)
        red = [c for c in page.chars if is_red(c)]
        assert red and min(c["size"] for c in red) >= 21  # urgency mark, 32 guide-pt
        recipient = [c for c in page.chars if c["x0"] > page.width * 0.4 and c["top"] > page.height * 0.45]
        assert recipient
    text = squash(pdftotext(pdf, layout=True))
    for part in ["ด่วนที่สุด", "กระทรวงมหาดไทย", "ที่มท๐๒๑๘/ต.ก.๕๕", "เรียนเลขาธิการคณะรัฐมนตรี", "กรุงเทพฯ๑๐๓๐๐"]:
        assert part in text


@pytest.mark.parametrize("digits,first", [("thai", "๑. "), ("arabic", "1. ")])
def test_minutes_number_the_attendees_in_the_letters_digits(digits, first):
    spec = {**KINDS["minutes"], "digits": digits}
    spec["meeting"] = {**spec.get("meeting", {}), "present": ["นายหนึ่ง ทดสอบ", "นางสอง ทดสอบ"]}
    text = squash(pdftotext(render_letter_pdf(spec)))
    assert squash(f"{first}นายหนึ่ง ทดสอบ") in text
