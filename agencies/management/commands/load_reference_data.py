from django.core.management.base import BaseCommand

from agencies.services import reference_data_load
from correspondence.services.reference import salutation_rules_load


class Command(BaseCommand):
    help = "โหลดข้อมูลอ้างอิง: สำนักนายกรัฐมนตรี กระทรวงพร้อมรหัสตัวพยัญชนะ และตารางคำขึ้นต้น-คำลงท้าย (ทำซ้ำได้)"

    def handle(self, *args, **options):
        counts = reference_data_load()
        rules = salutation_rules_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"ส่วนราชการ: สร้าง {counts['created']} ปรับปรุง {counts['updated']}; คำขึ้นต้น-คำลงท้าย {rules} รายการ"
            )
        )
