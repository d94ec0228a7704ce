"""Urgency (ชั้นความเร็ว) and secrecy (ชั้นความลับ) levels, shared by every app.

Stored as small integers ordered by severity, so "clearance ≥ secrecy" is a plain comparison; the
DGA exchange codes (001–004) and the letter spec's names are derived from them.
"""
from django.db import models


class _Level(models.IntegerChoices):
    @property
    def dga_code(self) -> str:
        return f"{self.value + 1:03d}"

    @property
    def spec_name(self) -> str:
        return self.name.lower()

    @classmethod
    def from_spec(cls, name: str):
        if not isinstance(name, str):  # a number or a list in the spec: unknown, as a wrong name is
            raise KeyError(name)
        return cls[name.upper()]


class Urgency(_Level):
    NORMAL = 0, "ปกติ"
    URGENT = 1, "ด่วน"
    VERY_URGENT = 2, "ด่วนมาก"
    MOST_URGENT = 3, "ด่วนที่สุด"


class Secrecy(_Level):
    NORMAL = 0, "ปกติ"
    CONFIDENTIAL = 1, "ลับ"
    SECRET = 2, "ลับมาก"
    TOP_SECRET = 3, "ลับที่สุด"

    @property
    def is_classified(self) -> bool:
        return self.value >= Secrecy.CONFIDENTIAL
