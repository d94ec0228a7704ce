"""manage.py search_reindex: write every search document again from its letter, item or register line."""
from django.core.management.base import BaseCommand

from correspondence.services.search import search_reindex


class Command(BaseCommand):
    help = "สร้างดัชนีค้นหาใหม่ทั้งหมดจากหนังสือ หนังสือรับ และรายการในทะเบียน (อ่านข้อความจากไฟล์ PDF ที่เปลี่ยน)"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        counts = search_reindex(batch=batch, progress=lambda label, n: self.stdout.write(f"{label}: {n}"))
        self.stdout.write(self.style.SUCCESS(
            f"indexed {counts['item']} items, {counts['letter']} letters, {counts['entry']} register lines;"
            f" removed {counts['removed']}"))
