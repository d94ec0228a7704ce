"""Shared helpers for the rendering tests: reference specs, rendered PDFs (once per session),
poppler text and pdfplumber geometry. No database."""

import copy
import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from correspondence.rendering import fonts
from correspondence.rendering.pdf import render_letter_pdf

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
CM = 72 / 2.54
PAGE_W, PAGE_H = 595.28, 841.89
LEFT, RIGHT = 3 * CM, PAGE_W - 2 * CM
TEXT_CENTRE = (LEFT + RIGHT) / 2
RED = (0.878, 0.0, 0.0)


def load(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def guide_size(char):
    """A PDF char's size in TH Sarabun New points (the typing guide's unit)."""
    return char["size"] / fonts.face()[1]


def pdftotext(pdf: bytes, first=None, last=None, layout=False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    if layout:
        args.append("-layout")
    return subprocess.run(args + ["-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lines_of(page, chars=None, tolerance=3):
    """Group a page's chars into lines by baseline (bottom), top to bottom."""
    chars = sorted(chars if chars is not None else page.chars, key=lambda c: (round(c["bottom"]), c["x0"]))
    lines = []
    for c in chars:
        if lines and abs(lines[-1][0]["bottom"] - c["bottom"]) <= tolerance:
            lines[-1].append(c)
        else:
            lines.append([c])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def is_red(char):
    color = char.get("non_stroking_color")
    return color is not None and len(color) == 3 and color[0] > 0.8 and color[1] < 0.1 and color[2] < 0.1


def png_garuda() -> bytes:
    """A plain 270×300 PNG standing in for uploaded artwork (so it is an image XObject)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (270, 300), (40, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


_cache = {}


def rendered(name, garuda=None, mutate=None):
    key = (name, garuda is not None, mutate.__name__ if mutate else None)
    if key not in _cache:
        spec = copy.deepcopy(load(name))
        if mutate:
            mutate(spec)
        _cache[key] = (spec, render_letter_pdf(spec, garuda=garuda))
    return _cache[key]


@pytest.fixture(scope="session")
def garuda_png():
    return png_garuda()


def open_pdf(pdf: bytes):
    import io

    return pdfplumber.open(io.BytesIO(pdf))
