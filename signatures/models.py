"""Signing configuration and records: trust anchors, credentials, agency settings, signing jobs,
signatures on letters, receipt stamps and validation reports of incoming items."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from eoffice.audit import audited_history

from .pades import PadesLevel


class Level(models.TextChoices):
    B_B = PadesLevel.B_B.value, "PAdES B-B (ลายมือชื่อพื้นฐาน)"
    B_T = PadesLevel.B_T.value, "PAdES B-T (มีตราประทับเวลา)"
    B_LT = PadesLevel.B_LT.value, "PAdES B-LT (แนบข้อมูลตรวจสอบสถานะใบรับรอง)"
    B_LTA = PadesLevel.B_LTA.value, "PAdES B-LTA (เก็บรักษาระยะยาว)"


class CertificateKind(models.TextChoices):
    ANCHOR = "anchor", "ผู้ให้บริการออกใบรับรองที่เชื่อถือ (root CA)"
    INTERMEDIATE = "intermediate", "ผู้ออกใบรับรองระดับกลาง (intermediate CA)"


class TrustedCertificate(models.Model):
    """ใบรับรองที่เชื่อถือ: a trust anchor (e.g. Thailand's national root CA) or a known intermediate,
    uploaded as PEM or DER. Only public certificates: never key material."""

    kind = models.CharField("ประเภท", max_length=16, choices=CertificateKind.choices, default=CertificateKind.ANCHOR)
    name = models.CharField("ชื่อ", max_length=255, blank=True, help_text="เว้นว่างเพื่อใช้ชื่อในใบรับรอง")
    der = models.BinaryField("ใบรับรอง (DER)", editable=False)
    subject = models.CharField("Subject", max_length=1000, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True, editable=False)
    not_after = models.DateTimeField("หมดอายุ", null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # The DER is public but binary; the fingerprint identifies it in the audit trail.
    history = audited_history(excluded_fields=["der"])

    class Meta:
        verbose_name = "ใบรับรองที่เชื่อถือ"
        verbose_name_plural = "ใบรับรองที่เชื่อถือ"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def certificate(self):
        from asn1crypto import x509

        return x509.Certificate.load(bytes(self.der))


class CredentialKind(models.TextChoices):
    PKCS12 = "pkcs12", "แฟ้ม PKCS#12 (.p12/.pfx)"
    PKCS11 = "pkcs11", "อุปกรณ์ PKCS#11 (token/HSM)"


class SigningCredential(models.Model):
    """กุญแจสำหรับลงลายมือชื่อ: an official's key (passphrase/PIN asked at each signing, never stored)
    or an agency's electronic seal (ตราประทับอิเล็กทรอนิกส์) for receipt stamps and system signatures,
    whose secret is stored encrypted because those run unattended.

    Exactly one of ``official`` / ``agency`` is set. The PKCS#12 file is kept only as a Fernet token.
    """

    kind = models.CharField("ชนิด", max_length=8, choices=CredentialKind.choices)
    official = models.ForeignKey("agencies.Official", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="signing_credentials", verbose_name="เจ้าหน้าที่")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="seals", verbose_name="ตราประทับของส่วนราชการ")
    label = models.CharField("ชื่อเรียก", max_length=255, blank=True)
    active = models.BooleanField("ใช้งาน", default=True)
    # PKCS#12: the file, encrypted at rest.
    pkcs12_encrypted = models.TextField(blank=True, editable=False)
    pkcs12_sha256 = models.CharField("SHA-256 ของแฟ้ม", max_length=64, blank=True, editable=False)
    # PKCS#11.
    lib_path = models.CharField("ไลบรารี PKCS#11", max_length=500, blank=True)
    token_label = models.CharField("ชื่อ token", max_length=255, blank=True)
    slot_no = models.PositiveIntegerField("หมายเลข slot", null=True, blank=True)
    key_label = models.CharField("ชื่อกุญแจ", max_length=255, blank=True)
    cert_label = models.CharField("ชื่อใบรับรอง", max_length=255, blank=True, help_text="เว้นว่างถ้าตรงกับชื่อกุญแจ")
    # Seals only: the passphrase/PIN, encrypted at rest.
    secret_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Key material stays out of the append-only history; the fingerprint records which file it was.
    history = audited_history(excluded_fields=["pkcs12_encrypted", "secret_encrypted"])

    class Meta:
        verbose_name = "กุญแจสำหรับลงลายมือชื่อ"
        verbose_name_plural = "กุญแจสำหรับลงลายมือชื่อ"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(official__isnull=False, agency__isnull=True) | Q(official__isnull=True, agency__isnull=False)),
                name="credential_one_owner",
            ),
            models.CheckConstraint(condition=Q(official__isnull=True) | Q(secret_encrypted=""),
                                   name="credential_official_secret_never_stored"),
        ]

    def __str__(self):
        owner = self.official or self.agency
        return f"{self.label or self.get_kind_display()} — {owner}"

    @property
    def is_seal(self) -> bool:
        return self.agency_id is not None

    def clean(self):
        errors = {}
        if bool(self.official_id) == bool(self.agency_id):
            errors["official"] = "กรุณาเลือกเจ้าหน้าที่ หรือ ส่วนราชการ อย่างใดอย่างหนึ่ง"
        if self.kind == CredentialKind.PKCS11:
            if not self.lib_path:
                errors["lib_path"] = "กรุณาระบุไลบรารี PKCS#11"
            if not self.key_label:
                errors["key_label"] = "กรุณาระบุชื่อกุญแจบนอุปกรณ์"
            if self.slot_no is None and not self.token_label:
                errors["token_label"] = "กรุณาระบุชื่อ token หรือหมายเลข slot"
        if errors:
            raise ValidationError(errors)


class AgencySigningSettings(models.Model):
    """การตั้งค่าลายมือชื่อของส่วนราชการ: level, TSA and trust anchors. An agency without its own row
    uses the nearest one up the tree (see ``selectors.signing_settings_for``)."""

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="signing_settings",
                                  verbose_name="ส่วนราชการ")
    level = models.CharField("ระดับลายมือชื่อ", max_length=8, choices=Level.choices, default=Level.B_LTA)
    tsa_url = models.URLField("URL หน่วยงานประทับรับรองเวลา (TSA)", max_length=500, blank=True)
    trust_anchors = models.ManyToManyField(TrustedCertificate, blank=True, related_name="+",
                                           verbose_name="ใบรับรองที่เชื่อถือ")
    renew_days_before_expiry = models.PositiveIntegerField("ต่ออายุตราประทับเวลาล่วงหน้า (วัน)", default=365)

    history = audited_history()

    class Meta:
        verbose_name = "การตั้งค่าลายมือชื่อของส่วนราชการ"
        verbose_name_plural = "การตั้งค่าลายมือชื่อของส่วนราชการ"

    def __str__(self):
        return f"{self.agency} ({self.level})"


class JobState(models.TextChoices):
    QUEUED = "queued", "รอดำเนินการ"
    RUNNING = "running", "กำลังลงนาม"
    DONE = "done", "ลงนามแล้ว"
    FAILED = "failed", "ไม่สำเร็จ"


class SigningJob(models.Model):
    """งานลงนาม: one request to sign a letter, polled by the letter's page.

    ``sealed_secret`` is the passphrase/PIN encrypted with a per-job key that lives only in the cache
    for a minute (signatures.crypto); it is cleared as soon as the task opens it.
    """

    letter = models.ForeignKey("correspondence.Letter", on_delete=models.CASCADE, related_name="signing_jobs")
    official = models.ForeignKey("agencies.Official", on_delete=models.PROTECT, related_name="+")
    credential = models.ForeignKey(SigningCredential, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices)
    box = models.JSONField("ตำแหน่งลายมือชื่อ", null=True, blank=True, help_text="[page, x, y, w, h] ในหน่วย point")
    reason = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField("ข้อความ", max_length=500, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    sealed_secret = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    history = audited_history(excluded_fields=["sealed_secret"])

    class Meta:
        verbose_name = "งานลงนาม"
        verbose_name_plural = "งานลงนาม"
        ordering = ["-created_at"]

    def __str__(self):
        return f"#{self.pk} {self.letter} {self.get_state_display()}"


class LetterSignature(models.Model):
    """ลายมือชื่อบนหนังสือ: one signature added to a letter, in order (1 = the signer, then further
    approval signatures)."""

    letter = models.ForeignKey("correspondence.Letter", on_delete=models.PROTECT, related_name="signatures")
    order = models.PositiveSmallIntegerField("ลำดับ")
    official = models.ForeignKey("agencies.Official", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="ผู้ลงนาม")
    credential = models.ForeignKey(SigningCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The job that made it: a redelivered task sees the work is done.
    job = models.OneToOneField(SigningJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="signature")
    field_name = models.CharField(max_length=64)
    level = models.CharField("ระดับ", max_length=8, choices=Level.choices)
    signer_common_name = models.CharField("ชื่อในใบรับรอง", max_length=255)
    certificate_serial = models.CharField(max_length=80)
    certificate_sha256 = models.CharField(max_length=64)
    pdf_sha256 = models.CharField("SHA-256 ของแฟ้มหลังลงนาม", max_length=64)
    signed_at = models.DateTimeField("ลงนามเมื่อ")

    history = audited_history()

    class Meta:
        verbose_name = "ลายมือชื่อบนหนังสือ"
        verbose_name_plural = "ลายมือชื่อบนหนังสือ"
        ordering = ["letter_id", "order"]
        constraints = [models.UniqueConstraint(fields=["letter", "order"], name="letter_signature_order_once")]

    def __str__(self):
        return f"{self.order}. {self.signer_common_name}"


class LetterArchive(models.Model):
    """The archive timestamp of a B-LTA letter: when its TSA certificate expires, for the nightly renewal."""

    letter = models.OneToOneField("correspondence.Letter", on_delete=models.CASCADE, related_name="archive")
    expires_at = models.DateTimeField("ตราประทับเวลาหมดอายุ", db_index=True)
    renewed_at = models.DateTimeField("ต่ออายุล่าสุด", null=True, blank=True)
    renewals = models.PositiveIntegerField("จำนวนครั้งที่ต่ออายุ", default=0)
    last_error = models.CharField(max_length=500, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "ตราประทับเวลาเพื่อการเก็บรักษา"
        verbose_name_plural = "ตราประทับเวลาเพื่อการเก็บรักษา"


class StampState(models.TextChoices):
    PENDING = "pending", "รอประทับตรารับ"
    STAMPED = "stamped", "ประทับตรารับแล้ว"
    NO_SEAL = "no_seal", "ไม่ได้ประทับตรารับ (ไม่มีตราประทับอิเล็กทรอนิกส์)"
    FAILED = "failed", "ประทับตรารับไม่สำเร็จ"


class ReceiptStamp(models.Model):
    """ตรารับหนังสือ on an incoming item's PDF, as an approval signature of the receiving agency's seal."""

    item = models.OneToOneField("correspondence.IncomingItem", on_delete=models.CASCADE, related_name="receipt_stamp")
    state = models.CharField(max_length=8, choices=StampState.choices, default=StampState.PENDING)
    seal = models.ForeignKey(SigningCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField("ข้อความ", max_length=500, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The file as it came, before the stamp: its signatures are checked again from these bytes (a revocation
    # status that could not be fetched at registration), and it goes with the item when the item is destroyed.
    received_pdf = models.CharField("ไฟล์ตามที่ได้รับ (ก่อนประทับตรา)", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    stamped_at = models.DateTimeField(null=True, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "ตรารับหนังสือ"
        verbose_name_plural = "ตรารับหนังสือ"


class ReportStatus(models.TextChoices):
    OK = "ok", "ลายมือชื่อถูกต้อง"
    WARNING = "warning", "ควรตรวจสอบ"
    BROKEN = "broken", "ลายมือชื่อไม่ถูกต้องหรือไม่น่าเชื่อถือ"


class SignatureReport(models.Model):
    """รายงานการตรวจสอบลายมือชื่อ of an incoming item's PDF as received."""

    item = models.ForeignKey("correspondence.IncomingItem", on_delete=models.CASCADE, related_name="signature_reports")
    created_at = models.DateTimeField(auto_now_add=True)
    pdf_sha256 = models.CharField(max_length=64)
    report = models.JSONField()
    status = models.CharField(max_length=8, choices=ReportStatus.choices)
    summary_th = models.CharField(max_length=1000)

    history = audited_history()

    class Meta:
        verbose_name = "รายงานการตรวจสอบลายมือชื่อ"
        verbose_name_plural = "รายงานการตรวจสอบลายมือชื่อ"
        ordering = ["item_id", "-created_at"]
