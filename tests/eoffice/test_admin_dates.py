"""The admin's date drill-down (date_hierarchy) reads in Buddhist-era years, as every date of the portal."""
import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model

from eoffice.models import AccessEvent, AccessKind
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, db, admin_login):
    user = get_user_model().objects.create_superuser("root", "root@example.go.th", "x-long-password-1")
    return admin_login(client, user)


@pytest.fixture
def events(staff):
    # Only these (not the login's own): 3 January 2026 and 20 December 2025, Bangkok time (BE 2569 and 2568).
    AccessEvent.objects.all().delete()
    for at in (dt.datetime(2026, 1, 3, 9, 30, tzinfo=BANGKOK), dt.datetime(2025, 12, 20, 14, 0, tzinfo=BANGKOK)):
        event = AccessEvent.objects.create(kind=AccessKind.LOGIN, username="u", target="x")
        AccessEvent.objects.filter(pk=event.pk).update(at=at)  # "at" is set on creation


def drill_down(client, query=""):
    """The titles of the date drill-down's links, in order."""
    page = client.get(f"/admin/eoffice/accessevent/{query}").content.decode()
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S).group(1)
    return [re.sub(r"\s+", " ", t).replace("&lsaquo;", "").strip() for t in re.split(r"<[^>]+>", nav) if t.strip()]


def test_years_are_buddhist_era(staff, events):
    assert drill_down(staff) == ["๒๕๖๘", "๒๕๖๙"]


def test_months_and_days_carry_the_buddhist_era_year(staff, events):
    months = drill_down(staff, "?at__year=2026")
    assert months[1:] == ["มกราคม ๒๕๖๙"]  # after the link back to all dates
    days = drill_down(staff, "?at__year=2026&at__month=1")
    assert days == ["๒๕๖๙", "๓ มกราคม ๒๕๖๙"]
    assert drill_down(staff, "?at__year=2026&at__month=1&at__day=3") == ["มกราคม ๒๕๖๙", "๓ มกราคม ๒๕๖๙"]
    assert not [t for t in months + days if "2026" in t or "2025" in t]


def test_holidays_drill_down_by_buddhist_era_year_too(staff, reference_data):
    page = staff.get("/admin/agencies/holiday/").content.decode()
    nav = re.search(r'<nav class="toplinks">(.*?)</nav>', page, re.S).group(1)
    assert re.search(r">\s*๒๕\d\d\s*<", nav) and not re.search(r">\s*20\d\d\s*<", nav)
