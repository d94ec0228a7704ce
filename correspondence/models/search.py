"""The search index (ดัชนีค้นหา): one row per searchable letter, incoming item or register line."""
from django.db import models

from eoffice.levels import Secrecy, Urgency


class SearchKind(models.TextChoices):
    ITEM = "item", "หนังสือรับ"
    LETTER = "letter", "หนังสือ"
    ENTRY = "entry", "รายการในทะเบียน"


class SearchDocument(models.Model):
    """What the search box looks in for one object: its normalized text (subject, body, the text of
    its PDF, numbers, sender) and the columns the visibility filter needs (unit, secrecy).

    Derived data, rebuilt by ``manage.py search_reindex`` and kept current by
    ``correspondence.services.search``: it carries no history of its own (the object it indexes has
    one), and nothing but the search reads it. Register lines get a row only when they stand alone
    (no letter or item in the portal), so a record is found once.
    """

    kind = models.CharField("ชนิด", max_length=8, choices=SearchKind.choices)
    item = models.OneToOneField("correspondence.IncomingItem", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="search_document")
    letter = models.OneToOneField("correspondence.Letter", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="search_document")
    entry = models.OneToOneField("correspondence.RegisterEntry", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="search_document")
    # Visibility: the item's unit, a letter's owner unit (unit2: its issuing unit), a line's book unit.
    # No index of their own: they are tested on the rows the text matched (an index here only tempts the
    # planner into intersecting half the table with the trigram matches).
    unit = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+", verbose_name="หน่วยงาน",
                             db_index=False)
    unit2 = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    secrecy = models.PositiveSmallIntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    secret_book = models.BooleanField(default=False, help_text="รายการในทะเบียนควบคุมข้อมูลข่าวสารลับ")
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices, default=Urgency.NORMAL)
    at = models.DateTimeField("วันเวลา")
    title = models.CharField("เรื่อง", max_length=1000)
    number = models.CharField("ที่", max_length=128, blank=True)
    sender = models.CharField("จาก", max_length=500, blank=True)
    body = models.TextField("เนื้อความ", blank=True, help_text="เนื้อความหรือข้อความจากไฟล์ PDF ตามที่อ่านได้")
    pdf_name = models.CharField(max_length=255, blank=True, help_text="ไฟล์ที่อ่านข้อความมา (ไม่อ่านซ้ำถ้าไม่เปลี่ยน)")
    text = models.TextField(help_text="ข้อความรูปมาตรฐาน: เลขอารบิก ตัวพิมพ์เล็ก เว้นวรรคเดียว")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ดัชนีค้นหา"
        verbose_name_plural = "ดัชนีค้นหา"
        # The trigram index on ``text`` is created by migration on PostgreSQL only (pg_trgm).
        indexes = [models.Index(fields=["-at", "-id"], name="search_doc_recent")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="item", item__isnull=False, letter__isnull=True, entry__isnull=True)
                           | models.Q(kind="letter", letter__isnull=False, item__isnull=True, entry__isnull=True)
                           | models.Q(kind="entry", entry__isnull=False, item__isnull=True, letter__isnull=True)),
                name="search_doc_one_object"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number} {self.title}"[:200]
