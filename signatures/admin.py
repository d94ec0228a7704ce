"""Admin for signing configuration and records. Credentials never show key material or secrets;
upload forms encrypt before anything is saved."""
from django import forms
from django.contrib import admin
from django.views.decorators.debug import sensitive_post_parameters
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin

from correspondence.admin_scope import ItemScoped, LetterScoped
from eoffice.admin_mixins import DependentsRefuseDelete, ReadableFields

from . import crypto
from .models import (
    AgencySigningSettings,
    CertificateKind,
    CredentialKind,
    LetterArchive,
    LetterSignature,
    ReceiptStamp,
    SignatureReport,
    SigningCredential,
    SigningJob,
    TrustedCertificate,
)
from .services import _sha256


class TrustedCertificateForm(forms.ModelForm):
    upload = forms.FileField(label="แฟ้มใบรับรอง (PEM หรือ DER)", required=False)

    class Meta:
        model = TrustedCertificate
        fields = ["kind", "name"]

    def clean(self):
        cleaned = super().clean()
        f = cleaned.get("upload")
        self._cert = None
        if f is None and not self.instance.pk:
            raise forms.ValidationError({"upload": "กรุณาเลือกแฟ้มใบรับรอง"})
        if f is not None:
            try:
                from asn1crypto import pem, x509

                data = f.read()
                if pem.detect(data):
                    _, _, data = pem.unarmor(data)
                cert = x509.Certificate.load(data)
                cert.native  # noqa: B018
            except Exception:  # noqa: BLE001
                raise forms.ValidationError({"upload": "แฟ้มใบรับรองไม่ถูกต้อง (ต้องเป็น X.509 แบบ PEM หรือ DER)"})
            if TrustedCertificate.objects.filter(sha256=cert.sha256.hex()).exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError({"upload": "มีใบรับรองนี้อยู่แล้ว"})
            self._cert = cert
        return cleaned

    def save(self, commit=True):
        obj = super().save(commit=False)
        cert = self._cert
        if cert is None:  # a change of name or kind only
            if commit:
                obj.save()
            return obj
        obj.der = cert.dump()
        obj.sha256 = cert.sha256.hex()
        obj.subject = cert.subject.human_friendly
        obj.not_after = cert["tbs_certificate"]["validity"]["not_after"].native
        obj.name = obj.name or cert.subject.native.get("common_name", obj.sha256[:16])
        if commit:
            obj.save()
        return obj


@admin.register(TrustedCertificate)
class TrustedCertificateAdmin(SimpleHistoryAdmin):
    form = TrustedCertificateForm
    list_display = ["name", "kind", "subject", "not_after"]
    list_filter = ["kind"]
    readonly_fields = ["subject", "sha256", "not_after", "created_at"]


