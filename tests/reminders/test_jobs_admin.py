"""The admin lists of notifications, reminders and destruction lists open, and leave out what the
administrator may not see."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from correspondence.models import Notification, Reminder
from correspondence.services import receiving

pytestmark = pytest.mark.django_db

SECRET = "ลับเฉพาะเรื่องยุทธการ"


def test_admin_lists_leave_out_classified_rows(users, units, received, assigned, admin_login):
    admin = get_user_model().objects.get(username="admin")
    hidden = received(subject=SECRET, secrecy=1)
    receiving.minute_write(hidden, by=users["soc.exec"], action="มอบ ดำเนินการ",
                           assignee=users["soc.officer"].official)
    assigned(subject="เรื่องธรรมดา")
    assert Reminder.objects.filter(item=hidden).exists()
    client = admin_login(Client(), admin)
    for url in ("/admin/correspondence/notification/", "/admin/correspondence/reminder/",
                "/admin/correspondence/destructionlist/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert SECRET not in r.content.decode()
    # The reminders listed are those of items the administrator may see: not the classified one.
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = admin
    listed = site._registry[Reminder].get_queryset(request)
    assert not listed.filter(item=hidden).exists() and listed.exists()
    # A notification about the classified item, to someone else, is not listed either.
    from correspondence.services.notifications import notify

    assert notify(users["soc.officer"], "reminder", f"เรื่อง {SECRET}", obj=hidden) is not None
    assert Notification.objects.filter(secrecy=1).exists()
    assert SECRET not in client.get("/admin/correspondence/notification/").content.decode()
