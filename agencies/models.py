"""Agencies (ส่วนราชการ) and the officials (เจ้าหน้าที่) who work in them."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from eoffice.audit import audited_history

from eoffice import thai
from eoffice.levels import Secrecy, Urgency


def validate_letter_code(value):
    """Django validator keeping the Thai kernel's message."""
    try:
        thai.validate_letter_code(value)
    except thai.ThaiFormatError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


def validate_unit_number(value):
    try:
        thai.normalize_unit_number(value)
    except thai.ThaiFormatError as exc:
        raise ValidationError(str(exc), code="invalid") from exc


class AgencyLevel(models.TextChoices):
    MINISTRY = "ministry", "กระทรวง / ส่วนราชการระดับกระทรวง"
    INDEPENDENT = "independent", "ส่วนราชการไม่สังกัดกระทรวง"
    PROVINCE = "province", "จังหวัด"
    DEPARTMENT = "department", "กรม / ส่วนราชการระดับกรม"
    DIVISION = "division", "กอง / สำนัก / ศูนย์"
    SECTION = "section", "ส่วน / กลุ่มงาน / ฝ่าย"


TOP_LEVELS = {AgencyLevel.MINISTRY, AgencyLevel.INDEPENDENT, AgencyLevel.PROVINCE}
# A unit sits below its parent's level (a กอง may sit directly under a กระทรวง, not under another กอง).
_RANK = {AgencyLevel.MINISTRY: 0, AgencyLevel.INDEPENDENT: 0, AgencyLevel.PROVINCE: 0,
         AgencyLevel.DEPARTMENT: 1, AgencyLevel.DIVISION: 2, AgencyLevel.SECTION: 3}


