from django.core.management.base import BaseCommand, CommandError

from eoffice.audit import chained_models, verify_chain


class Command(BaseCommand):
    help = "ตรวจสอบห่วงโซ่แฮชของประวัติการแก้ไขทุกตาราง และรายงานลิงก์แรกที่ขาด"

    def handle(self, *args, **options):
        broken = []
        for model in chained_models():
            result = verify_chain(model)
            rows = model.objects.count()
            if result is None:
                self.stdout.write(f"ok      {model._meta.db_table} ({rows} แถว)")
            else:
                broken.append(result)
                self.stdout.write(self.style.ERROR(
                    f"BROKEN  {result.table} history_id={result.history_id}: {result.reason}"
                ))
        if broken:
            raise CommandError(f"พบห่วงโซ่ที่ขาด {len(broken)} ตาราง")
        self.stdout.write(self.style.SUCCESS("ประวัติการแก้ไขครบถ้วน ไม่พบการแก้ไขย้อนหลัง"))
