"""Thai dates, digits and document numbers for official correspondence (งานสารบรรณ).

One place that formats and parses:

- Thai digits (เลขไทย ๐–๙) and Arabic digits;
- Buddhist-era dates (พ.ศ. = ค.ศ. + ๕๔๓): the full form used on letters (``๑๗ กันยายน ๒๕๖๓``) and the
  short forms used on registers and stamps (``29 ก.ย. 2563``, ``18 พ.ค. 63``);
- times (``๑๓.๐๐ น.``);
- letter numbers (เลขที่หนังสือ) ``กต ๐๒๐๓/๖๓๘๑``: รหัสตัวพยัญชนะ, รหัสตัวเลข, series prefix, running number;
- yearly numbers of orders, announcements and certificates (``๑/๒๕๖๗``);
- the typed signer name and the salutation table (ภาคผนวก ๒).

Pure Python on purpose (no Django import): models, forms, templates, PDF rendering and scripts all use it.
Every rejected input raises ThaiFormatError, whose message (Thai) says what is wrong and whose
``message_en`` says the same in English.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Iterable
from zoneinfo import ZoneInfo

__all__ = [
    "BANGKOK",
    "BE_OFFSET",
    "BE_YEAR_MAX",
    "BE_YEAR_MIN",
    "DATE_STYLES",
    "DIGIT_SETS",
    "LetterNumber",
    "SALUTATION_RULES",
    "SalutationRule",
    "THAI_CONSONANTS",
    "THAI_DIGITS",
    "THAI_MONTHS",
    "THAI_MONTHS_SHORT",
    "ThaiFormatError",
    "bangkok_date",
    "be_year",
    "closing_for",
    "format_date",
    "format_moment",
    "format_month",
    "format_signer_name",
    "format_time",
    "format_unit_number",
    "format_yearly_number",
    "normalize_unit_number",
    "parse_date",
    "parse_letter_number",
    "parse_time",
    "parse_yearly_number",
    "salutation_warning",
    "to_arabic_digits",
    "to_thai_digits",
    "validate_letter_code",
]

BANGKOK = ZoneInfo("Asia/Bangkok")

BE_OFFSET = 543
# Range of Buddhist-era years accepted as input. A four-digit year below it is almost always a
# Christian-era year typed by mistake (2020 instead of 2563), so it is refused rather than guessed.
BE_YEAR_MIN = 2400
BE_YEAR_MAX = 2700

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_DIGIT = "0-9๐-๙"

# ก..ฮ without ฤ and ฦ, which are vowels in Thai grammar even though Unicode files them among consonants.
THAI_CONSONANTS = frozenset(chr(c) for c in range(0x0E01, 0x0E2F)) - {"ฤ", "ฦ"}

THAI_MONTHS: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
# Lookup key ignores dots and spaces, so 'ก.ย', 'กย' and 'ก. ย.' are read like 'ก.ย.'.
_MONTH_LOOKUP = {
    name.replace(".", ""): number
    for number, names in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT), start=1)
    for name in names
}

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

DATE_STYLES = ("full", "full_era", "short", "short_year4")
DIGIT_SETS = ("thai", "arabic")


class ThaiFormatError(ValueError):
    """Text that is not a valid Thai date, time or number. ``str(error)`` is the Thai message."""

    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


# --- digits ---------------------------------------------------------------------------------------


def to_thai_digits(text: str) -> str:
    """Replace Arabic digits 0–9 with Thai digits ๐–๙; everything else is kept."""
    return _as_text(text).translate(_TO_THAI)


def to_arabic_digits(text: str) -> str:
    """Replace Thai digits ๐–๙ with Arabic digits 0–9; everything else is kept."""
    return _as_text(text).translate(_TO_ARABIC)


def _as_text(value) -> str:
    # Ints are accepted for convenience (running numbers); bools are almost certainly a bug.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    return value


def _apply_digits(text: str, digits: str) -> str:
    if digits == "thai":
        return to_thai_digits(text)
    if digits == "arabic":
        return to_arabic_digits(text)
    raise ThaiFormatError(
        f'ชุดตัวเลข "{digits}" ไม่ถูกต้อง ต้องเป็น "thai" หรือ "arabic"',
        f'digits must be "thai" or "arabic", got {digits!r}',
    )


def _th(number: int) -> str:
    """A number in Thai digits, for messages."""
    return to_thai_digits(str(number))


def _clean(text: str) -> str:
    """Collapse whitespace (incl. no-break spaces) to single spaces; drop zero-width characters.

    Text copied from PDFs and word processors carries both, and neither changes the meaning.
    """
    text = _as_text(text).replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


# --- years and dates -------------------------------------------------------------------------------


def bangkok_date(dt: datetime) -> date:
    """The calendar date in Asia/Bangkok of an aware datetime (a letter's date is the Thai date).

    Naive datetimes are refused: guessing their zone would shift dates near midnight by a day.
    """
    if not isinstance(dt, datetime):
        raise TypeError(f"expected datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ThaiFormatError(
            "วันเวลาไม่ได้ระบุเขตเวลา จึงบอกไม่ได้ว่าเป็นวันที่ใดตามเวลาประเทศไทย",
            "naive datetime: cannot tell which date it is in Bangkok",
        )
    return dt.astimezone(BANGKOK).date()


def _as_date(value: date) -> date:
    # A datetime is also a date; use its Bangkok date rather than the date in whatever zone it carries.
    if isinstance(value, datetime):
        return bangkok_date(value)
    if not isinstance(value, date):
        raise TypeError(f"expected date, got {type(value).__name__}")
    return value


def be_year(value: date | int) -> int:
    """Buddhist-era year (ปี พ.ศ.) of a date or a Christian-era year: CE + 543.

    An aware datetime counts in Bangkok time (2023-12-31T17:00Z is already 2567).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value + BE_OFFSET
    return _as_date(value).year + BE_OFFSET


def format_date(d: date, style: str = "full", digits: str = "thai") -> str:
    """Format a date the Thai way.

    style:
      - ``full``: ``๑๗ กันยายน ๒๕๖๓`` (letters)
      - ``full_era``: ``๑๗ กันยายน พ.ศ. ๒๕๖๓`` (คำสั่ง / ประกาศ: "สั่ง ณ วันที่ …")
      - ``short``: ``๑๗ ก.ย. ๖๓`` (two-digit BE year; only for BE 2500–2599, which is how it is read back)
      - ``short_year4``: ``๑๗ ก.ย. ๒๕๖๓`` (registers and stamps)
    digits: ``thai`` or ``arabic``. An aware datetime is formatted as its Bangkok date.
    """
    d = _as_date(d)
    _apply_digits("", digits)  # reject a bad digit set before doing any work
    year = d.year + BE_OFFSET
    day, full, short = d.day, THAI_MONTHS[d.month - 1], THAI_MONTHS_SHORT[d.month - 1]
    if style == "full":
        text = f"{day} {full} {year}"
    elif style == "full_era":
        text = f"{day} {full} พ.ศ. {year}"
    elif style == "short":
        if not 2500 <= year <= 2599:
            raise ThaiFormatError(
                f"ปี พ.ศ. {_th(year)} เขียนเป็นเลข ๒ หลักไม่ได้ (ปี ๒ หลักอ่านเป็น ๒๕xx) ให้ใช้ปี ๔ หลัก",
                f"BE year {year} cannot be written with two digits (read back as 25xx); use a 4-digit style",
            )
        text = f"{day} {short} {year % 100:02d}"
    elif style == "short_year4":
        text = f"{day} {short} {year}"
    else:
        raise ThaiFormatError(
            f'รูปแบบวันที่ "{style}" ไม่รู้จัก ต้องเป็นหนึ่งใน {", ".join(DATE_STYLES)}',
            f"unknown date style {style!r}; expected one of {', '.join(DATE_STYLES)}",
        )
    return _apply_digits(text, digits)


def format_month(d: date, digits: str = "thai") -> str:
    """The month and its Buddhist-era year, ``กันยายน ๒๕๖๓`` (a month's heading, the admin's date drill-down).
    An aware datetime counts as its Bangkok date."""
    d = _as_date(d)
    return _apply_digits(f"{THAI_MONTHS[d.month - 1]} {d.year + BE_OFFSET}", digits)


_DATE_RE = re.compile(r"^(?:วันที่\s*)?([0-9]{1,2})\s*([^0-9]+?)\s*([0-9]+)$")
_ERA_SUFFIX_RE = re.compile(r"\s*พ\.?\s*ศ\.?$")
_DATE_EXAMPLE_TH = "เช่น ๑๗ กันยายน ๒๕๖๓ หรือ 29 ก.ย. 63"


def parse_date(text: str) -> date:
    """Read a Thai date in any of the styles of :func:`format_date`, in Thai or Arabic digits.

    Also accepts extra spaces, month abbreviations without dots (``ก.ย``), an optional ``พ.ศ.``
    before the year and a leading ``วันที่``. Two-digit years are BE 25xx. Four-digit years must be
    BE years between BE_YEAR_MIN and BE_YEAR_MAX, so a Christian-era year is refused, not converted.
    """
    raw = _clean(text)
    m = _DATE_RE.match(to_arabic_digits(raw))
    if not m:
        raise ThaiFormatError(
            f'อ่านวันที่ "{raw}" ไม่ได้ ต้องเป็น วัน เดือน ปี พ.ศ. {_DATE_EXAMPLE_TH}',
            f"cannot read date {raw!r}; expected day, Thai month and BE year, e.g. '29 ก.ย. 63'",
        )
    day_text, month_text, year_text = m.groups()
    month_text = _ERA_SUFFIX_RE.sub("", month_text)
    key = month_text.replace(".", "").replace(" ", "")
    if key.endswith("คศ"):
        raise ThaiFormatError(
            f'วันที่ "{raw}" ใช้ปี ค.ศ. ให้ใช้ปี พ.ศ. (ค.ศ. + ๕๔๓)',
            f"date {raw!r} uses a Christian-era year; use the Buddhist-era year (CE + 543)",
        )
    month = _MONTH_LOOKUP.get(key)
    if month is None:
        raise ThaiFormatError(
            f'ไม่รู้จักชื่อเดือน "{month_text}" ให้ใช้ชื่อเต็ม เช่น กันยายน หรือชื่อย่อ เช่น ก.ย.',
            f"unknown month {month_text!r}; use the full name (กันยายน) or the abbreviation (ก.ย.)",
        )
    year = _read_be_year(year_text, raw)
    day = int(day_text)
    _check_day(day, month, year)
    return date(year - BE_OFFSET, month, day)


def _read_be_year(year_text: str, context: str) -> int:
    if len(year_text) == 2:
        return 2500 + int(year_text)  # registers write 63 for 2563
    if len(year_text) != 4:
        raise ThaiFormatError(
            f'ปี "{to_thai_digits(year_text)}" ใน "{context}" ต้องเป็นปี พ.ศ. ๒ หรือ ๔ หลัก '
            "เช่น ๖๓ หรือ ๒๕๖๓",
            f"year {year_text!r} in {context!r} must be a 2- or 4-digit BE year, e.g. 63 or 2563",
        )
    year = int(year_text)
    _check_be_year(year)
    return year


def _check_be_year(year: int) -> None:
    if BE_YEAR_MIN <= year <= BE_YEAR_MAX:
        return
    if 1800 <= year < BE_YEAR_MIN:
        raise ThaiFormatError(
            f"ปี {_th(year)} ดูเหมือนปี ค.ศ. ให้ใช้ปี พ.ศ. "
            f"(ค.ศ. {_th(year)} คือ พ.ศ. {_th(year + BE_OFFSET)})",
            f"year {year} looks like a Christian-era year; use the Buddhist-era year {year + BE_OFFSET}",
        )
    raise ThaiFormatError(
        f"ปี พ.ศ. {_th(year)} อยู่นอกช่วงที่รับได้ ({_th(BE_YEAR_MIN)}–{_th(BE_YEAR_MAX)})",
        f"BE year {year} is outside the accepted range {BE_YEAR_MIN}-{BE_YEAR_MAX}",
    )


def _check_day(day: int, month: int, be: int) -> None:
    ce = be - BE_OFFSET
    last = calendar.monthrange(ce, month)[1]
    if 1 <= day <= last:
        return
    name = THAI_MONTHS[month - 1]
    message = f"วันที่ {_th(day)} {name} {_th(be)} ไม่มีอยู่จริง"
    name_en = _MONTHS_EN[month - 1]
    message_en = f"{day} {name_en} BE {be} (CE {ce}) does not exist"
    if month == 2 and day == 29:
        message += f" เพราะปี พ.ศ. {_th(be)} (ค.ศ. {_th(ce)}) ไม่ใช่ปีอธิกสุรทิน"
        message_en += f": CE {ce} is not a leap year"
    elif day > last:
        message += f" (เดือน{name}ปีนี้มี {_th(last)} วัน)"
        message_en += f" ({name_en} has {last} days that year)"
    raise ThaiFormatError(message, message_en)


# --- times -----------------------------------------------------------------------------------------


def format_time(t: time, digits: str = "thai") -> str:
    """``๑๓.๐๐ น.`` (hour without a leading zero, seconds dropped). An aware datetime counts in Bangkok."""
    if isinstance(t, datetime):
        bangkok_date(t)  # refuses a naive datetime, as for dates
        t = t.astimezone(BANGKOK).time()
    if not isinstance(t, time):
        raise TypeError(f"expected time, got {type(t).__name__}")
    return _apply_digits(f"{t.hour}.{t.minute:02d} น.", digits)


def format_moment(moment: datetime, digits: str = "thai") -> str:
    """``๒๙ ก.ย. ๒๕๖๓ ๑๓.๐๕ น.``: an aware date-time as registers, stamps and lists show it (in Bangkok)."""
    return f"{format_date(moment, 'short_year4', digits=digits)} {format_time(moment, digits=digits)}"


def format_wait(seconds: int, digits: str = "thai") -> str:
    """``๑๕ นาที``, ``๑ ชั่วโมง ๓๐ นาที``: a wait in whole minutes, rounded up (a wait is never said shorter
    than it is; under a minute is ``๑ นาที``)."""
    minutes = max(1, -(-int(seconds) // 60))
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} ชั่วโมง"] if hours else []) + ([f"{minutes} นาที"] if minutes else [])
    return _apply_digits(" ".join(parts), digits)


_TIME_RE = re.compile(r"^(?:เวลา\s*:?\s*)?([0-9]{1,2})\s*[.:]\s*([0-9]{2})\s*(?:น\.?|นาฬิกา)?$")


def parse_time(text: str) -> time:
    """Read ``13.00 น.``, ``๑๓.๐๐ น.``, ``10.00 น``, ``9:05`` (optionally after ``เวลา``)."""
    raw = _clean(text)
    m = _TIME_RE.match(to_arabic_digits(raw))
    if not m:
        raise ThaiFormatError(
            f'อ่านเวลา "{raw}" ไม่ได้ ต้องเป็น ชั่วโมง.นาที เช่น ๑๓.๐๐ น. หรือ 9:05',
            f"cannot read time {raw!r}; expected hour.minute, e.g. '13.00 น.' or '9:05'",
        )
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise ThaiFormatError(
            f'เวลา "{raw}" ไม่มีอยู่จริง (ชั่วโมง ๐–๒๓ นาที ๐๐–๕๙)',
            f"time {raw!r} does not exist (hours 0-23, minutes 00-59)",
        )
    return time(hour, minute)


# --- letter numbers: ที่ <รหัสตัวพยัญชนะ> <รหัสตัวเลข>/<series><เลขทะเบียน> ------------------------------


def validate_letter_code(code: str) -> str:
    """The รหัสตัวพยัญชนะ (e.g. ``กต``), stripped; it must be exactly two Thai consonants."""
    cleaned = _clean(code)
    if len(cleaned) != 2 or not set(cleaned) <= THAI_CONSONANTS:
        raise ThaiFormatError(
            f'รหัสตัวพยัญชนะต้องเป็นพยัญชนะไทย ๒ ตัว เช่น กต (ได้รับ "{cleaned}")',
            f"letter code must be exactly two Thai consonants, e.g. กต (got {cleaned!r})",
        )
    return cleaned


_UNIT_RE = re.compile(r"^[0-9]{4}(?:\.[0-9]+)*$")


def normalize_unit_number(text: str) -> str:
    """The รหัสตัวเลข of the owner unit in canonical ASCII: ``๐๕๒๗.๑๐`` -> ``0527.10``.

    Four digits (department, division), then optional ``.n`` groups for lower units.
    """
    cleaned = _clean(text)
    canonical = to_arabic_digits(cleaned)
    if not _UNIT_RE.match(canonical):
        raise ThaiFormatError(
            f'รหัสตัวเลขของส่วนราชการ "{cleaned}" ไม่ถูกต้อง ต้องเป็นตัวเลข ๔ หลัก '
            "อาจตามด้วย .ตัวเลข เช่น ๐๒๐๓ หรือ ๐๕๒๗.๑๐",
            f"unit number {cleaned!r} must be 4 digits optionally followed by .n groups, "
            "e.g. 0203 or 0527.10",
        )
    return canonical


def format_unit_number(unit: str, digits: str = "thai") -> str:
    """``0527.10`` -> ``๐๕๒๗.๑๐`` (or ASCII with digits="arabic")."""
    return _apply_digits(normalize_unit_number(unit), digits)


_HAS_DIGIT_RE = re.compile(f"[{_DIGIT}]")


@dataclass(frozen=True)
class LetterNumber:
    """A letter number (เลขที่หนังสือ) such as ``กต ๐๒๐๓/๖๓๘๑`` or ``นร ๐๕๐๖/ว(ล) ๒๓๘๖๐``.

    Fields are normalised on construction: ``unit`` becomes canonical ASCII, ``code`` is checked.
    ``series`` is the prefix before the running number exactly as the agency writes it (``ว``,
    ``ว(ล)``, ``ว (ล)``, ``ต.ก.``) and ``series_sep`` is what separates it from the number (``''`` or
    ``' '``), so a parsed number prints back identically. ``running`` is None only for a draft
    whose number is not issued yet (printed as ``กต ๐๒๐๓/``).
    """

    code: str
    unit: str
    series: str = ""
    series_sep: str = ""
    running: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "code", validate_letter_code(self.code))
        object.__setattr__(self, "unit", normalize_unit_number(self.unit))
        series, sep = self.series, self.series_sep
        # The series may not hold digits or '/', otherwise the running number could not be found again.
        if (
            not isinstance(series, str)
            or series != _clean(series)
            or "/" in series
            or _HAS_DIGIT_RE.search(series)
        ):
            raise ThaiFormatError(
                f'ตัวนำหน้าเลขทะเบียน "{series}" ไม่ถูกต้อง ห้ามมีตัวเลข เครื่องหมาย / '
                "หรือช่องว่างหัวท้าย เช่น ว หรือ ว(ล)",
                f"series prefix {series!r} may not contain digits, '/', or leading/trailing/double spaces",
            )
        if sep not in ("", " ") or (sep and not series):
            raise ThaiFormatError(
                "ตัวคั่นระหว่างตัวนำหน้ากับเลขทะเบียนต้องเป็นค่าว่างหรือช่องว่าง ๑ ช่อง "
                "และใช้ได้เมื่อมีตัวนำหน้าเท่านั้น",
                "series_sep must be '' or a single space, and only with a series prefix",
            )
        running = self.running
        if running is not None and (not isinstance(running, int) or isinstance(running, bool) or running < 1):
            raise ThaiFormatError(
                f'เลขทะเบียนหนังสือต้องเป็นจำนวนเต็มตั้งแต่ ๑ ขึ้นไป (ได้รับ "{running}")',
                f"running number must be an integer >= 1 (got {running!r})",
            )

    def format(self, digits: str = "thai") -> str:
        """``กต ๐๒๐๓/๖๓๘๑`` (without the leading ``ที่``)."""
        if self.running is None:
            tail = self.series
        else:
            tail = f"{self.series}{self.series_sep}{self.running}"
        return _apply_digits(f"{self.code} {self.unit}/{tail}", digits)

    def __str__(self) -> str:
        return self.format()


_LETTER_RE = re.compile(
    rf"^(?P<code>[^\s{_DIGIT}/]+)\s*(?P<unit>[{_DIGIT}][{_DIGIT}.]*)\s*/\s*"
    rf"(?P<series>[^{_DIGIT}/]*?)(?P<sep>\s?)(?P<running>[{_DIGIT}]*)$"
)
_LETTER_EXAMPLE_TH = "เช่น กต ๐๒๐๓/๖๓๘๑"


def parse_letter_number(text: str, *, allow_unnumbered: bool = False) -> LetterNumber:
    """Read ``ที่ กต ๐๒๐๓/๖๓๘๑``, ``มท ๐๒๑๘/ต.ก.๕๕``, ``นร 0506/ว(ล) 23860`` (``ที่`` optional).

    A number without a running number (a draft, ``กต ๐๒๐๓/``) is refused unless allow_unnumbered.
    """
    raw = _clean(text)
    body = re.sub(r"^ที่\s*", "", raw)
    m = _LETTER_RE.match(body)
    if not m:
        if "/" not in body:
            raise ThaiFormatError(
                f'เลขที่หนังสือ "{raw}" ไม่มีเครื่องหมาย / คั่นรหัสส่วนราชการกับเลขทะเบียนหนังสือ '
                f"{_LETTER_EXAMPLE_TH}",
                f"letter number {raw!r} has no '/' between the agency code and the running number",
            )
        raise ThaiFormatError(
            f'เลขที่หนังสือ "{raw}" ไม่อยู่ในรูปแบบ รหัสตัวพยัญชนะ รหัสตัวเลข/เลขทะเบียน '
            f"{_LETTER_EXAMPLE_TH}",
            f"letter number {raw!r} is not 'code unit/running', e.g. 'กต 0203/6381'",
        )
    running_text = to_arabic_digits(m["running"])
    if not running_text and not allow_unnumbered:
        raise ThaiFormatError(
            f'เลขที่หนังสือ "{raw}" ไม่มีเลขทะเบียนหนังสือหลังเครื่องหมาย / {_LETTER_EXAMPLE_TH}',
            f"letter number {raw!r} has no running number after '/'",
        )
    return LetterNumber(
        code=m["code"],
        unit=m["unit"],
        series=m["series"],
        series_sep=m["sep"] if m["series"] else "",
        running=int(running_text) if running_text else None,
    )


# --- yearly numbers: คำสั่ง / ประกาศ / หนังสือรับรอง ที่ ๑/๒๕๖๗ ------------------------------------------


def format_yearly_number(running: int, be_year: int, digits: str = "thai") -> str:
    """``๑/๒๕๖๗``: the per-calendar-year series of orders, announcements and certificates."""
    if not isinstance(running, int) or isinstance(running, bool) or running < 1:
        raise ThaiFormatError(
            f'เลขที่ต้องเป็นจำนวนเต็มตั้งแต่ ๑ ขึ้นไป (ได้รับ "{running}")',
            f"running number must be an integer >= 1 (got {running!r})",
        )
    if not isinstance(be_year, int) or isinstance(be_year, bool):
        raise TypeError(f"be_year must be int, got {type(be_year).__name__}")
    _check_be_year(be_year)
    return _apply_digits(f"{running}/{be_year}", digits)


_YEARLY_RE = re.compile(r"^(?:(?:เลข)?ที่\s*)?([0-9]+)\s*/\s*([0-9]+)$")


def parse_yearly_number(text: str) -> tuple[int, int]:
    """Read ``๑/๒๕๖๗`` (or ``ที่ 1/2567``, ``เลขที่ …``) into (running, BE year).

    Two-digit years are BE 25xx, as on receipt stamps (``5467/63``).
    """
    raw = _clean(text)
    m = _YEARLY_RE.match(to_arabic_digits(raw))
    if not m:
        raise ThaiFormatError(
            f'เลขที่ "{raw}" ไม่อยู่ในรูปแบบ เลขที่/ปี พ.ศ. เช่น ๑/๒๕๖๗',
            f"number {raw!r} is not 'running/BE year', e.g. '1/2567'",
        )
    running = int(m.group(1))
    if running < 1:
        raise ThaiFormatError(
            f'เลขที่ใน "{raw}" ต้องเริ่มที่ ๑',
            f"the running number in {raw!r} must be at least 1",
        )
    return running, _read_be_year(m.group(2), raw)


# --- signature block -------------------------------------------------------------------------------


def format_signer_name(name: str, rank: str | None = None) -> str:
    """The typed name under the signature: ``(นายดอน ปรมัตถ์วินัย)`` or ``พลเอก (อนุพงษ์ เผ่าจินดา)``.

    A civilian's title (นาย/นาง/นางสาว/ดร. …) belongs inside the parentheses, so it is part of name;
    a military or police rank goes before them.
    """
    cleaned = _clean(name)
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = cleaned[1:-1].strip()  # already bracketed: do not double the parentheses
    if not cleaned:
        raise ThaiFormatError("ต้องระบุชื่อผู้ลงนาม", "the signer's name is empty")
    rank = _clean(rank) if rank is not None else ""
    return f"{rank} ({cleaned})" if rank else f"({cleaned})"


# --- salutations (ภาคผนวก ๒) -----------------------------------------------------------------------


@dataclass(frozen=True)
class SalutationRule:
    """One row of the salutation table: who the recipient is, คำขึ้นต้น and คำลงท้าย."""

    key: str
    recipients: str
    opening: str
    closing: str


# The defaults of the regulation; the portal keeps an editable copy as reference data and passes it
# as ``rules`` (any objects with .opening and .closing work, e.g. model instances).
SALUTATION_RULES: tuple[SalutationRule, ...] = (
    SalutationRule(
        "high_official",
        "ประธานองคมนตรี นายกรัฐมนตรี ประธานรัฐสภา ประธานสภาผู้แทนราษฎร ประธานวุฒิสภา ประธานศาลฎีกา "
        "ประธานศาลรัฐธรรมนูญ ประธานศาลปกครองสูงสุด ประธานองค์กรอิสระตามรัฐธรรมนูญ รัฐบุรุษ",
        "กราบเรียน",
        "ขอแสดงความนับถืออย่างยิ่ง",
    ),
    SalutationRule("general", "บุคคลทั่วไป", "เรียน", "ขอแสดงความนับถือ"),
    SalutationRule("monk", "พระภิกษุสงฆ์ทั่วไป", "นมัสการ", "ขอนมัสการด้วยความเคารพ"),
    SalutationRule("raja_gana", "พระราชาคณะ", "นมัสการ", "ขอนมัสการด้วยความเคารพอย่างสูง"),
    SalutationRule("somdet_raja_gana", "สมเด็จพระราชาคณะ", "นมัสการ", "ขอนมัสการด้วยความเคารพอย่างยิ่ง"),
    SalutationRule("supreme_patriarch", "สมเด็จพระสังฆราช", "กราบทูล", "ควรมิควรแล้วแต่จะโปรด"),
    SalutationRule(
        "royalty_grab_bangkom_thun",
        "พระบรมวงศานุวงศ์ (คำขึ้นต้น ขอพระราชทานกราบบังคมทูล…)",
        "ขอพระราชทานกราบบังคมทูล",
        "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม",
    ),
    SalutationRule(
        "royalty_grab_thun",
        "พระบรมวงศานุวงศ์ (คำขึ้นต้น ขอประทานกราบทูล…)",
        "ขอประทานกราบทูล",
        "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม",
    ),
)


def _rules_for_opening(opening: str, rules: Iterable) -> list:
    """Rules whose opening starts the given text; the longest opening wins.

    Prefix match because the opening line carries the recipient's position (``เรียน เลขาธิการ…``) and
    royal openings run on without a space (``ขอพระราชทานกราบบังคมทูลทราบฝ่าละอองธุลีพระบาท``).
    The longest wins so that an edited table may hold an opening that starts another one.
    """
    text = _clean(opening)
    matching = [r for r in rules if r.opening and text.startswith(_clean(r.opening))]
    if not matching:
        return []
    longest = max(len(_clean(r.opening)) for r in matching)
    return [r for r in matching if len(_clean(r.opening)) == longest]


def _quoted_or(items: list[str]) -> str:
    quoted = [f'"{item}"' for item in items]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " หรือ " + quoted[-1]


def closing_for(opening: str, rules=SALUTATION_RULES) -> list[str]:
    """The closings (คำลงท้าย) that go with an opening line, in table order; [] if it is unknown."""
    closings: list[str] = []
    for rule in _rules_for_opening(opening, rules):
        if _clean(rule.closing) not in closings:
            closings.append(_clean(rule.closing))
    return closings


def salutation_warning(opening: str, closing: str, rules=SALUTATION_RULES) -> str | None:
    """A Thai warning when the opening and closing do not belong together, else None.

    Both empty is fine (หนังสือประทับตรา has neither). The closing must match the table exactly.
    """
    op, cl = _clean(opening), _clean(closing)
    if not op and not cl:
        return None
    if not op:
        return f'มีคำลงท้าย "{cl}" แต่ไม่มีคำขึ้นต้น'
    matched = _rules_for_opening(op, rules)
    if not matched:
        known = list(dict.fromkeys(_clean(r.opening) for r in rules))
        return f'ไม่รู้จักคำขึ้นต้น "{op}" คำขึ้นต้นที่ใช้ได้คือ {_quoted_or(known)}'
    expected = closing_for(op, rules)
    opening_word = _clean(matched[0].opening)
    if not cl:
        return f'คำขึ้นต้น "{opening_word}" ต้องมีคำลงท้าย {_quoted_or(expected)}'
    if cl in expected:
        return None
    warning = f'คำขึ้นต้น "{opening_word}" ต้องใช้คู่กับคำลงท้าย {_quoted_or(expected)} ไม่ใช่ "{cl}"'
    partners = list(dict.fromkeys(_clean(r.opening) for r in rules if _clean(r.closing) == cl))
    if partners:
        warning += f' (คำลงท้าย "{cl}" ใช้คู่กับคำขึ้นต้น {_quoted_or(partners)})'
    return warning
