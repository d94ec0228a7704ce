"""Registers the re-dispatch of acknowledgements owed to other portals with django-celery-beat:
every minute.

Idempotent: looked up by name, so re-running or squashing never makes a second entry, and an
operator's later change in the admin survives (only created here, never reset).
"""
from django.db import migrations

TASK_NAME = "correspondence: ส่งการตอบรับที่ค้างอยู่ไปยังระบบสารบรรณอื่น (exchange acks)"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(
        name=TASK_NAME, task="correspondence.exchange.dispatch_acks", interval=every_minute, enabled=True,
        description="ส่งการตอบรับ (ลงทะเบียนรับแล้ว / ปฏิเสธการรับ) ที่ยังไม่ถึงระบบของผู้ส่ง",
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0005_outbox_redispatch_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
