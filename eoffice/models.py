"""Project-wide records: the access events of the audit trail."""
from django.conf import settings
from django.db import models

from eoffice.audit import audited_history


class AccessKind(models.TextChoices):
    LOGIN = "login", "เข้าสู่ระบบ"
    LOGIN_FAILED = "login_failed", "เข้าสู่ระบบไม่สำเร็จ"
    LOCKED_OUT = "locked_out", "ระงับการเข้าสู่ระบบชั่วคราว"
    LOGOUT = "logout", "ออกจากระบบ"
    SECOND_FACTOR = "second_factor", "ยืนยันตัวตนขั้นที่สอง"
    SECOND_FACTOR_FAILED = "second_factor_failed", "ยืนยันตัวตนขั้นที่สองไม่สำเร็จ"
    EXPORT = "export", "ส่งออกทะเบียน"
    DOWNLOAD = "download", "ดาวน์โหลดหนังสือชั้นความลับ"
    GRANT = "grant", "เปลี่ยนสิทธิ์เข้าถึงหนังสือ"
    ROLE = "role", "เปลี่ยนบทบาทหรือสิทธิ์ผู้ใช้"
    PASSWORD_CHANGED = "password_changed", "เปลี่ยนรหัสผ่าน"
    PASSWORD_CHANGE_FAILED = "password_change_failed", "เปลี่ยนรหัสผ่านไม่สำเร็จ (รหัสผ่านปัจจุบันผิด)"


class AccessEvent(models.Model):
    """เหตุการณ์การเข้าถึง: who logged in or failed to, exported a register, downloaded a classified
    file, or changed someone's grants and roles. Written once, never changed: its history rows are in
    the hash chain that ``manage.py verify_audit`` checks."""

    at = models.DateTimeField("เมื่อ", auto_now_add=True, db_index=True)
    kind = models.CharField("เหตุการณ์", max_length=32, choices=AccessKind.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name="ผู้ใช้")
    username = models.CharField("ชื่อผู้ใช้ที่ระบุ", max_length=150, blank=True)
    ip = models.GenericIPAddressField("หมายเลขไอพี", null=True, blank=True)
    user_agent = models.CharField("โปรแกรมที่ใช้", max_length=300, blank=True)
    target = models.CharField("สิ่งที่เกี่ยวข้อง", max_length=200, blank=True, help_text="เช่น letter:12, item:7, user:3")
    detail = models.JSONField("รายละเอียด", default=dict, blank=True)

    history = audited_history()

    class Meta:
        verbose_name = "เหตุการณ์การเข้าถึง"
        verbose_name_plural = "เหตุการณ์การเข้าถึง"
        ordering = ["-at", "-pk"]

    def __str__(self):
        from eoffice import thai

        when = thai.format_moment(self.at) if self.at else ""
        return f"{self.get_kind_display()} {self.username or self.user_id or ''} {when}"
