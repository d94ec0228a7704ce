"""Thai names in the admin for packages whose app gives none to translate (django-axes shows "Axes",
django-otp's TOTP plugin "Otp_Totp"). Kept out of eoffice/apps.py: an AppConfig imported there would
count as a candidate for the "eoffice" app itself.

django-otp's model and field names are plain English strings (not marked for translation, so the locale
cannot name them): they are renamed here when the app is ready. Only the names in use change; migrations
read the names the package declared (``Field._verbose_name``, ``Meta.original_attrs``), so no migration
of the package follows (tests/eoffice/test_admin_thai.py checks it)."""
from axes.apps import AppConfig as _AxesConfig
from django_celery_beat.apps import BeatConfig as _BeatConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TotpConfig

TOTP_DEVICE = "แอปยืนยันตัวตน"
TOTP_FIELDS = {
    "user": "ผู้ใช้",
    "name": "ชื่อ",
    "confirmed": "ยืนยันการลงทะเบียนแล้ว",
    "key": "กุญแจลับ",
    "step": "ช่วงเวลาของรหัส (วินาที)",
    "t0": "เวลาเริ่มนับช่วง (t0)",
    "digits": "จำนวนหลักของรหัส",
    "tolerance": "จำนวนช่วงเวลาที่ยอมให้คลาดเคลื่อน",
    "drift": "นาฬิกาของโทรศัพท์คลาดเคลื่อน (ช่วงเวลา)",
    "last_t": "ช่วงเวลาของรหัสที่ใช้ล่าสุด",
    "throttling_failure_timestamp": "ใส่รหัสผิดครั้งล่าสุดเมื่อ",
    "throttling_failure_count": "จำนวนครั้งที่ใส่รหัสผิดติดกัน",
    "created_at": "ลงทะเบียนเมื่อ",
    "last_used_at": "ใช้ล่าสุดเมื่อ",
}


def rename_model(model, name: str, fields: dict[str, str]) -> None:
    """Thai names for a package's model and its fields wherever the admin shows them."""
    model._meta.verbose_name = model._meta.verbose_name_plural = name
    for field_name, label in fields.items():
        model._meta.get_field(field_name).verbose_name = label


def name_column(attribute, label: str) -> None:
    """A header for a package's computed list column or field (a method, or a property of the model),
    which Django would otherwise title from its English attribute name."""
    getattr(attribute, "fget", attribute).short_description = label


def _when(value) -> str:
    from eoffice import thai

    return thai.format_moment(value) if value else ""


def _attempt_title(self) -> str:
    return f"ความพยายามเข้าสู่ระบบ {_when(self.attempt_time)}"


def _log_title(self) -> str:
    return f"บันทึกการเข้าสู่ระบบของ {self.username} {_when(self.attempt_time)}"


def _failure_title(self) -> str:
    locked = " (ถูกระงับการเข้าสู่ระบบ)" if self.locked_out else ""
    return f"เข้าสู่ระบบไม่สำเร็จ: {self.username} {_when(self.attempt_time)} จาก {self.ip_address}{locked}"


class AxesConfig(_AxesConfig):
    """django-axes, which throttles repeated failed logins. Its field names are translated in locale/th;
    its records' titles (the heading of a change page, the admin's history) are English f-strings,
    replaced here."""

    verbose_name = "การป้องกันการเดารหัสผ่าน"

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin

        name_column(AccessAttemptAdmin.status, "สถานะ")
        name_column(AccessAttemptAdmin.expiration, "หมดอายุเมื่อ")
        for name, title in (("AccessAttempt", _attempt_title), ("AccessLog", _log_title),
                            ("AccessFailureLog", _failure_title)):
            self.get_model(name).__str__ = title


class BeatConfig(_BeatConfig):
    """django-celery-beat, the schedule of periodic jobs (its names are translated in locale/th, the meaning
    of a schedule is said by eoffice.cron_thai)."""

    def ready(self):
        super().ready()
        from django_celery_beat.admin import PeriodicTaskAdmin
        from django_celery_beat.models import CrontabSchedule, PeriodicTask

        from eoffice.cron_thai import schedule_thai

        # The meaning of a crontab in Thai: the list column, the job's change form and the form's
        # live description (beat's own is cron-descriptor's English).
        CrontabSchedule.human_readable = property(schedule_thai)
        CrontabSchedule.__str__ = schedule_thai  # the job form's choice of schedule
        name_column(PeriodicTask.scheduler, "กำหนดเวลาที่ใช้")
        name_column(CrontabSchedule.human_readable, "ความหมาย")
        name_column(PeriodicTaskAdmin.crontab_translation, "ความหมายของกำหนดเวลาแบบ crontab")


class TotpConfig(_TotpConfig):
    """django-otp's TOTP authenticators, the second factor of officials."""

    verbose_name = "การยืนยันตัวตนสองขั้นตอน"

    def ready(self):
        super().ready()
        rename_model(self.get_model("TOTPDevice"), TOTP_DEVICE, TOTP_FIELDS)
