"""Fixtures of the hardening tests: the demo officials, the agencies, hostile and harmless PDFs."""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency

FIXTURES = Path(__file__).resolve().parents[1] / "rendering" / "fixtures"


@pytest.fixture
def users(demo_officials):
    return {u.username: u for u in get_user_model().objects.select_related("official").all()}


@pytest.fixture
def units(reference_data):
    return {a.short_name or a.name: a for a in Agency.objects.all()} | {a.name: a for a in Agency.objects.all()}


@pytest.fixture
def mfa_spec():
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    return spec


@pytest.fixture
def media(settings, tmp_path):
    """A media root of this test's own, so "no file left on disk" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT

