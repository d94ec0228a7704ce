"""Portal-to-portal exchange (domain notes §8): the peers this portal talks to, the messages exchanged
with them (so a message delivered twice is recognised), the log of every request, and the
acknowledgements still to be sent back to a sender's portal."""
from django.db import models
from eoffice.audit import audited_history


class ExchangePeer(models.Model):
    """ระบบสารบรรณอิเล็กทรอนิกส์ปลายทาง: another portal, its public key, our key pair for it, and the
    agencies whose registries live there (units below a listed agency are hosted there too)."""

    name = models.CharField("ชื่อระบบ", max_length=255)
    base_url = models.URLField("ที่อยู่ระบบ", max_length=500,
                               help_text="เช่น https://saraban.example.go.th (ไม่ต้องใส่ /exchange/v1/)")
    their_key_id = models.CharField("รหัสกุญแจของระบบปลายทาง", max_length=128, unique=True,
                                    help_text="keyid ที่ระบบปลายทางใช้ลงนามคำขอที่ส่งมาถึงระบบนี้")
    their_public_key = models.TextField("กุญแจสาธารณะของระบบปลายทาง (PEM)", blank=True)
    our_key_id = models.CharField("รหัสกุญแจของระบบนี้", max_length=128, blank=True,
                                  help_text="keyid ที่ระบบนี้ใช้ลงนามคำขอที่ส่งไปยังระบบปลายทาง")
    our_public_key = models.TextField("กุญแจสาธารณะของระบบนี้ (PEM)", blank=True,
                                      help_text="ส่งให้ผู้ดูแลระบบปลายทางนำไปตั้งค่า")
    our_private_key_encrypted = models.TextField(blank=True, editable=False,
                                                 help_text="กุญแจส่วนตัว เข้ารหัสด้วย EOFFICE_KEY_ENCRYPTION_KEY")
    enabled = models.BooleanField("เปิดใช้งาน", default=True)
    agencies = models.ManyToManyField("agencies.Agency", blank=True, related_name="exchange_peers",
                                      verbose_name="ส่วนราชการที่ใช้ระบบนี้")
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)

    history = audited_history(excluded_fields=["our_private_key_encrypted"])

    class Meta:
        verbose_name = "ระบบสารบรรณปลายทาง"
        verbose_name_plural = "ระบบสารบรรณปลายทาง"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/exchange/v1/" + path.lstrip("/")


class Direction(models.TextChoices):
    IN = "in", "รับเข้า"
    OUT = "out", "ส่งออก"


class MessageKind(models.TextChoices):
    LETTER = "letter", "หนังสือ"
    ACK = "ack", "การตอบรับ"


class ExchangeMessage(models.Model):
    """A letter exchanged with a peer, once per (peer, direction, message id): the receiver answers a
    second delivery of the same message with the acknowledgement it stored the first time."""

    peer = models.ForeignKey(ExchangePeer, on_delete=models.PROTECT, related_name="messages", verbose_name="ระบบปลายทาง")
    direction = models.CharField("ทิศทาง", max_length=8, choices=Direction.choices)
    message_id = models.CharField("รหัสข้อความ", max_length=128)
    item = models.ForeignKey("correspondence.IncomingItem", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="exchange_messages", verbose_name="หนังสือรับ")
    recipient = models.ForeignKey("correspondence.LetterRecipient", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="exchange_messages", verbose_name="ผู้รับหนังสือ")
    envelope = models.JSONField("ซองหนังสือ", default=dict)
    ack = models.JSONField("การตอบรับ", default=dict, blank=True)
    at = models.DateTimeField("เมื่อ", auto_now_add=True)

    history = audited_history()

    class Meta:
        verbose_name = "ข้อความแลกเปลี่ยน"
        verbose_name_plural = "ข้อความแลกเปลี่ยน"
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "direction", "message_id"], name="exchange_message_once"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.message_id}"


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "รับแล้ว"
    DUPLICATE = "duplicate", "ซ้ำ (ตอบรับเดิม)"
    REFUSED = "refused", "ปฏิเสธ"
    SENT = "sent", "ส่งแล้ว"
    FAILED = "failed", "ส่งไม่สำเร็จ"


