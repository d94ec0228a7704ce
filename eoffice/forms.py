"""Form fields shared by the admin and the officials' pages."""
import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError

from eoffice import thai

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ThaiDateField(forms.DateField):
    """A date typed the way a clerk writes it: ๑๗ กันยายน ๒๕๖๓, 29 ก.ย. 63, 17/9/2563 or 2020-09-17.

    Slashed dates with a year of 2400 or more are Buddhist-era years; shown back in the full Thai form.
    """

    default_error_messages = {"invalid": "รูปแบบวันที่ไม่ถูกต้อง ตัวอย่างที่ใช้ได้: ๑๗ กันยายน ๒๕๖๓, 29 ก.ย. 63, 17/9/2563"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = thai.to_arabic_digits(str(value).strip())
        try:
            if _ISO.match(text):
                return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
            slashed = _SLASHED.match(text)
            if slashed:
                day, month, year = (int(g) for g in slashed.groups())
                if year >= 2400:
                    year -= 543
                return dt.date(year, month, day)
            return thai.parse_date(str(value))
        except thai.ThaiFormatError as exc:
            raise ValidationError(str(exc), code="invalid") from exc
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return thai.format_date(value, style="full")
        return value


class ThaiDateInput(forms.TextInput):
    def __init__(self, attrs=None):
        super().__init__({"placeholder": "เช่น ๑๗ กันยายน ๒๕๖๓", "size": 18, **(attrs or {})})