class ValidityQuerySet(models.QuerySet):
    """Rows valid on a day: open-ended validity dates count as always."""

    def valid_on(self, day: dt.date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Agency(models.Model):
    """ส่วนราชการ: a ministry, department, division or section, as one tree.

    The letter code (รหัสตัวพยัญชนะ) belongs to the top of the tree and is inherited below; it is kept
    in :class:`LetterCode` rows with validity dates because reorganisations change it (ทก → ดศ).
    """

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="สังกัด"
    )
    level = models.CharField("ระดับ", max_length=16, choices=AgencyLevel.choices)
    name = models.CharField("ชื่อส่วนราชการ", max_length=255)
    short_name = models.CharField("ชื่อย่อ", max_length=64, blank=True)
    unit_number = models.CharField(
        "เลขประจำส่วนราชการ",
        max_length=32,
        blank=True,
        validators=[validate_unit_number],
        help_text="เช่น ๐๒๐๓ หรือ ๐๕๒๗.๑๐ (พิมพ์เลขไทยหรือเลขอารบิกก็ได้)",
    )
    address_lines = models.TextField("ที่อยู่", blank=True, help_text="บรรทัดละหนึ่งรายการ")
    postcode = models.CharField("รหัสไปรษณีย์", max_length=5, blank=True)
    phone = models.CharField("โทรศัพท์", max_length=64, blank=True)
    fax = models.CharField("โทรสาร", max_length=64, blank=True)
    email = models.EmailField("ไปรษณีย์อิเล็กทรอนิกส์", blank=True)
    keeps_registers = models.BooleanField(
        "มีทะเบียนหนังสือของตนเอง", default=False, help_text="หน่วยงานที่ลงทะเบียนรับ-ส่งหนังสือเอง"
    )
    garuda = models.FileField(
        "ภาพตราครุฑ", upload_to="garuda/", blank=True, help_text="ภาพตราของส่วนราชการ ใช้กับหน่วยงานในสังกัดด้วย"
    )
    valid_from = models.DateField("ใช้ตั้งแต่", null=True, blank=True)
    valid_until = models.DateField("ใช้ถึง", null=True, blank=True)

    history = audited_history()
    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "ส่วนราชการ"
        verbose_name_plural = "ส่วนราชการ"
        ordering = ["unit_number", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        unit_number_ok = False
        if self.unit_number:
            try:
                self.unit_number = thai.normalize_unit_number(self.unit_number)
                unit_number_ok = True
            except thai.ThaiFormatError:
                pass  # the field's validator says why (clean_fields); said here too, forms showed it twice
        if self.postcode:
            # Kept in Arabic digits (data); printed in the letter's digits. Five digits, Thai or Arabic typed.
            code = thai.to_arabic_digits(self.postcode.strip())
            if not (len(code) == 5 and code.isascii() and code.isdigit()):
                errors["postcode"] = "รหัสไปรษณีย์ต้องเป็นตัวเลข ๕ หลัก"
            else:
                self.postcode = code
        if self.level in TOP_LEVELS and self.parent_id:
            errors["parent"] = "ส่วนราชการระดับกระทรวงหรือจังหวัดต้องไม่มีสังกัด"
        if self.level not in TOP_LEVELS and not self.parent_id:
            errors["parent"] = "กรุณาเลือกส่วนราชการที่สังกัด"
        if self.parent_id and self.pk and self._would_loop():
            errors["parent"] = "ไม่สามารถให้ส่วนราชการสังกัดหน่วยงานในสังกัดของตนเองได้"
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = "วันสิ้นสุดต้องไม่ก่อนวันเริ่มใช้"
        if self.parent_id and "parent" not in errors and _RANK[self.level] <= _RANK[self.parent.level]:
            errors["level"] = (f"{self.get_level_display()} สังกัด{self.parent.get_level_display()}ไม่ได้ "
                               "ส่วนราชการต้องอยู่ในระดับต่ำกว่าส่วนราชการที่สังกัด")
        if unit_number_ok and self.parent_id:
            # Letter numbers are <code> <unit number>/<running>: two units of one ministry with the same
            # unit number would print the same numbers from two registers.
            ministry = self.parent.top
            same = [a for a in Agency.objects.filter(unit_number=self.unit_number).exclude(pk=self.pk)
                    .select_related("parent") if a.top.pk == ministry.pk]
            if same:
                errors["unit_number"] = (f"เลขประจำส่วนราชการนี้ใช้กับ {same[0].name} ใน{ministry.name}อยู่แล้ว "
                                         "เลขที่หนังสือของสองหน่วยงานจะซ้ำกัน")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Stored canonically (ASCII digits) so lookups and uniqueness do not depend on how it was typed.
        if self.unit_number:
            self.unit_number = thai.normalize_unit_number(self.unit_number)
        super().save(*args, **kwargs)

    def _would_loop(self) -> bool:
        node = self.parent
        while node is not None:
            if node.pk == self.pk:
                return True
            node = node.parent
        return False

    def ancestors(self) -> list[Agency]:
        """From the top of the tree down to the parent."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def path(self) -> list[Agency]:
        return [*self.ancestors(), self]

    @property
    def top(self) -> Agency:
        return self.path()[0]

    def letter_code(self, on: dt.date | None = None) -> str:
        """The letter code valid on a day, from the nearest agency up the tree that has one."""
        on = on or dt.date.today()
        for node in reversed(self.path()):
            code = node.letter_codes.valid_on(on).order_by("-valid_from").first()
            if code:
                return code.code
        return ""

    def garuda_file(self):
        """The Garuda artwork, inherited from the nearest agency up the tree that uploaded one."""
        for node in reversed(self.path()):
            if node.garuda:
                return node.garuda
        return None

    @property
    def address(self) -> list[str]:
        return [line.strip() for line in self.address_lines.splitlines() if line.strip()]


class LetterCode(models.Model):
    """รหัสตัวพยัญชนะ: the two consonants at the head of a letter number, valid for a period."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="letter_codes", verbose_name="ส่วนราชการ")
    code = models.CharField("รหัสตัวพยัญชนะ", max_length=8, validators=[validate_letter_code])
    valid_from = models.DateField("ใช้ตั้งแต่", null=True, blank=True)
    valid_until = models.DateField("ใช้ถึง", null=True, blank=True)
    note = models.CharField("หมายเหตุ", max_length=255, blank=True)

    history = audited_history()
    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "รหัสตัวพยัญชนะ"
        verbose_name_plural = "รหัสตัวพยัญชนะ"
        ordering = ["code", "valid_from"]

    def __str__(self):
        return self.code

    def clean(self):
        code_ok = False
        if self.code:
            try:
                self.code = thai.validate_letter_code(self.code)
                code_ok = True
            except thai.ThaiFormatError:
                pass  # the field's validator says why (clean_fields); said here too, forms showed it twice
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "วันสิ้นสุดต้องไม่ก่อนวันเริ่มใช้"})
        if code_ok and self.agency_id:
            for other in LetterCode.objects.exclude(pk=self.pk).select_related("agency"):
                if not _overlap(self.valid_from, self.valid_until, other.valid_from, other.valid_until):
                    continue
                if other.code == self.code and other.agency_id != self.agency_id:
                    raise ValidationError({"code": f"รหัส {self.code} ใช้กับ{other.agency.name}ในช่วงเวลาเดียวกันอยู่แล้ว"})
                if other.agency_id == self.agency_id and other.code != self.code:
                    raise ValidationError({"valid_from": f"{other.agency.name}มีรหัส {other.code} ในช่วงเวลานี้อยู่แล้ว "
                                                         "กำหนดวันสิ้นสุดของรหัสเดิมก่อนวันเริ่มใช้รหัสใหม่"})


