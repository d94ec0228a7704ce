"""Retention classes (อายุการเก็บหนังสือ, ระเบียบฯ หมวด ๓), kept apart so IncomingItem can import them."""
from django.db import models


class RetentionClass(models.TextChoices):
    TEN_YEARS = "10y", "เก็บไม่น้อยกว่า ๑๐ ปี (ทั่วไป)"
    ONE_YEAR = "1y", "เก็บไม่น้อยกว่า ๑ ปี (เรื่องประจำ)"
    PERMANENT = "permanent", "ห้ามทำลาย (เก็บตลอดไป)"
    SET_YEARS = "years", "ตามที่กำหนด (จำนวนปี)"


# Years for each class; SET_YEARS reads the item's own retention_years, PERMANENT never expires.
CLASS_YEARS = {RetentionClass.TEN_YEARS: 10, RetentionClass.ONE_YEAR: 1}
