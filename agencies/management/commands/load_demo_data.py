from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies.demo import DEMO_PASSWORD, DEMO_USERS, demo_data_load


class Command(BaseCommand):
    help = "โหลดข้อมูลตัวอย่างสำหรับทดลองใช้ (ห้ามใช้ในระบบจริง)"

    def handle(self, *args, **options):
        if not settings.EOFFICE_DEMO_DATA:
            raise CommandError("ไม่อนุญาตให้โหลดข้อมูลตัวอย่าง: ตั้งค่า EOFFICE_DEMO_DATA=1 เฉพาะเครื่องทดลองเท่านั้น")
        count = demo_data_load()
        self.stdout.write(self.style.SUCCESS(f"ผู้ใช้ตัวอย่าง {count} คน รหัสผ่าน {DEMO_PASSWORD}"))
        for row in DEMO_USERS:
            self.stdout.write(f"  {row[0]:<15} {row[6]}")
