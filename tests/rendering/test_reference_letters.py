"""Acceptance 1: both reference letters (shared/seeds) reproduced from specs; geometry in pt."""

import pytest

from correspondence.rendering.continuation import first_word

from .conftest import (CM, LEFT, PAGE_H, RIGHT, TEXT_CENTRE, guide_size, is_red, lines_of, open_pdf,
                       pdftotext, png_garuda, rendered, squash)

LETTERS = ["moi-2563", "mfa-2563"]
TOL = 2.0


@pytest.fixture(scope="module", params=LETTERS)
def letter(request):
    spec, pdf = rendered(request.param, garuda=png_garuda())
    with open_pdf(pdf) as doc:
        yield request.param, spec, pdf, doc


def body_lines(page):
    """Lines of black 16 pt text inside the page's text block."""
    chars = [c for c in page.chars if not is_red(c) and 70 < c["bottom"] < PAGE_H - 2 * CM]
    return lines_of(page, chars)


def test_margins_left_3cm_right_2cm(letter):
    _, _, _, doc = letter
    for page in doc.pages:
        lines = body_lines(page)
        assert min(line[0]["x0"] for line in lines) == pytest.approx(LEFT, abs=TOL)
        assert max(line[-1]["x1"] for line in lines) == pytest.approx(RIGHT, abs=TOL)
        assert all(line[-1]["x1"] <= RIGHT + 0.5 for line in lines)


def test_garuda_3cm_high_centred_1_5cm_from_top(letter):
    _, _, _, doc = letter
    (image,) = doc.pages[0].images
    assert image["bottom"] - image["top"] == pytest.approx(3 * CM, abs=TOL)
    assert image["top"] == pytest.approx(1.5 * CM, abs=TOL)
    assert (image["x0"] + image["x1"]) / 2 == pytest.approx(TEXT_CENTRE, abs=TOL)
    assert not doc.pages[1].images  # the Garuda is on page 1 only


def test_urgency_mark_red_and_at_least_32pt_on_page_1(letter):
    _, _, pdf, doc = letter
    red = [c for c in doc.pages[0].chars if is_red(c)]
    assert red, "no red urgency mark"
    assert min(guide_size(c) for c in red) >= 32 - 0.01
    assert max(c["bottom"] for c in red) < 4.5 * CM  # at the top, beside the Garuda
    assert pdftotext(pdf, 1, 1).lstrip().startswith("ด่วนที่สุด")
    assert not [c for c in doc.pages[1].chars if is_red(c)]


def test_body_is_16pt(letter):
    _, _, _, doc = letter
    sizes = {round(guide_size(c), 2) for page in doc.pages for c in page.chars if not is_red(c)}
    assert sizes == {16.0}


def test_page_number_centred_at_top_of_page_2(letter):
    _, _, pdf, doc = letter
    assert len(doc.pages) == 2
    first_line = lines_of(doc.pages[1])[0]
    assert (first_line[0]["x0"] + first_line[-1]["x1"]) / 2 == pytest.approx(TEXT_CENTRE, abs=TOL)
    assert first_line[0]["bottom"] < 2.5 * CM
    assert pdftotext(pdf, 2, 2, layout=True).strip().split("\n")[0].strip() == "- ๒ -"
    assert "- ๑ -" not in pdftotext(pdf, 1, 1)


def test_continuation_cue_is_first_word_of_page_2(letter):
    _, _, pdf, doc = letter
    last_line = lines_of(doc.pages[0])[-1]
    assert last_line[-1]["x1"] == pytest.approx(RIGHT, abs=TOL)  # bottom right
    assert last_line[0]["bottom"] > PAGE_H - 2 * CM
    page1 = [line.strip() for line in pdftotext(pdf, 1, 1).splitlines() if line.strip()]
    cue = page1[-1]
    page2 = [line.strip() for line in pdftotext(pdf, 2, 2, layout=True).splitlines() if line.strip()]
    first_text = page2[1]  # after "- ๒ -"
    word = first_word(first_text)
    assert cue == f"/ {word}..."
    assert first_text.startswith(word) and len(word) >= 2
    assert "/" not in pdftotext(pdf, 2, 2).splitlines()[-1]  # no cue on the last page


