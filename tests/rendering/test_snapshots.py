"""Acceptance 4: page images of the reference letters compared with kept snapshots.

A changed layout fails here until the snapshots are regenerated on purpose:
    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/rendering/test_snapshots.py
"""

import io
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from .conftest import rendered

SNAPSHOTS = Path(__file__).parent / "snapshots"
RESOLUTION = 50  # dpi: enough to see a line move by 1 pt
# A pixel "differs" when its grey level moves by more than THRESHOLD; the page fails when more
# than MAX_CHANGED of its pixels differ (antialiasing noise across poppler builds stays far below).
THRESHOLD = 64
MAX_CHANGED = 0.002


def page_images(pdf: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-png", "-r", str(RESOLUTION), str(src), str(Path(tmp) / "p")],
                       check=True)
        return [Image.open(io.BytesIO(p.read_bytes())).convert("L") for p in sorted(Path(tmp).glob("p-*.png"))]


def changed_fraction(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > THRESHOLD else 0)
    return diff.histogram()[255] / (a.size[0] * a.size[1])


@pytest.mark.parametrize("name", ["moi-2563", "mfa-2563"])
def test_pages_match_snapshots(name):
    _, pdf = rendered(name)
    images = page_images(pdf)
    paths = [SNAPSHOTS / f"{name}-{n}.png" for n in range(1, len(images) + 1)]
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        for old in SNAPSHOTS.glob(f"{name}-*.png"):
            old.unlink()
        for image, path in zip(images, paths):
            image.save(path, optimize=True)
    kept = sorted(SNAPSHOTS.glob(f"{name}-*.png"))
    assert len(kept) == len(images), "page count changed"
    for image, path in zip(images, paths):
        fraction = changed_fraction(image, Image.open(path).convert("L"))
        assert fraction <= MAX_CHANGED, f"{path.name}: {fraction:.2%} of pixels changed"


def test_comparison_detects_a_moved_line():
    """Guard: shifting the page by 1 pt is caught (the tolerance is not too loose)."""
    _, pdf = rendered("moi-2563")
    image = page_images(pdf)[0]
    shifted = Image.new("L", image.size, 255)
    shifted.paste(image, (0, 1))
    assert changed_fraction(image, shifted) > MAX_CHANGED