def _overlap(a_from, a_until, b_from, b_until) -> bool:
    """Whether two validity periods (open ends as None) share a day."""
    import datetime as dt

    lo, hi = dt.date.min, dt.date.max
    return (a_from or lo) <= (b_until or hi) and (b_from or lo) <= (a_until or hi)


class Role(models.TextChoices):
    """What an official may do. Which items they may see is a separate, per-object grant."""

    DRAFTER = "drafter", "ผู้ร่างหนังสือ"
    REVIEWER = "reviewer", "ผู้ตรวจทาน"
    SIGNER = "signer", "ผู้ลงนาม"
    REGISTRY_CLERK = "registry_clerk", "เจ้าหน้าที่สารบรรณของหน่วยงาน"
    SECRET_REGISTRAR = "secret_registrar", "นายทะเบียนเอกสารลับ"
    EXECUTIVE = "executive", "ผู้บริหาร (เกษียนหนังสือ)"
    ADMINISTRATOR = "administrator", "ผู้ดูแลระบบ"


class Official(models.Model):
    """เจ้าหน้าที่: the official behind a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="official", verbose_name="บัญชีผู้ใช้"
    )
    title = models.CharField("คำนำหน้านาม", max_length=32, blank=True, help_text="นาย / นาง / นางสาว / ดร. …")
    rank = models.CharField(
        "ยศ", max_length=64, blank=True, help_text="ยศทหารหรือตำรวจ เขียนไว้หน้าวงเล็บชื่อ เช่น พลเอก"
    )
    first_name = models.CharField("ชื่อ", max_length=128)
    last_name = models.CharField("นามสกุล", max_length=128)
    position = models.CharField("ตำแหน่ง", max_length=255)
    unit = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="officials", verbose_name="สังกัด")
    clearance = models.PositiveSmallIntegerField(
        "ระดับชั้นความลับสูงสุดที่ได้รับอนุญาต", choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    phone = models.CharField("โทรศัพท์", max_length=64, blank=True)
    email = models.EmailField("ไปรษณีย์อิเล็กทรอนิกส์", blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "เจ้าหน้าที่"
        verbose_name_plural = "เจ้าหน้าที่"
        ordering = ["first_name", "last_name"]

    def __str__(self):
        return self.display_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """Name as written in running text: rank or title glued to the first name (นายดอน ปรมัตถ์วินัย)."""
        prefix = self.rank + " " if self.rank else self.title
        return f"{prefix}{self.full_name}"

    @property
    def signature_name(self) -> str:
        """The bracketed name under a signature: rank outside, civilian title inside."""
        if self.rank:
            return thai.format_signer_name(self.full_name, rank=self.rank)
        return thai.format_signer_name(f"{self.title}{self.full_name}")


class RoleAssignment(models.Model):
    """A role held by an official, for one unit (a registry clerk of a unit) or everywhere."""

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="roles", verbose_name="เจ้าหน้าที่")
    role = models.CharField("บทบาท", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="หน่วยงาน",
        help_text="เว้นว่างไว้หากใช้บทบาทนี้ในหน่วยงานที่สังกัด",
    )
    valid_from = models.DateField("ตั้งแต่", null=True, blank=True)
    valid_until = models.DateField("ถึง", null=True, blank=True)

    history = audited_history()
    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "บทบาท"
        verbose_name_plural = "บทบาท"
        constraints = [models.UniqueConstraint(fields=["official", "role", "unit"], name="role_assignment_unique")]

    def __str__(self):
        return f"{self.get_role_display()} — {self.official}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"})
        if not self.official_id:
            return
        official = self.official
        unit = self.unit or official.unit
        if self.unit_id and self.unit.top.pk != official.unit.top.pk:
            # A role elsewhere gives nothing: the official's lists and actions are those of their own ministry.
            raise ValidationError({"unit": f"หน่วยงานต้องอยู่ใน{official.unit.top.name} (สังกัดของเจ้าหน้าที่)"})
        same = RoleAssignment.objects.filter(official_id=self.official_id, role=self.role).exclude(pk=self.pk)
        for other in same.select_related("unit"):
            if (other.unit or official.unit).pk == unit.pk and _overlap(self.valid_from, self.valid_until,
                                                                         other.valid_from, other.valid_until):
                raise ValidationError({"role": f"{official} มีบทบาท{self.get_role_display()}ของ{unit.name}"
                                               "ในช่วงเวลานี้อยู่แล้ว"})


class DelegationKind(models.TextChoices):
    ON_BEHALF = "on_behalf", "ปฏิบัติราชการแทน"
    ACTING = "acting", "รักษาราชการแทน"


class Delegation(models.Model):
    """ปฏิบัติราชการแทน / รักษาราชการแทน: adds a line under the signer's position for a period."""

    official = models.ForeignKey(
        Official, on_delete=models.CASCADE, related_name="delegations", verbose_name="ผู้ปฏิบัติหรือรักษาราชการแทน"
    )
    kind = models.CharField("ประเภท", max_length=16, choices=DelegationKind.choices)
    for_position = models.CharField(
        "แทนตำแหน่ง", max_length=255, help_text="เช่น ปลัดกระทรวงการต่างประเทศ (ไม่ต้องพิมพ์คำว่า ปฏิบัติราชการแทน)"
    )
    start = models.DateField("ตั้งแต่")
    end = models.DateField("ถึง", null=True, blank=True)
    order_reference = models.CharField("อ้างอิงคำสั่ง", max_length=255, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "การปฏิบัติ/รักษาราชการแทน"
        verbose_name_plural = "การปฏิบัติ/รักษาราชการแทน"
        ordering = ["-start"]

    def __str__(self):
        return f"{self.official} — {self.signature_line}"

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"})

    @property
    def signature_line(self) -> str:
        return f"{self.get_kind_display()}{self.for_position}"

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Holiday(models.Model):
    """วันหยุดราชการ: a day off for every agency (agency empty) or for one agency and those below it."""

    day = models.DateField("วันที่")
    name = models.CharField("ชื่อวันหยุด", max_length=255)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="holidays",
                               verbose_name="เฉพาะส่วนราชการ", help_text="เว้นว่างสำหรับวันหยุดราชการทั่วประเทศ")

    history = audited_history()

    class Meta:
        verbose_name = "วันหยุดราชการ"
        verbose_name_plural = "วันหยุดราชการ"
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["day", "agency"], name="holiday_once_per_day",
                                               nulls_distinct=False)]

    def __str__(self):
        return f"{thai.format_date(self.day)} {self.name}"


