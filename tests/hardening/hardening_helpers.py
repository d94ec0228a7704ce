"""Helpers of the hardening tests (imported by name: the conftest modules are not importable)."""
import io
from pathlib import Path

from rest_framework.test import APIClient


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def pdf_bytes(build=None) -> bytes:
    """A one-page PDF written by pypdf; ``build(writer)`` adds whatever the test needs."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())
