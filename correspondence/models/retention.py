"""บัญชีหนังสือขอทำลาย: the yearly list of items past their retention, its committee, the head's approval
and the National Archives' answer.

Drafted by a task within 60 days after the year ends; the head appoints a committee (a chair and at least
two members), which records its review; the head approves; the list goes to the National Archives
(กรมศิลปากร); only after its answer, or once the waiting period has passed, may ``destruction_execute``
destroy anything.
"""
from django.conf import settings
from django.db import models

from eoffice.audit import audited_history


class DestructionState(models.TextChoices):
    DRAFT = "draft", "ร่าง รอคณะกรรมการพิจารณา"
    APPROVED = "approved", "หัวหน้าส่วนราชการอนุมัติแล้ว"
    SENT = "sent", "ส่งกรมศิลปากรแล้ว"
    DESTROYED = "destroyed", "ทำลายแล้ว"


class ArchivesAnswer(models.TextChoices):
    """What the National Archives (กรมศิลปากร) answered about a list sent to it."""

    NONE = "", "ยังไม่ได้รับคำตอบ"
    AGREED = "agreed", "เห็นชอบให้ทำลาย"
    KEEP_SOME = "keep_some", "ขอเก็บไว้บางรายการ"


class DestructionList(models.Model):
    """บัญชีหนังสือขอทำลาย of one unit for one calendar year (ปี พ.ศ.)."""

    unit = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="destruction_lists",
                             verbose_name="หน่วยงาน")
    year = models.PositiveSmallIntegerField("ประจำปี พ.ศ.")
    state = models.CharField("สถานะ", max_length=16, choices=DestructionState.choices, default=DestructionState.DRAFT)
    drafted_at = models.DateTimeField("จัดทำเมื่อ")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="ผู้อนุมัติ")
    approved_at = models.DateTimeField("อนุมัติเมื่อ", null=True, blank=True)
    archives_sent_on = models.DateField("ส่งกรมศิลปากรเมื่อ", null=True, blank=True)
    archives_sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="ผู้บันทึกการส่งกรมศิลปากร")
    archives_answer = models.CharField("คำตอบของกรมศิลปากร", max_length=16, blank=True,
                                       choices=ArchivesAnswer.choices, default=ArchivesAnswer.NONE)
    archives_answered_on = models.DateField("กรมศิลปากรตอบเมื่อ", null=True, blank=True)
    archives_answer_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name="ผู้บันทึกคำตอบของกรมศิลปากร")
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="ผู้ทำลาย")
    executed_at = models.DateTimeField("ทำลายเมื่อ", null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "บัญชีหนังสือขอทำลาย"
        verbose_name_plural = "บัญชีหนังสือขอทำลาย"
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="destruction_list_once_per_year")]

    def __str__(self):
        return f"บัญชีหนังสือขอทำลาย {self.unit} พ.ศ. {self.year}"


class DestructionLine(models.Model):
    """A line of the list: the item, what the register says of it, and why it may go.

    Lines of classified items carry no subject: the list is read by a committee without a grant.
    """

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="lines",
                                         verbose_name="บัญชี")
    item = models.ForeignKey("correspondence.IncomingItem", on_delete=models.PROTECT, related_name="destruction_lines",
                             verbose_name="หนังสือรับ")
    receipt_number = models.CharField("เลขรับ", max_length=64, blank=True)
    their_number = models.CharField("ที่", max_length=128, blank=True)
    dated = models.DateField("ลงวันที่", null=True, blank=True)
    subject = models.CharField("เรื่อง", max_length=1000)
    retention = models.CharField("อายุการเก็บ", max_length=64)
    expired_on = models.DateField("ครบกำหนดเก็บเมื่อ")
    archives_keep = models.BooleanField("กรมศิลปากรขอเก็บไว้", default=False)

    history = audited_history()

    class Meta:
        verbose_name = "รายการในบัญชีหนังสือขอทำลาย"
        verbose_name_plural = "รายการในบัญชีหนังสือขอทำลาย"
        ordering = ["destruction_list_id", "dated", "pk"]
        constraints = [models.UniqueConstraint(fields=["destruction_list", "item"], name="destruction_line_once")]


class CommitteeRole(models.TextChoices):
    CHAIR = "chair", "ประธานกรรมการ"
    MEMBER = "member", "กรรมการ"


class DestructionCommitteeMember(models.Model):
    """An official the head appointed to the list's คณะกรรมการทำลายหนังสือ, as chair or member."""

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="committee",
                                         verbose_name="บัญชี")
    official = models.ForeignKey("agencies.Official", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="กรรมการ")
    role = models.CharField("ตำแหน่งในคณะกรรมการ", max_length=16, choices=CommitteeRole.choices)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="ผู้แต่งตั้ง")
    appointed_at = models.DateTimeField("แต่งตั้งเมื่อ")

    history = audited_history()

    class Meta:
        verbose_name = "กรรมการทำลายหนังสือ"
        verbose_name_plural = "คณะกรรมการทำลายหนังสือ"
        ordering = ["destruction_list_id", "role", "pk"]  # "chair" sorts before "member"
        constraints = [
            models.UniqueConstraint(fields=["destruction_list", "official"], name="destruction_committee_once"),
            models.UniqueConstraint(fields=["destruction_list"], condition=models.Q(role="chair"),
                                    name="destruction_committee_one_chair"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.official}"


class DestructionReview(models.Model):
    """One committee member's review (คณะกรรมการทำลายหนังสือ): agrees or not, with a note."""

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="reviews",
                                         verbose_name="บัญชี")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="กรรมการ")
    role = models.CharField("ตำแหน่งในคณะกรรมการ", max_length=16, choices=CommitteeRole.choices)
    agreed = models.BooleanField("เห็นชอบ")
    note = models.CharField("ความเห็น", max_length=1000, blank=True)
    reviewed_at = models.DateTimeField("พิจารณาเมื่อ")

    history = audited_history()

    class Meta:
        verbose_name = "การพิจารณาของคณะกรรมการทำลายหนังสือ"
        verbose_name_plural = "การพิจารณาของคณะกรรมการทำลายหนังสือ"
        ordering = ["destruction_list_id", "reviewed_at"]
        constraints = [models.UniqueConstraint(fields=["destruction_list", "member"], name="destruction_review_once")]
