"""The admin's lists: a constant number of queries whatever the number of rows."""
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, AgencyLevel, LetterCode
from agencies.selectors import agencies_with_letter_code
from eoffice.models import AccessEvent, AccessKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, reference_data, admin_login):
    user = get_user_model().objects.create_superuser("root", "root@example.go.th", "x-long-password-1")
    return admin_login(client, user)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_agency_list_does_not_query_per_row(staff, units):
    url = "/admin/agencies/agency/"
    queries(staff, url)  # caches filled once per process (content types, permissions) are not counted
    few = queries(staff, url)
    # Sections four levels down: their letter code comes from the ministry at the top.
    division = Agency.objects.create(name="กองทดสอบ", level=AgencyLevel.DIVISION, parent=units["ศทส."].parent)
    Agency.objects.bulk_create([Agency(name=f"ฝ่ายทดสอบ {n}", level=AgencyLevel.SECTION, parent=division)
                                for n in range(20)])
    assert queries(staff, url) == few


def test_the_letter_code_of_the_list_is_the_agencys_own_answer(units):
    ict = units["ศทส."]
    section = Agency.objects.create(name="ฝ่ายทดสอบ", level=AgencyLevel.SECTION,
                                    parent=Agency.objects.create(name="กองทดสอบ", level=AgencyLevel.DIVISION,
                                                                 parent=ict.parent))
    LetterCode.objects.create(agency=section.parent, code="ฝท")  # a code lower down wins over the ministry's
    days = [dt.date.today(), dt.date(2015, 1, 1)]  # before ดศ: the old ทก
    for day in days:
        listed = {a.pk: a.current_letter_code for a in agencies_with_letter_code(Agency.objects.all(), day)}
        for agency in Agency.objects.all():
            assert listed[agency.pk] == agency.letter_code(day), (agency.name, day)
    assert listed[section.pk] == "ฝท"


def test_the_access_event_list_does_not_query_per_row(staff):
    url = "/admin/eoffice/accessevent/"
    User = get_user_model()

    def events(count):
        for n in range(count):
            user = User.objects.create_user(f"u{AccessEvent.objects.count()}-{n}", password="x-long-password-1")
            AccessEvent.objects.create(kind=AccessKind.LOGIN, user=user, username=user.username, target="x")

    events(2)
    queries(staff, url)
    few = queries(staff, url)
    events(18)
    assert queries(staff, url) == few
