"""Fixtures of the registry tests: the demo officials as users, and the reference letter's spec."""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency

FIXTURES = Path(__file__).resolve().parents[1] / "rendering" / "fixtures"


@pytest.fixture
def users(demo_officials):
    User = get_user_model()
    return {u.username: u for u in User.objects.select_related("official").all()}


@pytest.fixture
def units(reference_data):
    return {a.short_name or a.name: a for a in Agency.objects.all()} | {a.name: a for a in Agency.objects.all()}


@pytest.fixture
def mfa_spec():
    """The กระทรวงการต่างประเทศ reference letter as drafted: the portal fills in number and date."""
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    return spec
