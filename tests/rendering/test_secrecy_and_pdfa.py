"""Acceptance 2 (secrecy marks on every page, cues on all but the last) and PDF/A-3u output."""

import io
import json
import subprocess

import pypdf
import pytest

from .conftest import CM, PAGE_H, TEXT_CENTRE, is_red, lines_of, open_pdf, pdftotext, rendered


def three_pages_secret(spec):
    spec["secrecy"] = "secret"
    spec["urgency"] = "normal"
    spec["body"] = spec["body"][:-1] * 2 + spec["body"][-1:]


three_pages_secret.__name__ = "three_pages_secret"


@pytest.fixture(scope="module")
def secret():
    spec, pdf = rendered("moi-2563", mutate=three_pages_secret)
    with open_pdf(pdf) as doc:
        yield spec, pdf, doc


def test_secret_letter_has_three_pages_with_marks_top_and_bottom(secret):
    _, pdf, doc = secret
    assert len(doc.pages) == 3
    for n, page in enumerate(doc.pages, start=1):
        red_lines = lines_of(page, [c for c in page.chars if is_red(c)])
        assert len(red_lines) == 2, f"page {n}: expected a mark at the top and at the bottom"
        top, bottom = red_lines
        for line in (top, bottom):
            assert (line[0]["x0"] + line[-1]["x1"]) / 2 == pytest.approx(TEXT_CENTRE, abs=2)
        assert top[-1]["bottom"] < 1.5 * CM  # above the Garuda / page number
        assert bottom[0]["top"] > PAGE_H - 2 * CM + 10  # below the cue line's top
        text = pdftotext(pdf, n, n, layout=True)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == "ลับมาก" and lines[-1] == "ลับมาก"


def test_cues_on_pages_1_and_2_only(secret):
    _, pdf, doc = secret
    for n in (1, 2):
        lines = [line.strip() for line in pdftotext(pdf, n, n, layout=True).splitlines() if line.strip()]
        assert lines[-2].startswith("/ ") and lines[-2].endswith("...")  # above the bottom mark
        nxt = [line.strip() for line in pdftotext(pdf, n + 1, n + 1, layout=True).splitlines() if line.strip()]
        # next page: secrecy mark, page number, then the text the cue announces
        assert nxt[1] == f"- {'๐๑๒๓'[n + 1]} -"
        assert nxt[2].startswith(lines[-2][2:-3])
    last = [line.strip() for line in pdftotext(pdf, 3, 3, layout=True).splitlines() if line.strip()]
    assert not any(line.startswith("/ ") for line in last)


@pytest.fixture(scope="module")
def moi_pdf():
    return rendered("moi-2563")


def test_pdfa_3u_identification_title_and_language(moi_pdf):
    spec, pdf = moi_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="U"' in xmp
    assert root["/Lang"] == "th"
    assert reader.metadata.title == spec["subject"]
    assert "/OutputIntents" in root


def test_fonts_embedded(moi_pdf):
    _, pdf = moi_pdf
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    if not out:  # older poppler cannot read stdin
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            out = subprocess.run(["pdffonts", f.name], capture_output=True, check=True).stdout.decode()
    rows = out.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)  # emb column


def test_spec_attached_as_associated_letter_json(moi_pdf):
    spec, pdf = moi_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == ["letter.json"]
    (data,) = reader.attachments["letter.json"]
    assert json.loads(data) == spec
    root = reader.trailer["/Root"]
    af = [ref.get_object() for ref in root["/AF"]]
    assert len(af) == 1
    assert af[0]["/F"] == "letter.json" and af[0]["/AFRelationship"] == "/Data"
    assert af[0]["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_every_glyph_has_a_unicode_mapping(moi_pdf):
    # PDF/A-3u: each glyph maps to Unicode. WeasyPrint alone leaves glyphs that share a cluster
    # (nikhahit of ำ, stacked tone marks) mapped to nothing.
    import re

    _, pdf = moi_pdf
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode()
            entries = re.findall(r"<([0-9a-fA-F]+)> <([0-9a-fA-F]*)>", cmap)
            seen += len(entries)
            assert all(target for _, target in entries), "glyph mapped to empty text"
    assert seen > 50
