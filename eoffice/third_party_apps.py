"""Thai names in the admin for packages whose app gives none to translate (django-axes shows "Axes",
django-otp's TOTP plugin "Otp_Totp"). Kept out of eoffice/apps.py: an AppConfig imported there would
count as a candidate for the "eoffice" app itself."""
from axes.apps import AppConfig as _AxesConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TotpConfig


class AxesConfig(_AxesConfig):
    """django-axes, which throttles repeated failed logins."""

    verbose_name = "การป้องกันการเดารหัสผ่าน"


class TotpConfig(_TotpConfig):
    """django-otp's TOTP authenticators, the second factor of officials."""

    verbose_name = "การยืนยันตัวตนสองขั้นตอน"