class DueRule(models.TextChoices):
    MINUTES = "minutes", "นาทีหลังได้รับ"
    WORKING_DAYS = "working_days", "วันทำการ (๐ = ภายในวันทำการเดียวกัน)"


# ส่วนราชการ and ชั้นความเร็ว as the form labels them (the admin's default names the raw field).
REMINDER_POLICY_DUPLICATE = ("ส่วนราชการนี้มีนโยบายการเตือนสำหรับชั้นความเร็วนี้แล้ว "
                             "(ส่วนราชการหนึ่งกำหนดนโยบายได้ชั้นความเร็วละหนึ่งรายการ)")


class ReminderPolicy(models.Model):
    """When to remind the assignee of an unacknowledged item, and when to escalate to the supervisor.

    The regulation sets no hours: each agency sets its own, per urgency; units without a policy use
    the nearest agency above them, then the portal's defaults.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="reminder_policies",
                               verbose_name="ส่วนราชการ")
    urgency = models.PositiveSmallIntegerField("ชั้นความเร็ว", choices=Urgency.choices)
    remind_rule = models.CharField("เตือนเมื่อ", max_length=16, choices=DueRule.choices)
    remind_value = models.PositiveIntegerField("ค่า (เตือน)")
    escalate_rule = models.CharField("แจ้งผู้บังคับบัญชาเมื่อ", max_length=16, choices=DueRule.choices)
    escalate_value = models.PositiveIntegerField("ค่า (แจ้งผู้บังคับบัญชา)")
    before_deadline_minutes = models.PositiveIntegerField(
        "เตือนก่อนกำหนด ด่วนภายใน (นาที)", default=120, help_text="ใช้กับหนังสือที่ระบุ ด่วนภายใน วันเวลา"
    )

    history = audited_history()

    class Meta:
        verbose_name = "นโยบายการเตือน"
        verbose_name_plural = "นโยบายการเตือน"
        constraints = [models.UniqueConstraint(fields=["agency", "urgency"], name="reminder_policy_unique",
                                               violation_error_message=REMINDER_POLICY_DUPLICATE)]

    def __str__(self):
        return f"{self.agency} — {self.get_urgency_display()}"