class ExchangeLog(models.Model):
    """Every exchange request, received or sent, including refused ones (replays, altered requests,
    unknown peers). Append-only: written by the exchange services, never edited."""

    at = models.DateTimeField("เมื่อ", auto_now_add=True, db_index=True)
    direction = models.CharField("ทิศทาง", max_length=8, choices=Direction.choices)
    kind = models.CharField("ชนิด", max_length=8, choices=MessageKind.choices)
    peer = models.ForeignKey(ExchangePeer, null=True, blank=True, on_delete=models.PROTECT, related_name="log",
                             verbose_name="ระบบปลายทาง")
    key_id = models.CharField("รหัสกุญแจที่อ้าง", max_length=128, blank=True)
    message_id = models.CharField("รหัสข้อความ", max_length=128, blank=True, db_index=True)
    outcome = models.CharField("ผล", max_length=16, choices=Outcome.choices)
    code = models.CharField("รหัสเหตุ", max_length=32, blank=True)
    status_code = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    detail = models.TextField("รายละเอียด", blank=True)
    remote_addr = models.CharField("ที่อยู่ผู้ส่งคำขอ", max_length=64, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "บันทึกการแลกเปลี่ยน"
        verbose_name_plural = "บันทึกการแลกเปลี่ยน"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.direction} {self.kind} {self.outcome} {self.code}"


class AckStatus(models.TextChoices):
    RECEIVED = "received", "ได้รับแล้ว"
    REGISTERED = "registered", "ลงทะเบียนรับแล้ว"
    REJECTED = "rejected", "ปฏิเสธการรับ"


class ExchangeAck(models.Model):
    """An acknowledgement (registered / rejected) still owed to the sender's portal: an outbox row,
    sent by a task and re-dispatched by beat until the sender has it."""

    message = models.ForeignKey(ExchangeMessage, on_delete=models.PROTECT, related_name="acks")
    status = models.CharField("การตอบรับ", max_length=16, choices=AckStatus.choices)
    receipt_number = models.CharField("เลขรับ", max_length=64, blank=True)
    reason = models.CharField("เหตุผล", max_length=500, blank=True)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    sent_at = models.DateTimeField("ส่งแล้วเมื่อ", null=True, blank=True)
    attempts = models.PositiveIntegerField("จำนวนครั้งที่ส่ง", default=0)
    next_attempt_at = models.DateTimeField("ส่งครั้งถัดไป", null=True, blank=True)
    last_error = models.TextField("ข้อผิดพลาดล่าสุด", blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "การตอบรับที่ต้องส่ง"
        verbose_name_plural = "การตอบรับที่ต้องส่ง"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["message", "status"], name="exchange_ack_once")]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="exchange_ack_pending")]

    def __str__(self):
        return f"{self.get_status_display()} {self.message.message_id}"


class ReceivedAttachment(models.Model):
    """สิ่งที่ส่งมาด้วย of an item received from another portal, or by e-mail (the PDFs after the first)."""

    item = models.ForeignKey("correspondence.IncomingItem", on_delete=models.CASCADE,
                             related_name="received_attachments", verbose_name="หนังสือรับ")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("ชื่อไฟล์", max_length=255)
    description = models.CharField("รายการ", max_length=500, blank=True)
    file = models.FileField("ไฟล์", upload_to="incoming/attachments/%Y/")
    sha256 = models.CharField(max_length=64)

    history = audited_history()

    class Meta:
        verbose_name = "สิ่งที่ส่งมาด้วย (รับจากระบบอื่น)"
        verbose_name_plural = "สิ่งที่ส่งมาด้วย (รับจากระบบอื่น)"
        ordering = ["item_id", "order"]

    def __str__(self):
        return self.name
