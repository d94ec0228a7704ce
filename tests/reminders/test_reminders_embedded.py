"""The embedded default (SQLite, no servers): the scan still sends the reminder, then the escalation,
each once, and nothing after acknowledgement."""
import datetime as dt

import pytest

from correspondence.models import Notification, NotificationKind
from correspondence.services import receiving
from correspondence.services.reminders import reminders_send_due

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_reminder_then_escalation_once_on_sqlite(users, assigned):
    _, minute = assigned()
    t0 = minute.written_at
    assert [reminders_send_due(now=t0 + dt.timedelta(minutes=61)) for _ in range(2)] == [1, 0]
    assert [reminders_send_due(now=t0 + dt.timedelta(hours=4, minutes=1)) for _ in range(2)] == [1, 0]
    assert Notification.objects.filter(user=users["soc.officer"], kind=NotificationKind.REMINDER).count() == 1
    assert Notification.objects.filter(user=users["soc.exec"], kind=NotificationKind.ESCALATION).count() == 1


def test_acknowledged_means_no_reminder_on_sqlite(users, assigned):
    _, minute = assigned()
    receiving.minute_acknowledge(minute, by=users["soc.officer"])
    assert reminders_send_due(now=minute.written_at + dt.timedelta(days=1)) == 0
