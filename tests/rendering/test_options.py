"""Spec options and inputs: ด่วนภายใน, Arabic digits, the Garuda artwork (bytes, path, placeholder)."""


import pytest

from correspondence.rendering.pdf import garuda_url, render_letter_pdf

from .conftest import CM, TEXT_CENTRE, is_red, load, open_pdf, pdftotext, png_garuda


def test_deliver_by_is_printed_red_under_the_urgency_mark():
    spec = load("mfa-2563")
    spec["deliver_by"] = "2020-09-18T10:00"
    pdf = render_letter_pdf(spec)
    with open_pdf(pdf) as doc:
        red_text = "".join(c["text"] for c in doc.pages[0].chars if is_red(c))
        assert red_text  # drawn in red
    text = pdftotext(pdf, 1, 1, layout=True)
    assert "ด่วนภายใน ๑๘ กันยายน ๒๕๖๓ เวลา ๑๐.๐๐ น." in text
    assert text.index("ด่วนที่สุด") < text.index("ด่วนภายใน") < text.index("ที่ กต")


def test_arabic_digits_for_generated_text():
    spec = load("moi-2563")
    spec["digits"] = "arabic"
    spec["number"] = "มท 0218/ต.ก.55"
    pdf = render_letter_pdf(spec)
    assert "12 พฤษภาคม 2563" in pdftotext(pdf, 1, 1)
    assert "มท 0218/ต.ก.55" in pdftotext(pdf, 1, 1)
    assert pdftotext(pdf, 2, 2, layout=True).strip().splitlines()[0].strip() == "- 2 -"


def test_thai_digits_convert_number_and_phone():
    spec = load("mfa-2563")
    spec["number"] = "กต 0203/6381"
    spec["phone"] = "02 260 6420"
    text = pdftotext(render_letter_pdf(spec))
    assert "ที่ กต ๐๒๐๓/๖๓๘๑" in text and "โทร. ๐๒ ๒๖๐ ๖๔๒๐" in text


def test_garuda_from_a_path(tmp_path):
    path = tmp_path / "garuda.png"
    path.write_bytes(png_garuda())
    with open_pdf(render_letter_pdf(load("mfa-2563"), garuda=path)) as doc:
        (image,) = doc.pages[0].images
        assert image["bottom"] - image["top"] == pytest.approx(3 * CM, abs=2)


def test_placeholder_garuda_fills_the_same_box():
    with open_pdf(render_letter_pdf(load("mfa-2563"))) as doc:
        page = doc.pages[0]
        assert not page.images
        shapes = [o for o in page.curves + page.rects + page.lines if o["top"] < 5 * CM]
        top = min(o["top"] for o in shapes)
        bottom = max(o["bottom"] for o in shapes)
        left = min(o["x0"] for o in shapes)
        right = max(o["x1"] for o in shapes)
        assert top == pytest.approx(1.5 * CM, abs=2)
        assert bottom - top == pytest.approx(3 * CM, abs=2)
        assert (left + right) / 2 == pytest.approx(TEXT_CENTRE, abs=2)


def test_garuda_must_be_an_image():
    with pytest.raises(ValueError, match="PNG, JPEG or SVG"):
        garuda_url(b"GIF89a....")
    assert garuda_url(b"<svg xmlns='http://www.w3.org/2000/svg'/>").startswith("data:image/svg+xml;base64,")


def test_line_final_hyphens_survive_text_extraction():
    """Lines that end at a word's hyphen (โคโรนา-|๑๙) read back with the hyphen in poppler's
    default mode, which otherwise joins such lines as hyphenated words; "รับ - ส่ง" never
    breaks at the spaced hyphen."""
    from .conftest import squash

    spec = load("mfa-2563")
    words = "โรคติดเชื้อไวรัสโคโรนา-๑๙ การรับ - ส่งหนังสือ e-Office ร่าง-แก้ไข"
    spec["body"] = [" ".join([words] * 12)]
    pdf = render_letter_pdf(spec)
    lines = [line.rstrip() for line in pdftotext(pdf, layout=True).splitlines()]
    assert any(line.endswith("-") for line in lines)  # the case under test does occur
    assert not any(line.endswith(" -") or line.strip().startswith("- ส่ง") for line in lines)
    assert squash(" ".join([words] * 12)) in squash(pdftotext(pdf))
