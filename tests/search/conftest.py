"""Fixtures of the search tests: the demo officials as users, units by short name, item factories."""
import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency
from correspondence.models import Channel
from correspondence.services import receiving

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
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    return spec


@pytest.fixture
def receive(users, units):
    """An item received by สลค. (by its clerk, or its secret registrar for a classified one)."""

    def make(subject, *, secrecy=0, sender="กระทรวงการต่างประเทศ", number="", pdf=None, unit="สลค.", by=None):
        by = by or (users["soc.secret"] if secrecy else users["soc.clerk"])
        return receiving.incoming_receive(unit=units[unit], by=by, channel=Channel.SCAN, subject=subject,
                                          sender_text=sender, their_number=number, secrecy=secrecy, pdf=pdf,
                                          dated=dt.date(2020, 9, 17) if number else None)

    return make
