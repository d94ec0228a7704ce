"""The outbox (กล่องส่งออก): one row per recipient of a sent letter, written in the same transaction
as the send. Celery tasks deliver the rows; the rows, not the broker, are the record of what is owed."""
from django.db import models

from eoffice.audit import audited_history


class OutboxChannel(models.TextChoices):
    PORTAL = "portal", "ภายในระบบ"
    PEER = "peer", "ระบบสารบรรณอิเล็กทรอนิกส์อื่น"
    EMAIL = "email", "ไปรษณีย์อิเล็กทรอนิกส์"


class OutboxState(models.TextChoices):
    PENDING = "pending", "รอส่ง"
    SENDING = "sending", "กำลังส่ง"
    RETRYING = "retrying", "ส่งไม่สำเร็จ รอส่งใหม่"
    DELIVERED = "delivered", "ส่งถึงแล้ว"
    UNDELIVERABLE = "undeliverable", "ส่งไม่สำเร็จ"


class OutboxMessage(models.Model):
    """รายการส่งหนังสือ: the delivery of one letter to one recipient, by one channel.

    ``message_id`` never changes once written: it travels with every attempt (and a resend), so the
    receiving registry registers the letter once however often it arrives.
    """

    letter = models.ForeignKey("correspondence.Letter", on_delete=models.PROTECT, related_name="outbox",
                               verbose_name="หนังสือ")
    recipient = models.OneToOneField("correspondence.LetterRecipient", on_delete=models.PROTECT,
                                     related_name="outbox", verbose_name="ผู้รับ")
    channel = models.CharField("ช่องทาง", max_length=16, choices=OutboxChannel.choices)
    message_id = models.CharField("รหัสข้อความ", max_length=128, unique=True)
    state = models.CharField("สถานะ", max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField("จำนวนครั้งที่ส่ง", default=0)
    next_attempt_at = models.DateTimeField("ส่งครั้งถัดไปเมื่อ")
    # When the last task message for this row is due to run; the re-dispatch leaves the row alone
    # until that is older than its grace period (the message is then presumed lost).
    dispatched_at = models.DateTimeField("ส่งเข้าคิวเมื่อ", null=True, blank=True)
    # A worker holds a row in "sending" until then; past it, the row is taken again.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("ข้อผิดพลาดล่าสุด", blank=True)
    delivered_at = models.DateTimeField("ส่งถึงเมื่อ", null=True, blank=True)
    receipt = models.JSONField("การตอบรับ", default=dict, blank=True)
    receipt_number = models.CharField("เลขรับของผู้รับ", max_length=64, blank=True)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)

    history = audited_history()

    class Meta:
        verbose_name = "รายการส่งหนังสือ"
        verbose_name_plural = "รายการส่งหนังสือ"
        ordering = ["letter_id", "id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.letter_id} → {self.recipient_id} ({self.get_state_display()})"
