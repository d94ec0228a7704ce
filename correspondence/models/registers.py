"""Register books (ทะเบียนหนังสือ) and their entries, numbered gap-free per calendar year."""
from django.conf import settings
from django.db import models
from eoffice.audit import audited_history

from eoffice.levels import Secrecy, Urgency


class BookKind(models.TextChoices):
    INCOMING = "incoming", "ทะเบียนหนังสือรับ"
    OUTGOING = "outgoing", "ทะเบียนหนังสือส่ง"
    CIRCULAR = "circular", "ทะเบียนหนังสือเวียน"
    ORDER = "order", "ทะเบียนคำสั่ง"
    ANNOUNCEMENT = "announcement", "ทะเบียนประกาศ"
    CERTIFICATE = "certificate", "ทะเบียนหนังสือรับรอง"
    SECRET = "secret", "ทะเบียนควบคุมข้อมูลข่าวสารลับ"


# Books whose numbers are written "๑/๒๕๖๗" rather than after the unit number.
YEARLY_SERIES = {BookKind.ORDER, BookKind.ANNOUNCEMENT, BookKind.CERTIFICATE}


class RegisterBook(models.Model):
    """ทะเบียนหนังสือ: one book per unit, kind, series prefix and Buddhist-era calendar year.

    ``last_number`` is the counter: it is locked and advanced in the same transaction that writes the
    entry, so numbers are never skipped, duplicated or reused.
    """

    unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="register_books",
                             verbose_name="หน่วยงาน")
    kind = models.CharField("ประเภททะเบียน", max_length=16, choices=BookKind.choices)
    prefix = models.CharField("คำนำหน้าเลข", max_length=16, blank=True,
                              help_text="เช่น ว สำหรับหนังสือเวียน หรือ ต.ก. สำหรับชุดเลขของหน่วยงาน")
    year = models.PositiveSmallIntegerField("ปี พ.ศ.")
    last_number = models.PositiveIntegerField("เลขล่าสุด", default=0)
    opened_at = models.DateTimeField("เปิดทะเบียนเมื่อ", auto_now_add=True)

    history = audited_history()

    class Meta:
        verbose_name = "ทะเบียนหนังสือ"
        verbose_name_plural = "ทะเบียนหนังสือ"
        ordering = ["-year", "unit_id", "kind", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "prefix", "year"], name="register_book_unique"),
        ]

    def __str__(self):
        prefix = f" ({self.prefix})" if self.prefix else ""
        return f"{self.get_kind_display()}{prefix} {self.unit} พ.ศ. {self.year}"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "ลงทะเบียนแล้ว"
    RESERVED = "reserved", "จองเลข"
    VOID = "void", "ยกเลิก"


class RegisterEntry(models.Model):
    """A line of a register book, with the regulation's columns (ระเบียบฯ ข้อ ๓๐, ๓๔)."""

    book = models.ForeignKey(RegisterBook, on_delete=models.PROTECT, related_name="entries", verbose_name="ทะเบียน")
    number = models.PositiveIntegerField("เลขทะเบียน")
    status = models.CharField("สถานะ", max_length=16, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    their_number = models.CharField("ที่", max_length=128, blank=True, help_text="เลขที่หนังสือ (- หากไม่มี)")
    dated = models.DateField("ลงวันที่", null=True, blank=True)
    from_text = models.CharField("จาก", max_length=500, blank=True)
    to_text = models.CharField("ถึง", max_length=500, blank=True)
    subject = models.CharField("เรื่อง", max_length=1000, blank=True)
    action_taken = models.CharField("การปฏิบัติ", max_length=500, blank=True)
    remarks = models.CharField("หมายเหตุ", max_length=1000, blank=True)
    void_reason = models.CharField("เหตุที่ยกเลิก", max_length=500, blank=True)
    secrecy = models.PositiveSmallIntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices, default=Urgency.NORMAL)
    registered_at = models.DateTimeField("วันเวลาที่ลงทะเบียน")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="ผู้ลงทะเบียน")
    letter = models.ForeignKey("correspondence.Letter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="register_entries", verbose_name="หนังสือ")
    item = models.ForeignKey("correspondence.IncomingItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="register_entries", verbose_name="หนังสือรับ")

    history = audited_history()

    class Meta:
        verbose_name = "รายการในทะเบียน"
        verbose_name_plural = "รายการในทะเบียน"
        ordering = ["book_id", "number"]
        constraints = [models.UniqueConstraint(fields=["book", "number"], name="register_entry_number_unique")]
        indexes = [models.Index(fields=["book", "-number"], name="entry_book_number_desc")]

    def __str__(self):
        return f"{self.book} เลขที่ {self.number}"


class EntryScan(models.Model):
    """ไฟล์หนังสือของเลขที่จองไว้: the scanned letter a reserved number (จองเลข) was filled with.

    A row of its own rather than a column of RegisterEntry: adding a column to the register's history
    table would change the content of every history row written before it, and verify_audit would
    report the whole register's audit trail as altered.
    """

    entry = models.OneToOneField(RegisterEntry, on_delete=models.PROTECT, related_name="scan",
                                 verbose_name="รายการในทะเบียน")
    pdf = models.FileField("ไฟล์หนังสือ (สแกน)", upload_to="registers/%Y/")
    uploaded_at = models.DateTimeField("บันทึกเมื่อ", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="ผู้บันทึก")

    history = audited_history()

    class Meta:
        verbose_name = "ไฟล์หนังสือของรายการในทะเบียน"
        verbose_name_plural = "ไฟล์หนังสือของรายการในทะเบียน"

    def __str__(self):
        return f"ไฟล์ของ {self.entry}"
