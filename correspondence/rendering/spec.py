"""The letter spec: load and validate (docs/letter-spec.md, docs/letter-spec.schema.json).

``validate_spec(spec)`` returns a list of ``Problem(path, message_th, message_en)``; the
schema holds the structure and which elements each kind requires, Python adds what a
schema cannot say (rules across fields). ``spec_warnings`` gives advice that does not stop
rendering (an opening and closing that do not belong together).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import NamedTuple

from jsonschema import Draft202012Validator, FormatChecker

from pathlib import Path

from eoffice.thai import BANGKOK, format_date, salutation_warning

BASE_DIR = Path(__file__).resolve().parents[2]  # (not from fonts: validation needs no WeasyPrint)
SCHEMA_PATH = BASE_DIR / "docs" / "letter-spec.schema.json"

KIND_TH = {
    "external": "หนังสือภายนอก", "memo": "บันทึกข้อความ", "stamped": "หนังสือประทับตรา",
    "order": "คำสั่ง", "regulation": "ระเบียบ", "bylaw": "ข้อบังคับ", "announcement": "ประกาศ",
    "statement": "แถลงการณ์", "news": "ข่าว", "certificate": "หนังสือรับรอง",
    "minutes": "รายงานการประชุม", "record": "บันทึก",
}
FIELD_TH = {
    "number": "เลขที่หนังสือ (ที่)", "date": "วันที่", "issuer": "ส่วนราชการเจ้าของหนังสือ",
    "subject": "เรื่อง", "salutation": "คำขึ้นต้น", "recipient": "ผู้รับ (เรียน/ถึง)", "body": "ข้อความ",
    "closing": "คำลงท้าย", "signer": "ผู้ลงนาม", "owner_unit": "ส่วนราชการเจ้าของเรื่อง",
    "title": "ชื่อเรื่องหัวหนังสือ", "about": "ว่าด้วย", "meeting": "ข้อมูลการประชุม",
    "name": "ชื่อ", "position": "ตำแหน่ง", "text": "ข้อความ", "kind": "ชนิดหนังสือ",
}
TYPE_TH = {"string": "ข้อความ", "array": "รายการ", "object": "ชุดข้อมูล", "null": "ค่าว่าง (null)",
           "boolean": "จริง/เท็จ", "integer": "จำนวนเต็ม", "number": "ตัวเลข"}


class Problem(NamedTuple):
    path: str
    message_th: str
    message_en: str

    def line(self, lang: str = "th") -> str:
        return f"{self.path}: {self.message_th if lang == 'th' else self.message_en}"


class LetterSpecError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line("en") for p in problems))


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=FormatChecker())


def json_path(parts) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _leaf_errors(error):
    """oneOf/anyOf: report the most specific sub-error rather than "is not valid under any"."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        # prefer errors from the alternative whose type matched
        typed = [e for e in error.context if e.validator != "type"]
        for sub in typed or [error]:
            yield from ([sub] if sub is error else _leaf_errors(sub))
        return
    yield error


def _translate(error, kind) -> Problem:
    parts = list(error.absolute_path)
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1]
        path = json_path(parts + [missing])
        field = FIELD_TH.get(missing, missing)
        if parts == [] and kind in KIND_TH and missing != "kind":
            return Problem(path, f"{KIND_TH[kind]} ต้องมี{field}",
                           f"required for kind {kind!r} ({KIND_TH[kind]})")
        return Problem(path, f"ต้องมี{field}", "is required")
    path = json_path(parts)
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        names = ", ".join(extra)
        return Problem(path, f"มีช่องที่ไม่รู้จัก: {names}", f"unknown key(s): {names}")
    if v == "enum":
        allowed = " | ".join(str(x) for x in error.validator_value)
        return Problem(path, f"ค่า {error.instance!r} ใช้ไม่ได้ ต้องเป็นหนึ่งใน {allowed}",
                       f"{error.instance!r} is not one of {allowed}")
    if v == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        th = " หรือ ".join(TYPE_TH.get(t, t) for t in types)
        return Problem(path, f"ต้องเป็น{th}", f"must be of type {' or '.join(types)}")
    if v == "format":
        what = {"date": "วันที่", "date-time": "วันและเวลา"}.get(error.validator_value, error.validator_value)
        return Problem(path, f"รูปแบบ{what}ไม่ถูกต้อง ใช้ปี ค.ศ. แบบ ปปปป-ดด-วว (เช่น 2020-05-12)",
                       f"{error.instance!r} is not a valid {error.validator_value} (e.g. 2020-05-12)")
    if v in ("minLength", "minItems"):
        return Problem(path, "ต้องไม่ว่าง", "must not be empty")
    if v == "const":
        return Problem(path, f"ต้องเป็น {error.validator_value!r}", f"must be {error.validator_value!r}")
    return Problem(path, f"ไม่ถูกต้อง: {error.message}", error.message)


