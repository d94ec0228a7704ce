"""Each reminder is sent exactly once when several scanners run at the same time on PostgreSQL
(two beats overlapping, two workers): rows are claimed with FOR UPDATE SKIP LOCKED."""
import datetime as dt
import threading

import pytest
from django.db import connection, connections

from correspondence.models import Notification, Reminder
from correspondence.services.reminders import reminders_send_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_scans_send_each_reminder_once(users, assigned):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested: PostgreSQL only")
    minutes = [assigned(subject=f"เรื่องด่วนที่สุด {n}")[1] for n in range(12)]
    rows = Reminder.objects.filter(minute__in=minutes, cancelled_at__isnull=True)
    assert rows.count() == 24  # a reminder and an escalation for each
    later = max(m.written_at for m in minutes) + dt.timedelta(hours=5)

    results, errors = [], []
    barrier = threading.Barrier(4)

    def scan():
        try:
            barrier.wait()
            for _ in range(3):
                results.append(reminders_send_due(now=later, batch=5))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(results) == 24
    assert rows.filter(sent_at__isnull=True).count() == 0
    # Exactly one notification per reminder row, none twice.
    per_row = [Notification.objects.filter(pk=r.notification_id).count() for r in rows]
    assert per_row == [1] * 24
    assert Notification.objects.filter(kind__in=["reminder", "escalation"], object_id__in=[m.item_id for m in minutes]).count() == 24
