"""The scheduled jobs are django-celery-beat rows (editable in the admin), in Bangkok time, created
idempotently by load_reference_data; an administrator's change survives a re-run."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from correspondence.services.schedules import schedules_setup

pytestmark = pytest.mark.django_db

EXPECTED = {
    # task: (minute, hour, day_of_month, month_of_year, day_of_week)
    "correspondence.jobs.reminders_scan": ("*", "*", "*", "*", "*"),
    "correspondence.jobs.digest_send": ("30", "7", "*", "*", "*"),
    "correspondence.jobs.overdue_reports_send": ("0", "7", "*", "*", "1-5"),
    "signatures.tasks.renew_archive_timestamps": ("30", "2", "*", "*", "*"),
    "eoffice.jobs.sessions_clear": ("15", "3", "*", "*", "*"),
    "correspondence.jobs.books_open_new_year": ("5", "0", "1", "1", "*"),
    "correspondence.jobs.destruction_lists_draft": ("0", "2", "*", "1,2", "*"),
}


def _crontab(task):
    c = PeriodicTask.objects.get(task=task).crontab
    return (c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week), str(c.timezone)


def test_every_job_is_scheduled_in_bangkok_time(reference_data):
    for task, cron in EXPECTED.items():
        assert _crontab(task) == (cron, "Asia/Bangkok"), task
        assert PeriodicTask.objects.get(task=task).enabled
    # The outbox re-dispatch is registered by its own migration, by task name, exactly once.
    assert PeriodicTask.objects.filter(task="correspondence.tasks.outbox_redispatch").count() == 1


def test_setup_is_idempotent_and_keeps_admin_changes(reference_data):
    tasks, crontabs = PeriodicTask.objects.count(), CrontabSchedule.objects.count()
    digest = PeriodicTask.objects.get(task="correspondence.jobs.digest_send")
    # An administrator moves the digest to 08:00 and disables the overdue report.
    digest.crontab = CrontabSchedule.objects.create(minute="0", hour="8", timezone="Asia/Bangkok")
    digest.save()
    PeriodicTask.objects.filter(task="correspondence.jobs.overdue_reports_send").update(enabled=False)

    assert schedules_setup()["created"] == 0
    call_command("load_reference_data", verbosity=0)
    assert PeriodicTask.objects.count() == tasks and CrontabSchedule.objects.count() == crontabs + 1
    assert _crontab("correspondence.jobs.digest_send")[0][:2] == ("0", "8")
    assert not PeriodicTask.objects.get(task="correspondence.jobs.overdue_reports_send").enabled


def test_a_deleted_job_comes_back(reference_data):
    PeriodicTask.objects.filter(task="eoffice.jobs.sessions_clear").delete()
    assert schedules_setup()["created"] == 1
    assert _crontab("eoffice.jobs.sessions_clear")[0] == EXPECTED["eoffice.jobs.sessions_clear"]


def test_a_deleted_exchange_ack_job_comes_back(reference_data):
    # Made by migration 0006 with an interval; the setup matches it by task and puts back a deleted one.
    assert PeriodicTask.objects.filter(task="correspondence.exchange.dispatch_acks").count() == 1
    assert schedules_setup()["created"] == 0
    PeriodicTask.objects.filter(task="correspondence.exchange.dispatch_acks").delete()
    assert schedules_setup()["created"] == 1
    assert _crontab("correspondence.exchange.dispatch_acks")[0] == ("*", "*", "*", "*", "*")


def test_the_docs_table_names_every_job(reference_data):
    # docs/reminders-and-jobs.md is where administrators look up a job they see in the admin.
    text = (Path(settings.BASE_DIR) / "docs" / "reminders-and-jobs.md").read_text(encoding="utf-8")
    table = text.split("## Scheduled jobs", 1)[1].split("\n\n**", 1)[0]
    documented = set(re.findall(r"^\| [^|]+ \| `([a-z_.]+)` \|", table, re.M))
    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))
    assert scheduled and documented == scheduled
