"""Register-book PDFs: landscape, heading, header row on every page, text reads back."""

import pytest

from correspondence.rendering.pdf import render_register_pdf

from .conftest import open_pdf, pdftotext, squash

COLUMNS = [{"label": "เลขทะเบียนรับ", "width": "2.2cm"}, {"label": "ที่", "width": "3.2cm"},
           {"label": "ลงวันที่", "width": "2.4cm"}, "จาก", "ถึง", {"label": "เรื่อง", "width": "8cm"},
           "การปฏิบัติ", "หมายเหตุ"]


def rows(n):
    return [[f"{i}", "กต ๐๒๐๓/๖๓๘๑", "29 ก.ย. 2563", "กระทรวงการต่างประเทศ", "เลขาธิการคณะรัฐมนตรี",
             f"การดำเนินงานตามมติคณะรัฐมนตรี เรื่องที่ {i} น้ำท่วม ผู้ใหญ่บ้าน", "กจค", None] for i in range(1, n + 1)]


def test_landscape_with_repeated_header():
    pdf = render_register_pdf("ทะเบียนหนังสือรับ", "ประจำเดือนกันยายน ๒๕๖๓", COLUMNS, rows(60))
    with open_pdf(pdf) as doc:
        assert len(doc.pages) >= 2
        for page in doc.pages:
            assert page.width > page.height  # landscape
    pages = len(doc.pages)
    for n in range(1, pages + 1):
        text = pdftotext(pdf, n, n)
        assert "ลงวันที่" in text and "การปฏิบัติ" in text and "หมายเหตุ" in text  # header on every page
        assert f"หน้า {'๐๑๒๓๔๕๖๗๘๙'[n]} / {'๐๑๒๓๔๕๖๗๘๙'[pages]}" in text
    text = squash(pdftotext(pdf))
    assert squash("ทะเบียนหนังสือรับ") in text and squash("ประจำเดือนกันยายน ๒๕๖๓") in text
    # a wrapped cell's lines interleave with the next cells in extraction order: check by line
    assert squash("การดำเนินงานตามมติคณะรัฐมนตรี เรื่องที่ 60 น้ำ") in text and "ท่วมผู้ใหญ่บ้าน" in text


def test_empty_register_and_bad_rows():
    pdf = render_register_pdf("ทะเบียนหนังสือส่ง", "", ["ที่", "เรื่อง"], [])
    assert "ไม่มีรายการ" in pdftotext(pdf)
    with pytest.raises(ValueError, match="row 1"):
        render_register_pdf("ทะเบียนหนังสือส่ง", "", ["ที่", "เรื่อง"], [["1"]])


def test_the_heading_is_on_every_page():
    """The regulation heads each page of a register with its name and period, not only the first."""
    title, period = "ทะเบียนหนังสือรับ สำนักเลขาธิการคณะรัฐมนตรี", "ระหว่างวันที่ ๑ มกราคม ๒๕๖๙ ถึง ๓๑ มีนาคม ๒๕๖๙"
    pdf = render_register_pdf(title, period, COLUMNS, rows(60))
    with open_pdf(pdf) as doc:
        pages = len(doc.pages)
    assert pages >= 2
    for n in range(1, pages + 1):
        text = squash(pdftotext(pdf, n, n))
        assert squash(title) in text and squash(period) in text, n
        assert text.index(squash(title)) < text.index("ลงวันที่")  # above the column headers
