"""Thai distributed justification: lines end at the right margin; word gaps stay small."""

import pytest

from .conftest import LEFT, RIGHT, is_red, lines_of, open_pdf, png_garuda, rendered

TOL = 0.5


@pytest.fixture(scope="module")
def moi():
    spec, pdf = rendered("moi-2563", garuda=png_garuda())
    with open_pdf(pdf) as doc:
        yield spec, doc


def paragraph_lines(doc):
    """Body paragraphs' lines: those starting at the indent begin a paragraph."""
    result = []
    for page in doc.pages:
        chars = [c for c in page.chars if not is_red(c) and 70 < c["bottom"] < 785]
        result += lines_of(page, chars)
    return result


def test_every_line_but_the_last_reaches_the_right_margin(moi):
    spec, doc = moi
    lines = paragraph_lines(doc)
    indent = LEFT + 2.5 * 72 / 2.54
    starts = [i for i, line in enumerate(lines) if abs(line[0]["x0"] - indent) < 1]
    assert len(starts) == len(spec["body"])  # each body paragraph found by its indent
    full = short = 0
    for a, b in zip(starts, starts[1:] + [None]):
        para = lines[a:b] if b else lines[a:]
        # a paragraph ends at its last line that starts at the left margin (or its first line)
        end = 1
        while end < len(para) and abs(para[end][0]["x0"] - LEFT) < 1 and para[end][-1]["x1"] <= RIGHT + 1:
            end += 1
        para = para[:end]
        for line in para[:-1]:
            assert line[-1]["x1"] == pytest.approx(RIGHT, abs=TOL)
            full += 1
        if len(para) > 1:
            assert para[-1][-1]["x1"] < RIGHT - 5  # the last line stays ragged (flush left)
            short += 1
    assert full >= 15 and short >= 3


def test_no_word_gap_wider_than_three_spaces(moi):
    _, doc = moi
    space = None
    gaps = []
    justified = [line for line in paragraph_lines(doc) if abs(max(c["x1"] for c in line) - RIGHT) < TOL]
    assert len(justified) >= 15
    for line in justified:
        for prev, char in zip(line, line[1:]):
            if char["text"] == " ":
                space = char["x1"] - char["x0"] if space is None else space
            gap = char["x0"] - prev["x1"]
            gaps.append(gap)
    assert space and space > 2
    assert max(gaps) <= 3 * space


def test_justify_spreads_between_characters_not_only_spaces(moi):
    _, doc = moi
    # On a justified line, the advance between two Thai base characters exceeds their width.
    justified = [line for line in paragraph_lines(doc) if abs(max(c["x1"] for c in line) - RIGHT) < TOL]
    for line in justified:
        bases = [c for c in line if c["x1"] - c["x0"] > 1]
        extra = [b["x0"] - a["x1"] for a, b in zip(bases, bases[1:])]
        # most neighbouring base glyphs are pushed apart, not just the words
        assert sum(1 for e in extra if e > 0.01) > len(extra) / 2


def test_labels_keep_their_spacing_while_the_subject_is_spread(moi):
    _, doc = moi
    # the first line of เรื่อง: starts at the left margin, reaches the right one, lies below the date
    subject = next(line for line in paragraph_lines(doc)
                   if abs(line[0]["x0"] - LEFT) < 1 and abs(max(c["x1"] for c in line) - RIGHT) < TOL)
    bases = [c for c in subject if c["x1"] - c["x0"] > 1]
    label, text = bases[:4], bases[5:30]  # เ ร อ ง, then the subject's first words
    assert all(abs(b["x0"] - a["x1"]) < 0.01 for a, b in zip(label, label[1:]))
    assert sum(1 for a, b in zip(text, text[1:]) if b["x0"] - a["x1"] > 0.01) > len(text) / 2