def kind_problem(kind) -> Problem | None:
    """A missing kind asks for one; a wrong one is named with the kinds there are."""
    allowed = " | ".join(KIND_TH)
    if kind is None or kind == "":
        return Problem("$.kind", f"กรุณาเลือกชนิดหนังสือ (kind) เป็นหนึ่งใน {allowed}",
                       f"the kind of letter is missing: one of {allowed}")
    if not isinstance(kind, str) or kind not in KIND_TH:
        return Problem("$.kind", f"ไม่รู้จักชนิดหนังสือ {kind!r} ต้องเป็นหนึ่งใน {allowed}",
                       f"unknown kind of letter {kind!r}: one of {allowed}")
    return None


def _follows_from_kind(error) -> bool:
    """Errors a missing or unknown kind causes: the kind's own, and the top-level "required" ones
    (without a kind every kind's ``if`` holds, so every kind's elements would be asked for)."""
    path = list(error.absolute_path)
    return path[:1] == ["kind"] or (not path and error.validator == "required")


def validate_spec(spec) -> list[Problem]:
    """All problems in the spec, in document order; empty when it can be rendered."""
    if not isinstance(spec, dict):
        return [Problem("$", "ข้อมูลหนังสือต้องเป็นชุดข้อมูล JSON (object)", "the spec must be a JSON object")]
    kind = spec.get("kind")
    bad_kind = kind_problem(kind)
    problems = [bad_kind] if bad_kind else []
    for error in _validator().iter_errors(spec):
        for leaf in _leaf_errors(error):
            if bad_kind and _follows_from_kind(leaf):
                continue
            problem = _translate(leaf, kind)
            if problem not in problems:
                problems.append(problem)
    problems.extend(_cross_field(spec))
    problems.sort(key=lambda p: p.path)
    return problems


def _deliver_by_problem(value) -> Problem | None:
    """ด่วนภายใน: a date or a date and time, read as the renderer reads it (the schema cannot check
    a date-time format without an extra library, so it is checked here)."""
    import datetime as dt

    if value is None or not isinstance(value, str):
        return None  # the schema reports a wrong type
    try:
        if "T" in value:
            dt.datetime.fromisoformat(value)
        else:
            dt.date.fromisoformat(value)
    except ValueError:
        return Problem("$.deliver_by", "ด่วนภายในต้องเป็นวันที่ (เช่น 2026-12-05) หรือวันและเวลา (เช่น 2026-12-05T10:30) ปี ค.ศ.",
                       f"{value!r} is not an ISO date (2026-12-05) or date-time (2026-12-05T10:30)")
    return None


# Years written in Buddhist era in an ISO field (2569-12-16) would print as ๓๑๑๒.
_BE_YEAR_FROM = 2300

# The earliest date a letter can carry: the form it follows is the one of the ระเบียบสำนักนายกรัฐมนตรี
# ว่าด้วยงานสารบรรณ พ.ศ. ๒๕๒๖, in force from 1 June 2526 (1983). Anything earlier (1900, a year typed
# wrong) is a mistake, whether it is our letter's date or the date of a letter we receive.
LETTER_DATE_FLOOR = dt.date(1983, 6, 1)
# A deadline (ด่วนภายใน) or a meeting date at most this far ahead; a letter's own date never is ahead.
DATE_AHEAD_LIMIT = dt.timedelta(days=366)


def bangkok_today() -> dt.date:
    return dt.datetime.now(BANGKOK).date()


def too_early_th(day: dt.date) -> str:
    """The Thai refusal of a date before ``LETTER_DATE_FLOOR`` (the spec's and the incoming register's)."""
    return (f"วันที่ {format_date(day)} เก่าเกินกว่าจะเป็นวันที่ของหนังสือ ต้องไม่ก่อน {format_date(LETTER_DATE_FLOOR)} "
            "(วันที่ระเบียบงานสารบรรณ พ.ศ. ๒๕๒๖ ใช้บังคับ) กรุณาตรวจสอบปี")


