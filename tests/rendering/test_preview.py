"""The fast preview path: one page image (or a plain PDF) of a two-page letter under 300 ms."""

import io
import statistics
import time

from PIL import Image

from correspondence.rendering.pdf import render_preview

from .conftest import load


def test_preview_png_is_the_first_page_and_fast():
    spec = load("moi-2563")
    render_preview(spec)  # warm: fonts, stylesheets, templates
    times = []
    for _ in range(5):
        start = time.perf_counter()
        png = render_preview(spec, resolution=72)
        times.append(time.perf_counter() - start)
    image = Image.open(io.BytesIO(png))
    assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1  # A4 at 72 dpi
    assert statistics.median(times) < 0.300, f"median {statistics.median(times) * 1000:.0f} ms"


def test_preview_second_page_and_pdf():
    spec = load("moi-2563")
    page2 = Image.open(io.BytesIO(render_preview(spec, page=2, resolution=36)))
    assert abs(page2.size[0] - 298) <= 1 and abs(page2.size[1] - 421) <= 1
    pdf = render_preview(spec, fmt="pdf")
    assert pdf.startswith(b"%PDF-")
