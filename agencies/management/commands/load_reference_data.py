from django.core.management.base import BaseCommand

from django.utils import timezone

from agencies.services import holidays_load, reference_data_load
from correspondence.services.reference import salutation_rules_load
from correspondence.services.schedules import schedules_setup


class Command(BaseCommand):
    help = "โหลดข้อมูลอ้างอิง: สำนักนายกรัฐมนตรี กระทรวงพร้อมรหัสตัวพยัญชนะ และตารางคำขึ้นต้น-คำลงท้าย (ทำซ้ำได้)"

    def handle(self, *args, **options):
        counts = reference_data_load()
        rules = salutation_rules_load()
        this_year = timezone.localdate().year
        holidays = sum(holidays_load(year) for year in (this_year, this_year + 1))
        # The scheduled jobs (django-celery-beat), created once, then edited in the admin.
        jobs = schedules_setup()
        self.stdout.write(
            self.style.SUCCESS(
                f"ส่วนราชการ: สร้าง {counts['created']} ปรับปรุง {counts['updated']}; คำขึ้นต้น-คำลงท้าย {rules} รายการ; วันหยุดราชการ {holidays} วัน; "
                f"งานตามกำหนดเวลา สร้างใหม่ {jobs['created']} จาก {jobs['jobs']} งาน"
            )
        )