def received_date_problem(day: dt.date | None, today: dt.date) -> str | None:
    """Why a letter that reached us cannot carry this date (Thai), or None: not ahead of ``today``, not
    before ``LETTER_DATE_FLOOR``. The incoming register's rule, and a reservation's filled line's."""
    if day and day > today:
        return "วันที่ของหนังสือต้องไม่เป็นวันในอนาคต"
    if day and day < LETTER_DATE_FLOOR:
        return too_early_th(day)
    return None


def _date_range_problem(path: str, value, *, ahead_ok: bool) -> Problem | None:
    """A date that parses but cannot be right: before the floor, or ahead of today (a letter's date)
    or more than a year ahead (a deadline, a meeting)."""
    if not isinstance(value, str):
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None  # the schema, or _deliver_by_problem, says what is wrong with it
    if day.year >= _BE_YEAR_FROM:
        return None  # _be_year_problem says it is a Buddhist-era year
    if day < LETTER_DATE_FLOOR:
        return Problem(path, too_early_th(day), f"{day.isoformat()} is before {LETTER_DATE_FLOOR.isoformat()}, "
                                                "when the correspondence regulation of 1983 came into force")
    today = bangkok_today()
    if not ahead_ok and day > today:
        return Problem(path, f"วันที่ของหนังสือต้องไม่เป็นวันในอนาคต ({format_date(day)})",
                       f"the letter's date {day.isoformat()} is in the future")
    if ahead_ok and day > today + DATE_AHEAD_LIMIT:
        return Problem(path, f"วันที่ {format_date(day)} ไกลเกินไป ต้องไม่เกินหนึ่งปีจากวันนี้ กรุณาตรวจสอบปี",
                       f"{day.isoformat()} is more than a year ahead")
    return None


def _be_year_problem(path: str, value) -> Problem | None:
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit() and int(value[:4]) >= _BE_YEAR_FROM:
        return Problem(path, f"ปี {value[:4]} เป็นปี พ.ศ. ข้อมูลหนังสือใช้ปี ค.ศ. (เช่น {int(value[:4]) - 543}{value[4:10]})",
                       f"year {value[:4]} looks like a Buddhist-era year; the spec uses Gregorian years")
    return None


def _cross_field(spec) -> list[Problem]:
    problems = []
    kind = spec.get("kind")
    if problem := _deliver_by_problem(spec.get("deliver_by")):
        problems.append(problem)
    meeting = spec.get("meeting") if isinstance(spec.get("meeting"), dict) else {}
    for path, value in (("$.date", spec.get("date")), ("$.deliver_by", spec.get("deliver_by")),
                        ("$.meeting.when", meeting.get("when"))):
        if problem := _be_year_problem(path, value) or _date_range_problem(path, value, ahead_ok=path != "$.date"):
            problems.append(problem)
    if kind == "stamped":
        # หนังสือประทับตรา: no salutation, no closing, no signature (ข้อ ๑๔).
        for key in ("salutation", "closing", "signer"):
            if spec.get(key):
                problems.append(Problem(json_path([key]), f"หนังสือประทับตราไม่มี{FIELD_TH[key]}",
                                        f"a stamped letter has no {key}"))
    if kind in ("statement", "news") and spec.get("signer"):
        problems.append(Problem("$.signer", f"{KIND_TH[kind]}ไม่มีผู้ลงนาม", f"a {kind} is not signed"))
    if kind == "external" and spec.get("closing") is not None and not spec.get("closing"):
        problems.append(Problem("$.closing", "หนังสือภายนอกต้องมีคำลงท้าย", "an external letter needs a closing"))
    return problems


def spec_warnings(spec) -> list[Problem]:
    """Advice that does not block rendering."""
    warnings = []
    opening, closing = spec.get("salutation") or "", spec.get("closing") or ""
    # Memos and records normally end without a closing: only check one that is given.
    kind = spec.get("kind")
    if kind == "external" and (opening or closing) or kind in ("memo", "record") and closing:
        message = salutation_warning(opening, closing)
        if message:
            warnings.append(Problem("$.closing", message,
                                    f'the opening "{opening}" and the closing "{closing}" do not belong together'))
    return warnings


def load_spec(text: str) -> dict:
    """Parse JSON text; a syntax error becomes a LetterSpecError with the position."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LetterSpecError([Problem("$", f"JSON ไม่ถูกต้อง บรรทัด {exc.lineno} ตำแหน่ง {exc.colno}: {exc.msg}",
                                       f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]) from exc
    except RecursionError:
        raise LetterSpecError([Problem("$", "ข้อมูล JSON ซ้อนกันลึกเกินไป", "JSON nested too deeply")]) from None
