"""Outgoing letters (หนังสือส่ง) and their review, references, enclosures and recipients."""
from django.conf import settings
from django.db import models
from eoffice.audit import audited_history

from eoffice.levels import Secrecy, Urgency


class LetterKind(models.TextChoices):
    """The kinds of the letter spec (ระเบียบฯ ข้อ ๑๐ and the forms under each)."""

    EXTERNAL = "external", "หนังสือภายนอก"
    MEMO = "memo", "หนังสือภายใน (บันทึกข้อความ)"
    STAMPED = "stamped", "หนังสือประทับตรา"
    ORDER = "order", "คำสั่ง"
    REGULATION = "regulation", "ระเบียบ"
    BYLAW = "bylaw", "ข้อบังคับ"
    ANNOUNCEMENT = "announcement", "ประกาศ"
    STATEMENT = "statement", "แถลงการณ์"
    NEWS = "news", "ข่าว"
    CERTIFICATE = "certificate", "หนังสือรับรอง"
    MINUTES = "minutes", "รายงานการประชุม"
    RECORD = "record", "บันทึก"


class LetterState(models.TextChoices):
    DRAFT = "draft", "ร่าง"
    IN_REVIEW = "in_review", "อยู่ระหว่างตรวจทาน"
    APPROVED = "approved", "อนุมัติแล้ว"
    ISSUED = "issued", "ออกเลขแล้ว"
    SIGNED = "signed", "ลงนามแล้ว"
    SENT = "sent", "ส่งแล้ว"
    CANCELLED = "cancelled", "ยกเลิก"


class Letter(models.Model):
    """หนังสือ: a letter drafted in the portal, from draft to sent.

    ``content`` holds the letter spec (docs/letter-spec.md) as drafted; the columns beside it are the
    parts the registry searches, lists and numbers by. Only the services change ``state``.
    """

    kind = models.CharField("ชนิดหนังสือ", max_length=16, choices=LetterKind.choices)
    state = models.CharField("สถานะ", max_length=16, choices=LetterState.choices, default=LetterState.DRAFT)
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices, default=Urgency.NORMAL)
    deliver_by = models.DateTimeField("ด่วนภายใน", null=True, blank=True)
    secrecy = models.PositiveSmallIntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    subject = models.CharField("เรื่อง", max_length=1000)
    is_circular = models.BooleanField("หนังสือเวียน", default=False)
    series_prefix = models.CharField("ชุดเลข", max_length=16, blank=True,
                                     help_text="เว้นว่างสำหรับเลขปกติ ใช้ ว สำหรับหนังสือเวียน หรือชุดเลขของหน่วยงาน")
    content = models.JSONField("เนื้อหาหนังสือ", default=dict)
    issuing_unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="issued_letters",
                                     verbose_name="หน่วยงานที่ออกเลข")
    owner_unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="owned_letters",
                                   verbose_name="ส่วนราชการเจ้าของเรื่อง")
    signer = models.ForeignKey("agencies.Official", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="letters_to_sign", verbose_name="ผู้ลงนาม")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafted_letters",
                                   verbose_name="ผู้ร่าง")
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    number = models.CharField("เลขที่หนังสือ", max_length=128, blank=True)
    issued_on = models.DateField("ลงวันที่", null=True, blank=True)
    cancel_reason = models.CharField("เหตุที่ยกเลิก", max_length=500, blank=True)
    pdf = models.FileField("ไฟล์หนังสือ", upload_to="letters/%Y/", blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "หนังสือ"
        verbose_name_plural = "หนังสือ"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "issuing_unit"], name="letter_state_unit")]

    def __str__(self):
        return f"{self.number or 'ร่าง'} {self.subject}"


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "รอตรวจทาน"
    APPROVED = "approved", "เห็นชอบ"
    RETURNED = "returned", "ส่งคืนแก้ไข"


class ReviewStep(models.Model):
    """One reviewer in the chain set for a letter; each approves or returns it with a comment."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="review_steps")
    order = models.PositiveSmallIntegerField("ลำดับ")
    reviewer = models.ForeignKey("agencies.Official", on_delete=models.PROTECT, related_name="review_steps",
                                 verbose_name="ผู้ตรวจทาน")
    decision = models.CharField("ผล", max_length=16, choices=ReviewDecision.choices, default=ReviewDecision.PENDING)
    comment = models.TextField("ความเห็น", blank=True)
    round = models.PositiveSmallIntegerField("รอบ", default=1)
    decided_at = models.DateTimeField("เมื่อ", null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "การตรวจทาน"
        verbose_name_plural = "การตรวจทาน"
        ordering = ["letter_id", "round", "order"]


class LetterReference(models.Model):
    """อ้างถึง: a letter registered in the portal, or free text for anything else."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(default=0)
    entry = models.ForeignKey("correspondence.RegisterEntry", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="referenced_by", verbose_name="หนังสือในทะเบียน")
    text = models.CharField("ข้อความอ้างถึง", max_length=1000, blank=True)

    history = audited_history()

    class Meta:
        ordering = ["letter_id", "order"]


class Enclosure(models.Model):
    """สิ่งที่ส่งมาด้วย: a file with its description and quantity."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="enclosures")
    order = models.PositiveSmallIntegerField(default=0)
    description = models.CharField("รายการ", max_length=500)
    quantity = models.CharField("จำนวน", max_length=64, blank=True, help_text="เช่น ๑ ชุด")
    file = models.FileField("ไฟล์", upload_to="enclosures/%Y/", blank=True)

    history = audited_history()

    class Meta:
        ordering = ["letter_id", "order"]


class RecipientState(models.TextChoices):
    PENDING = "pending", "รอส่ง"
    DELIVERED = "delivered", "ส่งถึงแล้ว"
    REGISTERED = "registered", "ผู้รับลงทะเบียนแล้ว"
    ACKNOWLEDGED = "acknowledged", "ผู้รับตอบรับแล้ว"
    REJECTED = "rejected", "ผู้รับปฏิเสธ"
    UNDELIVERABLE = "undeliverable", "ส่งไม่สำเร็จ"


class LetterRecipient(models.Model):
    """A recipient (or a copy, สำเนาส่ง): an agency in the portal, or an outside addressee."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="ส่วนราชการผู้รับ")
    name = models.CharField("ผู้รับ", max_length=500, blank=True)
    address = models.TextField("ที่อยู่", blank=True)
    email = models.EmailField("ไปรษณีย์อิเล็กทรอนิกส์", blank=True)
    is_copy = models.BooleanField("สำเนาส่ง", default=False)
    state = models.CharField("สถานะ", max_length=16, choices=RecipientState.choices, default=RecipientState.PENDING)
    receipt_number = models.CharField("เลขรับของผู้รับ", max_length=64, blank=True)
    state_reason = models.CharField("เหตุผล", max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = audited_history()

    class Meta:
        verbose_name = "ผู้รับหนังสือ"
        verbose_name_plural = "ผู้รับหนังสือ"
        constraints = [
            models.CheckConstraint(condition=~models.Q(agency__isnull=True, name=""), name="recipient_has_addressee"),
        ]

    def __str__(self):
        return self.name or str(self.agency)
