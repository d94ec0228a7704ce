"""Notifications to officials (การแจ้งเตือน) and the reminder rows (การเตือน) that beat scans.

Reminders are rows, not countdowns in the broker: a scan every minute sends what is due, claiming
each row under a row lock so two workers or two overlapping beats never send one twice.
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from eoffice.audit import audited_history
from eoffice.levels import Secrecy, Urgency


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "เตือนหนังสือรอดำเนินการ"
    ESCALATION = "escalation", "แจ้งผู้บังคับบัญชา"
    DIGEST = "digest", "สรุปหนังสือรอดำเนินการประจำวัน"
    OVERDUE_REPORT = "overdue_report", "รายงานหนังสือค้างดำเนินการ"
    DESTRUCTION = "destruction", "บัญชีหนังสือขอทำลาย"
    DELIVERY = "delivery", "การส่งหนังสือ"
    REVIEW = "review", "การตรวจทานหนังสือ"
    OTHER = "other", "อื่น ๆ"


class Notification(models.Model):
    """การแจ้งเตือน: shown in the portal, and e-mailed once when ``email_wanted``.

    ``secrecy`` is copied from the object at creation: an e-mail about a classified object carries
    no subject or text of it, only a pointer into the portal.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name="ผู้รับ")
    kind = models.CharField("ประเภท", max_length=32, default=NotificationKind.OTHER)
    text = models.TextField("ข้อความ")
    link = models.CharField("ลิงก์", max_length=500, blank=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.PositiveSmallIntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    created_at = models.DateTimeField("เมื่อ")
    read_at = models.DateTimeField("อ่านเมื่อ", null=True, blank=True)
    email_wanted = models.BooleanField("ส่งไปรษณีย์อิเล็กทรอนิกส์", default=True)
    emailed_at = models.DateTimeField("ส่งไปรษณีย์อิเล็กทรอนิกส์เมื่อ", null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "การแจ้งเตือน"
        verbose_name_plural = "การแจ้งเตือน"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
            models.Index(fields=["created_at"], condition=Q(email_wanted=True, emailed_at__isnull=True),
                         name="notification_email_pending"),
        ]

    def __str__(self):
        return f"{self.user} — {self.text[:60]}"


class ReminderKind(models.TextChoices):
    REMIND = "remind", "เตือนผู้รับผิดชอบ"
    ESCALATE = "escalate", "แจ้งผู้บังคับบัญชา"
    PRESENT = "present", "เตือนนายทะเบียนเอกสารลับให้เสนอ"


class Reminder(models.Model):
    """A reminder or an escalation due at a time, for one recipient, about an item (and the minute that
    assigned it; empty for the reminders of a newly registered item awaiting its minute)."""

    item = models.ForeignKey("correspondence.IncomingItem", on_delete=models.CASCADE, related_name="reminders",
                             verbose_name="หนังสือรับ")
    minute = models.ForeignKey("correspondence.Minute", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="reminders", verbose_name="เกษียน")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name="ผู้รับ")
    kind = models.CharField("ประเภท", max_length=16, choices=ReminderKind.choices)
    due_at = models.DateTimeField("ถึงกำหนดเมื่อ")
    created_at = models.DateTimeField("สร้างเมื่อ")
    sent_at = models.DateTimeField("ส่งเมื่อ", null=True, blank=True)
    cancelled_at = models.DateTimeField("ยกเลิกเมื่อ", null=True, blank=True)
    cancel_reason = models.CharField("เหตุที่ยกเลิก", max_length=255, blank=True)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    history = audited_history()

    class Meta:
        verbose_name = "การเตือน"
        verbose_name_plural = "การเตือน"
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True, cancelled_at__isnull=True),
                         name="reminder_pending"),
        ]
        constraints = [
            # Each reminder exists once: planning twice (a retried task, a re-run) adds nothing.
            models.UniqueConstraint(fields=["item", "minute", "recipient", "kind"], condition=Q(minute__isnull=False),
                                    name="reminder_once_per_minute"),
            models.UniqueConstraint(fields=["item", "recipient", "kind"], condition=Q(minute__isnull=True),
                                    name="reminder_once_per_item"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.recipient} — {self.item_id}"