class SigningCredentialForm(forms.ModelForm):
    """Officials: the PKCS#12 file only (its passphrase is asked at each signing). Seals: also the
    passphrase/PIN, stored encrypted because receipt stamps run unattended."""

    pkcs12_file = forms.FileField(label="แฟ้ม PKCS#12 (.p12/.pfx)", required=False,
                                  help_text="เก็บแบบเข้ารหัส เว้นว่างไว้เพื่อใช้แฟ้มเดิม")
    seal_secret = forms.CharField(
        label="รหัสผ่าน/PIN ของตราประทับ", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="เฉพาะตราประทับของส่วนราชการ เก็บแบบเข้ารหัส เว้นว่างไว้เพื่อใช้ค่าเดิม "
                  "(รหัสผ่านของเจ้าหน้าที่ไม่ถูกเก็บ จะถามทุกครั้งที่ลงนาม)",
    )

    class Meta:
        model = SigningCredential
        fields = ["kind", "official", "agency", "label", "active", "lib_path", "token_label", "slot_no",
                  "key_label", "cert_label"]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if cleaned.get("official") and cleaned.get("seal_secret"):
            self.add_error("seal_secret", "รหัสผ่านของเจ้าหน้าที่ไม่ถูกเก็บไว้ในระบบ")
        if kind == CredentialKind.PKCS12 and not cleaned.get("pkcs12_file") and not self.instance.pkcs12_encrypted:
            self.add_error("pkcs12_file", "กรุณาเลือกแฟ้ม PKCS#12")
        if kind == CredentialKind.PKCS12 and not self.errors:
            self._check_pkcs12(cleaned)
        return cleaned

    def _check_pkcs12(self, cleaned):
        """A file that is no PKCS#12, or a seal's passphrase that does not open it, is refused now: stored,
        it would fail every signature or receipt stamp later."""
        f = cleaned.get("pkcs12_file")
        if f is not None:
            data = f.read()
            f.seek(0)
        elif self.instance.pkcs12_encrypted:
            data = crypto.decrypt(self.instance.pkcs12_encrypted)
        else:
            return
        from asn1crypto import pkcs12 as asn1_pkcs12

        try:
            asn1_pkcs12.Pfx.load(data).native
        except Exception:  # noqa: BLE001 - any parse failure is the same answer
            self.add_error("pkcs12_file", "แฟ้มนี้ไม่ใช่ PKCS#12 (.p12/.pfx) หรือเสียหาย")
            return
        secret = cleaned.get("seal_secret")
        if secret:
            from cryptography.hazmat.primitives.serialization import pkcs12

            try:
                key, cert, _ = pkcs12.load_key_and_certificates(data, secret.encode("utf-8"))
            except ValueError:
                self.add_error("seal_secret", "รหัสผ่านไม่ตรงกับแฟ้ม PKCS#12 นี้")
                return
            if key is None or cert is None:
                self.add_error("pkcs12_file", "แฟ้ม PKCS#12 ต้องมีทั้งกุญแจส่วนตัวและใบรับรอง")

    def save(self, commit=True):
        obj = super().save(commit=False)
        f = self.cleaned_data.get("pkcs12_file")
        if f is not None:
            data = f.read()
            obj.pkcs12_encrypted, obj.pkcs12_sha256 = crypto.encrypt(data), _sha256(data)
        secret = self.cleaned_data.get("seal_secret")
        if secret and obj.agency_id:
            obj.secret_encrypted = crypto.encrypt(secret.encode("utf-8"))
        if obj.official_id:
            obj.secret_encrypted = ""
        if commit:
            obj.save()
        return obj


@admin.register(SigningCredential)
class SigningCredentialAdmin(DependentsRefuseDelete, SimpleHistoryAdmin):
    delete_instead = "ให้ยกเลิก “ใช้งาน” ของกุญแจแทน"
    form = SigningCredentialForm
    list_display = ["__str__", "kind", "official", "agency", "active", "has_stored_secret", "created_at"]
    list_filter = ["kind", "active"]
    readonly_fields = ["pkcs12_sha256", "has_stored_secret", "created_at"]

    @admin.display(boolean=True, description="เก็บรหัสไว้ (ตราประทับ)")
    def has_stored_secret(self, obj):
        return bool(obj.secret_encrypted)

    @method_decorator(sensitive_post_parameters("seal_secret"))
    def changeform_view(self, *args, **kwargs):
        return super().changeform_view(*args, **kwargs)


@admin.register(AgencySigningSettings)
class AgencySigningSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "level", "tsa_url", "renew_days_before_expiry"]
    list_filter = ["level"]
    filter_horizontal = ["trust_anchors"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "tsa_url":
            kwargs["assume_scheme"] = "http"  # RFC 3161 services are commonly plain HTTP
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "trust_anchors":
            kwargs["queryset"] = TrustedCertificate.objects.filter(kind=CertificateKind.ANCHOR)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class _ReadOnlyAdmin(ReadableFields, SimpleHistoryAdmin):
    """Signatures, stamps, reports and jobs are evidence: shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningJob)
class SigningJobAdmin(LetterScoped, _ReadOnlyAdmin):
    list_display = ["pk", "letter", "official", "level", "state", "progress", "message", "created_at"]
    list_filter = ["state", "level"]
    exclude = ["sealed_secret"]


@admin.register(LetterSignature)
class LetterSignatureAdmin(LetterScoped, _ReadOnlyAdmin):
    list_display = ["letter", "order", "signer_common_name", "official", "level", "signed_at"]
    list_filter = ["level"]


@admin.register(LetterArchive)
class LetterArchiveAdmin(LetterScoped, _ReadOnlyAdmin):
    list_display = ["letter", "expires_at", "renewed_at", "renewals", "last_error"]


@admin.register(ReceiptStamp)
class ReceiptStampAdmin(ItemScoped, _ReadOnlyAdmin):
    list_display = ["item", "state", "seal", "message", "stamped_at"]
    list_filter = ["state"]


@admin.register(SignatureReport)
class SignatureReportAdmin(ItemScoped, _ReadOnlyAdmin):
    list_display = ["item", "status", "summary_th", "created_at"]
    list_filter = ["status"]
