"""Text extracted by poppler equals the source for every Thai vowel / tone-mark combination."""

import itertools

import pytest
from weasyprint import HTML
from weasyprint.draw import text as wp_text

from correspondence.rendering import actualtext, fonts

from .conftest import pdftotext, squash

CONSONANTS = ["ก", "ป", "ฝ", "ฟ", "ฬ", "ญ", "ฐ", "ฎ", "ฏ", "ร", "ฤ"]  # plain, tall, with descenders
UPPER = ["", "ั", "ิ", "ี", "ึ", "ื", "็"]
LOWER = ["ุ", "ู", "ฺ"]
TONES = ["", "่", "้", "๊", "๋", "์", "ํ"]
LEADING = ["เ", "แ", "โ", "ใ", "ไ"]
FOLLOWING = ["ะ", "า", "ำ", "ๅ"]


def syllables():
    words = []
    for c in CONSONANTS:
        for upper, tone in itertools.product(UPPER, TONES):
            words.append(c + upper + tone)
        for lower, tone in itertools.product(LOWER, TONES[:5]):
            words.append(c + lower + tone)
        for tone, following in itertools.product(TONES[:5], FOLLOWING):
            words.append(c + tone + following)  # น้ำ ก่า ป๋ะ
        for lead, tone in itertools.product(LEADING, TONES[:5]):
            words.append(lead + c + tone)
            words.append(lead + c + tone + "า" + "ะ")  # เก้าะ-like sequences
    words += ["สำนักเลขาธิการ", "น้ำ", "ที่นี่", "ผู้ใหญ่", "กรุงเทพฯ", "ๆ", "฿", "๏", "๚ะ", "๛",
              "เปลี่ยน", "เกื้อ", "ปั้น", "ฟื้น", "ญู่", "ฐุ้", "กำลั่ง", "ก็", "ภูมิ", "พระราชพิธี"]
    words.append("๐๑๒๓๔๕๖๗๘๙")
    return words


def render(text: str) -> bytes:
    html = f'<html lang="th"><body><p>{text}</p></body></html>'
    doc = HTML(string=html).render(font_config=fonts.font_config(),
                                   stylesheets=[fonts.face_stylesheet()])
    return doc.write_pdf()


def test_every_vowel_and_tone_mark_combination_reads_back():
    actualtext.install()
    words = syllables()
    assert len(words) > 1000
    source = " ".join(words)
    extracted = pdftotext(render(source))
    assert squash(extracted) == squash(source)


def test_each_syllable_alone_reads_back():
    # Glyph reuse is what breaks WeasyPrint's own mapping: check syllables that each start a
    # fresh line, so a glyph first seen in one cluster is later drawn in another.
    actualtext.install()
    words = syllables()[::7]
    source = "<br>".join(words)
    extracted = pdftotext(render(source))
    assert [w for w in extracted.split() if w] == words


def test_without_the_fix_text_is_wrong():
    """Guard: the test above would fail on WeasyPrint's own drawing (so it tests something)."""
    actualtext.install()
    patched = wp_text.draw_first_line
    wp_text.draw_first_line = actualtext._original
    try:
        extracted = pdftotext(render("สำนักเลขาธิการ น้ำ ที่นี่"))
    finally:
        wp_text.draw_first_line = patched
    assert squash(extracted) != squash("สำนักเลขาธิการ น้ำ ที่นี่")


def test_refuses_other_weasyprint_versions(monkeypatch):
    monkeypatch.setattr(actualtext, "_installed", False)
    monkeypatch.setattr(actualtext.weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="WeasyPrint 70.0"):
        actualtext.install()
