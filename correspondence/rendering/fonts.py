"""Process-wide rendering resources: one FontConfiguration, parsed stylesheets, a local fetcher.

WeasyPrint re-reads fonts and re-parses CSS for every FontConfiguration/CSS object; sharing
them keeps a warm render fast. Templates load only local assets: the fetcher serves
``letters:`` URLs from static/letters and ``data:`` URLs (an uploaded Garuda), nothing else.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

BASE_DIR = Path(__file__).resolve().parents[2]
STATIC_DIR = BASE_DIR / "static" / "letters"
TEMPLATE_DIR = BASE_DIR / "templates" / "letters"

# The typing guide's sizes are TH Sarabun New points. TLWG's Laksaman is TH Sarabun New's
# design scaled up to the size of ordinary fonts (Thai consonants 0.60 em instead of ~0.40 em):
# measured on the reference letters' line breaks, TH Sarabun New 16 pt = Laksaman 10.56 pt.
# So every size is written in TH Sarabun New points and multiplied by the face's scale.
FACES = (("TH Sarabun New", 1.0), ("TH SarabunIT๙", 1.0), ("Laksaman", 0.66))
FALLBACK_FAMILIES = ('"Sarabun"',)


class LocalFetcher(URLFetcher):
    """Serves ``letters:NAME`` from static/letters and ``data:`` URLs; refuses the network."""

    def fetch(self, url, headers=None):
        if url.startswith("letters:"):
            name = url[len("letters:"):]
            path = (STATIC_DIR / name).resolve()
            if STATIC_DIR.resolve() not in path.parents or not path.is_file():
                raise URLFetchingError(f"no such letter asset: {name}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise URLFetchingError(f"letters load only local assets, not {url}")


@functools.cache
def face() -> tuple[str, float]:
    """(family, scale) of the first installed face in FACES: scale × guide size = CSS size."""
    import subprocess

    for family, scale in FACES:
        try:
            found = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            return family, scale
    return FACES[-1]


def size(guide_pt: float) -> float:
    """CSS size in pt of text the typing guide sets at ``guide_pt`` TH Sarabun New points."""
    return round(guide_pt * face()[1], 3)


def family_css() -> str:
    """The CSS font-family list of the face in use and its fallback."""
    return ", ".join([f'"{face()[0]}"', *FALLBACK_FAMILIES])


def face_css() -> str:
    family = family_css()
    body = size(16)
    return (f"html {{ font-family: {family}; font-size: {body}pt; }}\n"
            f"@page {{ @top-center {{ font-family: {family}; font-size: {body}pt; }}"
            f" @bottom-right {{ font-family: {family}; font-size: {body}pt; }}"
            f" @bottom-left {{ font-family: {family}; font-size: {body}pt; }} }}")


@functools.cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@functools.cache
def fetcher() -> LocalFetcher:
    return LocalFetcher()


@functools.cache
def stylesheet(name: str) -> CSS:
    return CSS(string=(STATIC_DIR / name).read_text(encoding="utf-8"), base_url="letters:",
               font_config=font_config(), url_fetcher=fetcher(), counter_style=counter_style())


def css_string(text: str) -> CSS:
    return CSS(string=text, base_url="letters:", font_config=font_config(), url_fetcher=fetcher(),
               counter_style=counter_style())


@functools.cache
def counter_style():
    from weasyprint.css.counters import CounterStyle

    return CounterStyle()


@functools.cache
def face_stylesheet() -> CSS:
    return css_string(face_css())


@functools.cache
def text_width_pt(text: str, guide_pt: float = 16, bold: bool = False) -> float:
    """Natural width of a short text in the letter face (measured once, then cached)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    weight = "bold" if bold else "normal"
    html = (f'<p style="margin:0;white-space:pre;font-size:{size(guide_pt)}pt;font-weight:{weight}">'
            f"<span>{text}</span></p>")
    document = HTML(string=html).render(font_config=font_config(), stylesheets=[face_stylesheet()])

    def widths(box):
        if isinstance(box, boxes.TextBox):
            yield box.width
        for child in getattr(box, "children", ()):
            yield from widths(child)

    return sum(widths(document.pages[0]._page_box)) * 0.75  # CSS px → pt
