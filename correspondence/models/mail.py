"""The e-mail intake (รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์): the addresses routed to the portal and the
message each item came in (docs/mail-intake.md)."""
from django.core.exceptions import ValidationError
from django.db import models

from eoffice.audit import audited_history

# How an item from the intake is shown until a clerk registers it: the sender is not authenticated.
UNVERIFIED = "รับทางไปรษณีย์อิเล็กทรอนิกส์ (ยังไม่ได้ยืนยันผู้ส่ง)"


class IntakeAddress(models.Model):
    """ที่อยู่รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์: a saraban mailbox the agency's mail server forwards to the
    portal; what arrives there waits in the unit's queue. Not ``Agency.email``: that is the contact address
    printed on the unit's letters (any unit, not unique, not necessarily routed to the portal)."""

    address = models.EmailField("ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์", unique=True,
                                help_text="ที่อยู่ที่เครื่องแม่ข่ายไปรษณีย์ของหน่วยงานส่งต่อมายังระบบ")
    unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="intake_addresses",
                             verbose_name="หน่วยงานผู้รับ")
    active = models.BooleanField("ใช้งาน", default=True)

    history = audited_history()

    class Meta:
        verbose_name = "ที่อยู่รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์"
        verbose_name_plural = "ที่อยู่รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์"
        ordering = ["address"]

    def __str__(self):
        return self.address

    def clean(self):
        self.address = (self.address or "").strip().lower()
        if self.unit_id and not self.unit.keeps_registers:
            raise ValidationError({"unit": "หน่วยงานที่รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์ต้องมีทะเบียนหนังสือของตนเอง"})

    def save(self, *args, **kwargs):
        # Mailboxes are matched without regard to case: one spelling is stored.
        self.address = (self.address or "").strip().lower()
        super().save(*args, **kwargs)


class ReceivedMail(models.Model):
    """The e-mail an incoming item came in, as its headers say: nothing here is verified (the sender
    is not authenticated), so the clerk checks it before registering."""

    item = models.OneToOneField("correspondence.IncomingItem", on_delete=models.CASCADE, related_name="received_mail",
                                verbose_name="หนังสือรับ")
    address = models.CharField("ส่งถึง", max_length=254)
    sender = models.CharField("จาก (ตามหัวข้อความ)", max_length=500)
    envelope_sender = models.CharField("ผู้ส่ง (MAIL FROM)", max_length=500, blank=True)
    subject = models.CharField("หัวเรื่องไปรษณีย์อิเล็กทรอนิกส์", max_length=1000, blank=True)
    sent_at = models.DateTimeField("ส่งเมื่อ (ตามหัวข้อความ)", null=True, blank=True)
    message_id = models.CharField("Message-ID", max_length=500, blank=True)
    body = models.TextField("ข้อความ", blank=True)
    skipped = models.TextField("แฟ้มแนบที่ไม่ได้รับไว้ (ไม่ใช่ PDF)", blank=True)
    received_at = models.DateTimeField("รับเมื่อ", auto_now_add=True)

    history = audited_history()

    class Meta:
        verbose_name = "ไปรษณีย์อิเล็กทรอนิกส์ที่รับ"
        verbose_name_plural = "ไปรษณีย์อิเล็กทรอนิกส์ที่รับ"
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.sender} {self.subject}"
