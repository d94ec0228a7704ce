"""The portal's scheduled jobs as django-celery-beat rows, so administrators see and edit them in the admin
(งานตามกำหนดเวลา: Periodic tasks / Crontabs), all in Asia/Bangkok time.

``schedules_setup`` is idempotent and runs from ``load_reference_data`` (so ``make run`` and every
deployment get it). A job is matched by its task, not its name: an entry an administrator renamed,
re-timed or disabled is left as they set it; only missing jobs are created.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TZ = "Asia/Bangkok"


@dataclass(frozen=True)
class Job:
    name: str
    task: str
    minute: str
    hour: str
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"
    description: str = ""


JOBS = (
    Job("สารบรรณ: ส่งการเตือนและแจ้งผู้บังคับบัญชาที่ถึงกำหนด", "correspondence.jobs.reminders_scan", "*", "*",
        description="ทุกนาที: ส่งการเตือนหนังสือด่วนที่ถึงกำหนด และไปรษณีย์อิเล็กทรอนิกส์ที่ค้างส่ง"),
    Job("สารบรรณ: สรุปหนังสือรอดำเนินการประจำวัน", "correspondence.jobs.digest_send", "30", "7",
        description="ทุกวัน ๐๗.๓๐ น.: ส่งสรุปหนังสือที่รอแต่ละคน เรียงเรื่องด่วนที่สุดก่อน"),
    Job("สารบรรณ: รายงานหนังสือค้างดำเนินการของหน่วยงาน", "correspondence.jobs.overdue_reports_send", "0", "7",
        day_of_week="1-5", description="วันจันทร์–ศุกร์ ๐๗.๐๐ น.: รายงาน (PDF) ถึงผู้บริหารของหน่วยงาน"),
    Job("สารบรรณ: ส่งหนังสือที่ค้างในกล่องส่งออกอีกครั้ง", "correspondence.tasks.outbox_redispatch", "*", "*",
        description="ทุกนาที: ส่งงานที่ยังไม่ได้ส่งในกล่องส่งออกเข้าคิวอีกครั้ง (ปกติสร้างโดย migration 0005 แล้ว)"),
    Job("สารบรรณ: ส่งการตอบรับที่ค้างอยู่ไปยังระบบสารบรรณอื่น", "correspondence.exchange.dispatch_acks", "*", "*",
        description="ทุกนาที: ส่งการตอบรับ (ลงทะเบียนรับแล้ว / ปฏิเสธการรับ) ที่ยังไม่ถึงระบบของผู้ส่งอีกครั้ง "
                    "(ปกติสร้างโดย migration 0006 แล้ว)"),
    Job("signatures: ต่ออายุตราประทับเวลาเพื่อการเก็บรักษา (B-LTA)", "signatures.tasks.renew_archive_timestamps",
        "30", "2", description="ต่ออายุตราประทับเวลาของหนังสือระดับ B-LTA ที่ใกล้หมดอายุ"),
    Job("signatures: ตรวจสอบลายมือชื่อที่ยังยืนยันสถานะการเพิกถอนไม่ได้อีกครั้ง", "signatures.tasks.revalidate_reports",
        "20", "*", description="ทุกชั่วโมง: ตรวจสอบลายมือชื่อของหนังสือรับ (ไม่เกิน ๓๐ วัน) ที่ตอนลงรับ"
                               "ติดต่อผู้ให้บริการตรวจสอบสถานะใบรับรองไม่ได้ อีกครั้ง"),
    Job("ระบบ: ล้างเซสชันที่หมดอายุ", "eoffice.jobs.sessions_clear", "15", "3",
        description="ทุกคืน ๐๓.๑๕ น.: ลบเซสชันการเข้าสู่ระบบที่หมดอายุ"),
    Job("สารบรรณ: เปิดทะเบียนหนังสือปีใหม่", "correspondence.jobs.books_open_new_year", "5", "0",
        day_of_month="1", month_of_year="1", description="๑ มกราคม ๐๐.๐๕ น.: เปิดทะเบียนหนังสือของปีใหม่"),
    Job("สารบรรณ: ร่างบัญชีหนังสือขอทำลายประจำปี", "correspondence.jobs.destruction_lists_draft", "0", "2",
        month_of_year="1,2", description="ทุกวันในเดือนมกราคม–กุมภาพันธ์ ๐๒.๐๐ น. (ภายใน ๖๐ วันหลังสิ้นปี): "
                                         "ร่างบัญชีหนังสือขอทำลายของปีที่แล้ว ทำซ้ำได้"),
)


@transaction.atomic
def schedules_setup() -> dict:
    """Create the missing beat entries; never reset one an administrator changed."""
    created = 0
    for job in JOBS:
        if PeriodicTask.objects.filter(task=job.task).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=job.minute, hour=job.hour, day_of_month=job.day_of_month, month_of_year=job.month_of_year,
            day_of_week=job.day_of_week, timezone=TZ,
        )
        PeriodicTask.objects.update_or_create(
            name=job.name, defaults={"task": job.task, "crontab": crontab, "enabled": True,
                                     "description": job.description},
        )
        created += 1
    return {"created": created, "jobs": len(JOBS)}