def test_signature_block_centred_with_space_above_name(letter):
    name, spec, pdf, doc = letter
    page = doc.pages[-1]
    lines = body_lines(page)
    text = [line.strip() for line in pdftotext(pdf, len(doc.pages), len(doc.pages)).splitlines() if line.strip()]
    # Order on the last page: closing, name, position(s), then the contact block.
    i = text.index(spec["closing"])
    assert text[i + 1].endswith(")") and spec["signer"]["name"] in text[i + 1]
    assert text[i + 2] == spec["signer"]["position"][0]
    # pdftotext and pdfplumber see the same lines top to bottom: match them from the bottom
    # (the contact block below is the same length in both).
    k = len(lines) - (len(text) - i)
    centre = [((line[0]["x0"] + line[-1]["x1"]) / 2, line[0]["bottom"]) for line in lines[k:k + 3]]
    closing, signer, position = centre
    assert signer[0] == pytest.approx(closing[0], abs=TOL)
    assert position[0] == pytest.approx(closing[0], abs=TOL)
    assert signer[1] - closing[1] >= 3 * 20.7  # room for the handwritten signature
    assert position[1] - signer[1] == pytest.approx(20.7, abs=0.5)
    assert closing[0] > TEXT_CENTRE  # the block sits in the right half


def test_contact_block_at_left_below_signature(letter):
    _, spec, pdf, doc = letter
    page = doc.pages[-1]
    lines = body_lines(page)
    contact = lines[-(len(spec["owner_unit"]) + 3):]
    assert all(line[0]["x0"] == pytest.approx(LEFT, abs=TOL) for line in contact)
    text = [line.strip() for line in pdftotext(pdf, len(doc.pages), len(doc.pages)).splitlines() if line.strip()]
    assert text[-3:] == [f"โทร. {spec['phone']}", f"โทรสาร {spec['fax']}",
                         f"ไปรษณีย์อิเล็กทรอนิกส์ {spec['email']}"]
    assert text[-3 - len(spec["owner_unit"]):-3] == spec["owner_unit"]


def expected_text(spec):
    """The letter's text in reading order, as the spec gives it (page furniture aside)."""
    from eoffice.thai import format_date, format_signer_name
    import datetime

    parts = ["ด่วนที่สุด", f"ที่ {spec['number']}", spec["issuer"]["name"], *spec["issuer"]["address"],
             format_date(datetime.date.fromisoformat(spec["date"])), "เรื่อง", spec["subject"],
             f"{spec['salutation']} {spec['recipient']}"]
    for label, key in (("อ้างถึง", "references"), ("สิ่งที่ส่งมาด้วย", "enclosures")):
        if spec[key]:
            parts += [label, *spec[key]]
    parts += spec["body"]
    parts += [spec["closing"], format_signer_name(spec["signer"]["name"], spec["signer"]["rank"]),
              *spec["signer"]["position"], *spec["owner_unit"], f"โทร. {spec['phone']}",
              f"โทรสาร {spec['fax']}", f"ไปรษณีย์อิเล็กทรอนิกส์ {spec['email']}"]
    return "".join(parts)


def test_text_reads_back_exactly(letter):
    _, spec, pdf, doc = letter
    pages = [pdftotext(pdf, n, n, layout=True) for n in range(1, len(doc.pages) + 1)]
    text = ""
    for n, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        if n > 1:
            assert lines[0].strip() == f"- {'๐๑๒๓๔๕๖๗๘๙'[n]} -"
            lines = lines[1:]
        if n < len(pages):
            assert lines[-1].strip().startswith("/ ") and lines[-1].strip().endswith("...")
            lines = lines[:-1]
        text += "".join(lines)
    assert squash(text) == squash(expected_text(spec))
