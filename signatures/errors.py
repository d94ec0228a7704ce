"""Signature errors. ``str(error)`` is the Thai message shown to the official.

Messages never contain a passphrase, PIN or key material; ``code`` is a stable machine-readable id.
"""


class SignatureError(Exception):
    """Base class: signing or stamping failed; the PDF was not changed."""

    code = "signature_error"
    default_message = "ลงลายมือชื่ออิเล็กทรอนิกส์ไม่สำเร็จ เอกสารยังไม่ถูกลงนาม"

    def __init__(self, message: str | None = None, *, detail: str | None = None):
        self.message = message or self.default_message
        # Technical detail for logs (English, no secrets); not shown to users.
        self.detail = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class AlreadySignedError(SignatureError):
    code = "already_signed"
    default_message = "ท่านลงนามหนังสือฉบับนี้แล้ว ไม่ต้องลงนามซ้ำ"


class WrongSecretError(SignatureError):
    """รหัสผ่านของแฟ้ม PKCS#12 หรือ PIN ของอุปกรณ์ไม่ถูกต้อง"""

    code = "wrong_secret"
    default_message = "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง เอกสารยังไม่ถูกลงนาม กรุณาลองใหม่อีกครั้ง"


class SecretLockedError(SignatureError):
    code = "pin_locked"
    default_message = "อุปกรณ์ลงลายมือชื่อถูกล็อกเพราะใส่รหัส PIN ผิดหลายครั้ง กรุณาติดต่อผู้ดูแลระบบ"


class CredentialNotFoundError(SignatureError):
    code = "credential_not_found"
    default_message = "ไม่พบกุญแจหรือใบรับรองสำหรับลงลายมือชื่อ กรุณาตรวจสอบแฟ้มหรืออุปกรณ์ที่ตั้งค่าไว้"


class CertificateExpiredError(SignatureError):
    code = "certificate_expired"
    default_message = "ใบรับรองอิเล็กทรอนิกส์ของผู้ลงนามหมดอายุหรือยังไม่มีผล ไม่สามารถลงนามได้"


class CertificateRevokedError(SignatureError):
    code = "certificate_revoked"
    default_message = "ใบรับรองอิเล็กทรอนิกส์ของผู้ลงนามถูกเพิกถอนแล้ว ไม่สามารถลงนามได้"


class CertificateNotTrustedError(SignatureError):
    code = "certificate_untrusted"
    default_message = "ใบรับรองอิเล็กทรอนิกส์ของผู้ลงนามไม่ได้ออกโดยผู้ให้บริการที่เชื่อถือ ไม่สามารถลงนามได้"


class RevocationUnavailableError(SignatureError):
    code = "revocation_unavailable"
    default_message = "ไม่สามารถตรวจสอบสถานะการเพิกถอนใบรับรองได้ (OCSP/CRL) กรุณาลองใหม่ภายหลัง"


class TimestampUnavailableError(SignatureError):
    code = "tsa_unavailable"
    default_message = (
        "ไม่สามารถติดต่อหน่วยงานประทับรับรองเวลา (TSA) ได้ เอกสารยังไม่ถูกลงนาม กรุณาลองใหม่ภายหลัง"
    )


class InvalidPdfError(SignatureError):
    code = "invalid_pdf"
    default_message = "แฟ้ม PDF เสียหายหรืออ่านไม่ได้"


class RenewalError(SignatureError):
    code = "renewal_failed"
    default_message = "ต่ออายุตราประทับเวลาเพื่อการเก็บรักษาระยะยาวไม่สำเร็จ"
