"""Exactly once with real Celery worker processes: two workers on Redis and the PostgreSQL test
database run many overlapping ``reminders_scan`` tasks for the same moment (as two beats would)."""
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from correspondence.jobs import reminders_scan
from correspondence.models import Notification, Reminder

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "reminders-test"

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(settings, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs the PostgreSQL and Redis of scripts/with-services")
    db = connection.settings_dict
    env = os.environ.copy()
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    procs = []
    for n in range(2):
        log = open(tmp_path / f"worker{n}.log", "wb")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "eoffice", "worker", "--pool", "solo", "-Q", QUEUE,
             "-n", f"reminders{n}@%h", "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    yield procs
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def test_two_workers_send_each_reminder_once(users, assigned, workers):
    minutes = [assigned(subject=f"ด่วนที่สุด ชุดที่ {n}")[1] for n in range(6)]
    later = max(m.written_at for m in minutes) + dt.timedelta(hours=5)
    results = [reminders_scan.apply_async(kwargs={"now": later.isoformat()}, queue=QUEUE) for _ in range(10)]
    deadline = time.monotonic() + 120
    sent = []
    for r in results:
        sent.append(r.get(timeout=max(1, deadline - time.monotonic()))["sent"])
    assert sum(sent) == 12  # a reminder and an escalation per minute, once in all
    rows = Reminder.objects.filter(minute__in=minutes)
    assert rows.filter(sent_at__isnull=True, cancelled_at__isnull=True).count() == 0
    assert Notification.objects.filter(pk__in=rows.values("notification_id")).count() == 12
    assert Notification.objects.filter(kind__in=["reminder", "escalation"]).count() == 12
