"""Registers the nightly archive-timestamp renewal with django-celery-beat (02:30 Bangkok time).

Idempotent: looked up by name, so re-running or squashing never makes a second entry,
and an operator's later change of the hour in the admin survives (only created here, never reset).
"""
from django.db import migrations

TASK_NAME = "signatures: ต่ออายุตราประทับเวลาเพื่อการเก็บรักษา (B-LTA)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Bangkok",
    )
    PeriodicTask.objects.create(
        name=TASK_NAME, task="signatures.tasks.renew_archive_timestamps", crontab=crontab, enabled=True,
        description="ต่ออายุตราประทับเวลาของหนังสือระดับ B-LTA ที่ใกล้หมดอายุ",
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("signatures", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
