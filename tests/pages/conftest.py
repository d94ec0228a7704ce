"""Fixtures of the page tests: the demo officials, their units, and incoming items made in bulk."""
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
def soc(units):
    return units["สำนักเลขาธิการคณะรัฐมนตรี"]


@pytest.fixture
def mfa_spec():
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    return spec


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client
    return as_user
