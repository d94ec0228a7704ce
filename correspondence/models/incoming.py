"""Incoming items (หนังสือรับ), their routing, minutes (เกษียนหนังสือ) and the access log of classified items."""
from django.conf import settings
from django.db import models
from eoffice.audit import audited_history

from eoffice.levels import Secrecy, Urgency

from correspondence.models.retention_classes import RetentionClass


class Channel(models.TextChoices):
    PORTAL = "portal", "ภายในระบบ"
    PEER = "peer", "ระบบสารบรรณอิเล็กทรอนิกส์อื่น"
    EMAIL = "email", "ไปรษณีย์อิเล็กทรอนิกส์"
    SCAN = "scan", "สแกนจากกระดาษ"
    ROUTED = "routed", "ส่งต่อจากหน่วยงานต้นสังกัด"


class ItemState(models.TextChoices):
    RECEIVED = "received", "รอลงทะเบียนรับ"
    REGISTERED = "registered", "ลงทะเบียนรับแล้ว"
    ROUTED = "routed", "ส่งต่อแล้ว"
    CLOSED = "closed", "ปิดเรื่องแล้ว"
    REJECTED = "rejected", "ปฏิเสธการรับ"


class IncomingItem(models.Model):
    """หนังสือรับ: a letter as one unit received it. A routed copy is a new item in the unit below,
    which may register it again in its own book (as the reference letters show)."""

    unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="incoming_items",
                             verbose_name="หน่วยงานผู้รับ")
    channel = models.CharField("ช่องทาง", max_length=16, choices=Channel.choices)
    state = models.CharField("สถานะ", max_length=16, choices=ItemState.choices, default=ItemState.RECEIVED)
    their_number = models.CharField("ที่", max_length=128, blank=True)
    their_number_key = models.CharField(max_length=128, blank=True, db_index=True,
                                        help_text="เลขที่หนังสือแบบเลขอารบิก ไม่มีช่องว่าง ใช้ค้นหาและตรวจซ้ำ")
    dated = models.DateField("ลงวันที่", null=True, blank=True)
    sender_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="ส่วนราชการผู้ส่ง")
    sender_text = models.CharField("จาก", max_length=500)
    addressee = models.CharField("ถึง", max_length=500, blank=True)
    subject = models.CharField("เรื่อง", max_length=1000)
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices, default=Urgency.NORMAL)
    deliver_by = models.DateTimeField("ด่วนภายใน", null=True, blank=True)
    secrecy = models.PositiveSmallIntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    pdf = models.FileField("ไฟล์หนังสือ", upload_to="incoming/%Y/", blank=True)
    letter = models.ForeignKey("correspondence.Letter", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="incoming_copies", verbose_name="หนังสือต้นฉบับในระบบ")
    recipient = models.ForeignKey("correspondence.LetterRecipient", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="incoming_items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="routed_copies",
                               verbose_name="ส่งต่อจาก")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="ซ้ำกับ")
    message_id = models.CharField(max_length=128, blank=True, help_text="รหัสข้อความของการส่ง ใช้กันรับซ้ำ")
    received_at = models.DateTimeField("รับเมื่อ")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    receipt_number = models.CharField("เลขรับ", max_length=64, blank=True)
    registered_at = models.DateTimeField("ลงทะเบียนรับเมื่อ", null=True, blank=True)
    filed_at = models.CharField("เก็บที่", max_length=500, blank=True)
    closed_at = models.DateTimeField("ปิดเรื่องเมื่อ", null=True, blank=True)
    rejected_reason = models.CharField("เหตุที่ปฏิเสธการรับ", max_length=500, blank=True)
    # อายุการเก็บรักษา (หมวด ๓): see correspondence/models/retention.py and services/retention.py.
    retention = models.CharField("อายุการเก็บ", max_length=16, choices=RetentionClass.choices,
                                 default=RetentionClass.TEN_YEARS)
    retention_years = models.PositiveSmallIntegerField("จำนวนปีที่เก็บ (กรณีกำหนดเอง)", null=True, blank=True)
    on_hold = models.BooleanField("ระงับการทำลาย", default=False)
    hold_reason = models.CharField("เหตุที่ระงับการทำลาย", max_length=500, blank=True)
    destroyed_at = models.DateTimeField("ทำลายเมื่อ", null=True, blank=True)
    archived_at = models.DateTimeField("ส่งมอบหอจดหมายเหตุเมื่อ", null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "หนังสือรับ"
        verbose_name_plural = "หนังสือรับ"
        ordering = ["-urgency", "-received_at"]
        indexes = [models.Index(fields=["unit", "state", "-urgency", "-received_at"], name="item_queue"),
                   # The queue page (open items of a unit, most urgent first, oldest first): read in index
                   # order and counted from the index alone (secrecy included for the visibility test).
                   models.Index(fields=["unit", "-urgency", "received_at", "-id"], include=["secrecy"],
                                condition=~models.Q(state="closed"), name="item_open_queue"),
                   # A unit's newest items (the lines a drafter may cite): one short index read per unit.
                   models.Index(fields=["unit", "-id"], include=["secrecy", "parent"], name="item_unit_newest")]
        constraints = [
            models.UniqueConstraint(fields=["unit", "message_id"], condition=~models.Q(message_id=""),
                                    name="item_message_once_per_unit"),
        ]

    def __str__(self):
        return f"{self.their_number or '-'} {self.subject}"


class Routing(models.Model):
    """การส่งต่อ: an item sent on to a unit below (or an official), which signs for it."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="routings")
    to_unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="ส่งถึง")
    copy = models.OneToOneField(IncomingItem, null=True, on_delete=models.PROTECT, related_name="routed_by")
    note = models.CharField("หมายเหตุ", max_length=500, blank=True)
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    routed_at = models.DateTimeField("ส่งต่อเมื่อ")

    history = audited_history()


class Minute(models.Model):
    """เกษียนหนังสือ: an instruction written on an item, with an assignee and a due date."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="minutes")
    author = models.ForeignKey("agencies.Official", on_delete=models.PROTECT, related_name="+", verbose_name="ผู้สั่งการ")
    action = models.CharField("การสั่งการ", max_length=255, help_text="เช่น เพื่อโปรดทราบ, เพื่อโปรดพิจารณา, จัดเข้าวาระ")
    text = models.TextField("ข้อความ", blank=True)
    assignee = models.ForeignKey("agencies.Official", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="assigned_minutes", verbose_name="ผู้รับผิดชอบ")
    due = models.DateField("กำหนดเสร็จ", null=True, blank=True)
    written_at = models.DateTimeField("เมื่อ")
    acknowledged_at = models.DateTimeField("รับทราบเมื่อ", null=True, blank=True)

    history = audited_history()

    class Meta:
        ordering = ["item_id", "written_at"]


class AccessLog(models.Model):
    """Every view or download of a classified item: who, when, what. Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=32)
    letter = models.ForeignKey("correspondence.Letter", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(IncomingItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A register line of its own (a filled reservation's scan in the secret register), not a letter's or an item's.
    entry = models.ForeignKey("correspondence.RegisterEntry", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    secrecy = models.PositiveSmallIntegerField(choices=Secrecy.choices)

    class Meta:
        ordering = ["-at"]
