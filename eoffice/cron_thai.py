"""A crontab schedule said in Thai, for the admin's schedule pages.

django-celery-beat describes a crontab with cron-descriptor, which has no Thai ("At 07:30 AM, Monday
through Friday"). Each field is expanded with Celery's own parser (the one the scheduler runs on), so
the words say what the scheduler does; a field Celery refuses is shown as written.
"""
from __future__ import annotations

from celery.schedules import ParseException, crontab_parser

from eoffice.thai import to_thai_digits

MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
          "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
WEEKDAYS = ("อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์")
# (field, how many values, first value) as Celery reads them.
RANGES = {"minute": (60, 0), "hour": (24, 0), "day_of_month": (31, 1), "month_of_year": (12, 1), "day_of_week": (7, 0)}
TIMES_LISTED = 6  # more times of day than this are said as minutes of hours


def _expand(field: str, text: str) -> list[int] | None:
    """The values a field stands for, sorted; None for every value (also when written out in full)."""
    size, first = RANGES[field]
    values = sorted(crontab_parser(size, first).parse(str(text)))
    return None if len(values) == size else values


def _step(text: str) -> int | None:
    """n for "*/n"."""
    text = str(text).strip()
    if text.startswith("*/") and text[2:].isdigit() and int(text[2:]) > 1:
        return int(text[2:])
    return None


def _runs(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for v in values:
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return runs


def _join(values: list[int], name=str) -> str:
    """1, 2, 3, 5 → "1–3, 5" (a run of three or more is a range)."""
    parts = []
    for a, b in _runs(values):
        if b - a >= 2:
            parts.append(f"{name(a)}–{name(b)}")
        else:
            parts.extend(name(v) for v in range(a, b + 1))
    return ", ".join(parts)


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}.{minute:02d} น."


def _minutes_said(minute: str, minutes: list[int] | None) -> str:
    if minutes is None:
        return "ทุกนาที"
    step = _step(minute)
    return f"ทุก {step} นาที" if step else f"นาทีที่ {_join(minutes)}"


def _times(minute: str, hour: str) -> str:
    minutes, hours = _expand("minute", minute), _expand("hour", hour)
    if hours is None:
        said = _minutes_said(minute, minutes)
        return said if minutes is None or _step(minute) else f"ทุกชั่วโมง {said}"
    if minutes is not None and len(minutes) * len(hours) <= TIMES_LISTED:
        return "เวลา " + ", ".join(_clock(h, m) for h in hours for m in minutes)
    step = _step(hour)
    said_hours = f"ทุก {step} ชั่วโมง" if step else f"ชั่วโมง {_join(hours, lambda h: f'{h:02d}')}"
    return f"{said_hours} {_minutes_said(minute, minutes)}"


def _days(day_of_month: str, month_of_year: str, day_of_week: str) -> str:
    days, months, weekdays = (_expand("day_of_month", day_of_month), _expand("month_of_year", month_of_year),
                              _expand("day_of_week", day_of_week))
    if days is None and weekdays is None:
        said = "ทุกวัน"
    else:
        parts = []
        if days is not None:
            parts.append(f"ทุก {_step(day_of_month)} วัน" if _step(day_of_month) else f"วันที่ {_join(days)}")
        if weekdays is not None:
            parts.append("วัน" + _join(weekdays, lambda d: WEEKDAYS[d]))
        # cron runs on either when both are restricted
        said = " หรือ ".join(parts)
    if months is not None:
        in_months = _join(months, lambda m: MONTHS[m - 1])
        # "วันที่ ๑ มกราคม" as a date is written; otherwise "ทุกวันในเดือนมกราคม", "วันจันทร์ในเดือนมกราคม"
        said = f"{said} {in_months}" if days is not None else f"{said}ในเดือน{in_months}"
    return said


def crontab_thai(minute="*", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone="") -> str:
    """For example "วันจันทร์–ศุกร์ เวลา ๐๗.๐๐ น. (Asia/Bangkok)"."""
    try:
        times = _times(minute, hour)
        days = _days(day_of_month, month_of_year, day_of_week)
    except (ParseException, ValueError, IndexError):
        said = f"{minute} {hour} {day_of_month} {month_of_year} {day_of_week} (นาที ชั่วโมง วันที่ เดือน วันในสัปดาห์)"
        return f"{said} ({timezone})" if timezone else said
    said = times if days == "ทุกวัน" and not times.startswith("เวลา") else f"{days} {times}"
    return to_thai_digits(f"{said} ({timezone})" if timezone else said)


def schedule_thai(schedule) -> str:
    """A django-celery-beat CrontabSchedule in Thai."""
    return crontab_thai(schedule.minute, schedule.hour, schedule.day_of_month, schedule.month_of_year,
                        schedule.day_of_week, str(schedule.timezone))
