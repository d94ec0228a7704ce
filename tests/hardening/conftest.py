"""Fixtures of the hardening tests: a media root of the test's own, hostile and harmless PDFs (the demo
officials, the agencies and the reference letter come from tests/conftest.py)."""
import pytest


@pytest.fixture
def media(settings, tmp_path):
    """A media root of this test's own, so "no file left on disk" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT

