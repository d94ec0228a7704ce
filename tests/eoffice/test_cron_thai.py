"""The meaning of a crontab schedule in Thai, as the admin shows it (beat's own is English)."""
import json
import re

import pytest

from eoffice.cron_thai import crontab_thai


@pytest.mark.parametrize(("fields", "said"), [
    (("*", "*", "*", "*", "*"), "ทุกนาที"),
    (("*/15", "*", "*", "*", "*"), "ทุก ๑๕ นาที"),
    (("20", "*", "*", "*", "*"), "ทุกชั่วโมง นาทีที่ ๒๐"),
    (("30", "7", "*", "*", "*"), "ทุกวัน เวลา ๐๗.๓๐ น."),
    (("0", "7", "*", "*", "1-5"), "วันจันทร์–ศุกร์ เวลา ๐๗.๐๐ น."),
    (("0", "9", "*", "*", "mon,wed,fri"), "วันจันทร์, พุธ, ศุกร์ เวลา ๐๙.๐๐ น."),
    (("0", "9", "*", "*", "0-6"), "ทุกวัน เวลา ๐๙.๐๐ น."),  # every weekday written out is every day
    (("5", "0", "1", "1", "*"), "วันที่ ๑ มกราคม เวลา ๐๐.๐๕ น."),
    (("0", "2", "*", "1,2", "*"), "ทุกวันในเดือนมกราคม, กุมภาพันธ์ เวลา ๐๒.๐๐ น."),
    (("0", "9", "1", "*", "1"), "วันที่ ๑ หรือ วันจันทร์ เวลา ๐๙.๐๐ น."),  # cron: either day
    (("0,30", "8,12", "*", "*", "*"), "ทุกวัน เวลา ๐๘.๐๐ น., ๐๘.๓๐ น., ๑๒.๐๐ น., ๑๒.๓๐ น."),
    (("0", "*/2", "*", "*", "*"), "ทุก ๒ ชั่วโมง นาทีที่ ๐"),
    (("0", "8-17", "*", "*", "*"), "ชั่วโมง ๐๘–๑๗ นาทีที่ ๐"),
])
def test_schedules_are_said_in_thai(fields, said):
    assert crontab_thai(*fields) == said
    assert crontab_thai(*fields, timezone="Asia/Bangkok") == f"{said} (Asia/Bangkok)"


def test_a_field_the_scheduler_refuses_is_shown_as_written():
    said = crontab_thai("61", "7")
    assert said.startswith("61 7 * * *") and "นาที ชั่วโมง" in said


@pytest.mark.django_db
def test_the_admin_says_each_schedule_in_thai(admin_client, reference_data):
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.get(task="correspondence.jobs.overdue_reports_send")
    listing = admin_client.get("/admin/django_celery_beat/crontabschedule/").content.decode()
    assert "วันจันทร์–ศุกร์ เวลา ๐๗.๐๐ น. (Asia/Bangkok)" in listing
    form = admin_client.get(f"/admin/django_celery_beat/periodictask/{job.pk}/change/").content.decode()
    said = "วันจันทร์–ศุกร์ เวลา ๐๗.๐๐ น. (Asia/Bangkok)"
    # the read-only meaning and the schedule choices, then the live description's data
    assert form.count(said) >= 2
    live = re.search(r'<script id="readable-crontabs" type="application/json">(.*?)</script>', form, re.S)
    assert json.loads(live.group(1))[str(job.crontab_id)] == said
    for english in ("Monday through Friday", "At 07:00 AM", "(m/h/dM/MY/d)"):
        assert english not in listing and english not in form
