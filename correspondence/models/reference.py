"""Reference data of letters."""
from django.db import models
from eoffice.audit import audited_history


class SalutationRule(models.Model):
    """คำขึ้นต้น-คำลงท้าย (ภาคผนวก ๒): which opening goes with which closing, by recipient class.

    Reference data, editable in the admin; drafting warns when an opening and a closing do not
    belong together.
    """

    key = models.SlugField("รหัส", max_length=64, unique=True)
    recipients = models.CharField("ผู้รับ", max_length=500)
    opening = models.CharField("คำขึ้นต้น", max_length=255)
    closing = models.CharField("คำลงท้าย", max_length=255)
    order = models.PositiveSmallIntegerField("ลำดับ", default=0)

    history = audited_history()

    class Meta:
        verbose_name = "คำขึ้นต้นและคำลงท้าย"
        verbose_name_plural = "คำขึ้นต้นและคำลงท้าย"
        ordering = ["order", "key"]

    def __str__(self):
        return f"{self.opening} … {self.closing} ({self.recipients})"
