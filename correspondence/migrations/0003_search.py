"""The search index: SearchDocument, and on PostgreSQL the pg_trgm extension and a trigram GIN index on
its text (a Thai word inside a compound is a substring, which LIKE '%…%' finds through trigrams)."""
import django.db.models.deletion
from django.db import migrations, models

TRGM_INDEX = "search_doc_text_trgm"


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def trigram_index_create(apps, schema_editor):
    if not _postgres(schema_editor):
        return  # SQLite: the search falls back to LIKE over the table
    table = apps.get_model("correspondence", "SearchDocument")._meta.db_table
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON {table} USING gin (text gin_trgm_ops)")


def trigram_index_drop(apps, schema_editor):
    if _postgres(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_historicalholiday_historicalreminderpolicy_holiday_and_more"),
        ("correspondence", "0002_reminders_retention"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("item", "หนังสือรับ"), ("letter", "หนังสือ"), ("entry", "รายการในทะเบียน")], max_length=8, verbose_name="ชนิด")),
                ("secrecy", models.PositiveSmallIntegerField(choices=[(0, "ปกติ"), (1, "ลับ"), (2, "ลับมาก"), (3, "ลับที่สุด")], default=0, verbose_name="ชั้นความลับ")),
                ("secret_book", models.BooleanField(default=False, help_text="รายการในทะเบียนควบคุมข้อมูลข่าวสารลับ")),
                ("urgency", models.PositiveSmallIntegerField(choices=[(0, "ปกติ"), (1, "ด่วน"), (2, "ด่วนมาก"), (3, "ด่วนที่สุด")], default=0, verbose_name="ชั้นความเร็ว")),
                ("at", models.DateTimeField(verbose_name="วันเวลา")),
                ("title", models.CharField(max_length=1000, verbose_name="เรื่อง")),
                ("number", models.CharField(blank=True, max_length=128, verbose_name="ที่")),
                ("sender", models.CharField(blank=True, max_length=500, verbose_name="จาก")),
                ("body", models.TextField(blank=True, help_text="เนื้อความหรือข้อความจากไฟล์ PDF ตามที่อ่านได้", verbose_name="เนื้อความ")),
                ("pdf_name", models.CharField(blank=True, help_text="ไฟล์ที่อ่านข้อความมา (ไม่อ่านซ้ำถ้าไม่เปลี่ยน)", max_length=255)),
                ("text", models.TextField(help_text="ข้อความรูปมาตรฐาน: เลขอารบิก ตัวพิมพ์เล็ก เว้นวรรคเดียว")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("entry", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="correspondence.registerentry")),
                ("item", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="correspondence.incomingitem")),
                ("letter", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="search_document", to="correspondence.letter")),
                ("unit", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="agencies.agency", verbose_name="หน่วยงาน")),
                ("unit2", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="agencies.agency")),
            ],
            options={
                "verbose_name": "ดัชนีค้นหา",
                "verbose_name_plural": "ดัชนีค้นหา",
                "indexes": [models.Index(fields=["-at", "-id"], name="search_doc_recent")],
                "constraints": [models.CheckConstraint(
                    condition=models.Q(models.Q(("entry__isnull", True), ("item__isnull", False), ("kind", "item"), ("letter__isnull", True)), models.Q(("entry__isnull", True), ("item__isnull", True), ("kind", "letter"), ("letter__isnull", False)), models.Q(("entry__isnull", False), ("item__isnull", True), ("kind", "entry"), ("letter__isnull", True)), _connector="OR"),
                    name="search_doc_one_object")],
            },
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop, elidable=False),
    ]
