"""Tests of eoffice.thai: Thai digits, Buddhist-era dates, times, letter and yearly numbers, salutations."""
import ast
import dataclasses
import pathlib
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eoffice import thai
from eoffice.thai import (
    BANGKOK,
    DATE_STYLES,
    DIGIT_SETS,
    SALUTATION_RULES,
    THAI_MONTHS,
    THAI_MONTHS_SHORT,
    LetterNumber,
    SalutationRule,
    ThaiFormatError,
    bangkok_date,
    be_year,
    closing_for,
    format_date,
    format_month,
    format_signer_name,
    format_time,
    format_unit_number,
    format_yearly_number,
    normalize_unit_number,
    parse_date,
    parse_letter_number,
    parse_time,
    parse_yearly_number,
    salutation_warning,
    to_arabic_digits,
    to_thai_digits,
    validate_letter_code,
)

UTC = timezone.utc


def _is_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


# --- module ------------------------------------------------------------------------------------------


def test_module_imports_no_django():
    tree = ast.parse(pathlib.Path(thai.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert "django" not in imported
    assert imported <= {"__future__", "calendar", "re", "dataclasses", "datetime", "typing", "zoneinfo"}


def test_error_is_value_error_with_thai_and_english_messages():
    with pytest.raises(ValueError) as info:
        validate_letter_code("AB")
    err = info.value
    assert isinstance(err, ThaiFormatError)
    assert str(err) == err.message
    assert _is_thai(str(err))
    assert err.message_en.isascii() or "กต" in err.message_en
    assert "Thai consonants" in err.message_en


def test_error_message_en_defaults_to_message():
    assert ThaiFormatError("ผิด").message_en == "ผิด"
    assert ThaiFormatError("ผิด", "wrong").message_en == "wrong"


def test_month_tables():
    assert len(THAI_MONTHS) == 12 and len(THAI_MONTHS_SHORT) == 12
    assert THAI_MONTHS[0] == "มกราคม" and THAI_MONTHS[8] == "กันยายน" and THAI_MONTHS[11] == "ธันวาคม"
    assert THAI_MONTHS_SHORT == (
        "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    )
    assert len(set(THAI_MONTHS) | set(THAI_MONTHS_SHORT)) == 24


def test_bangkok_zone():
    assert BANGKOK.key == "Asia/Bangkok"
    assert datetime(2024, 1, 1, tzinfo=BANGKOK).utcoffset() == timedelta(hours=7)


# --- digits ------------------------------------------------------------------------------------------


def test_digits_each():
    assert to_thai_digits("0123456789") == "๐๑๒๓๔๕๖๗๘๙"
    assert to_arabic_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


def test_digits_leave_other_text_alone():
    assert to_thai_digits("โทร. 02 260 6420 ต่อ 11110") == "โทร. ๐๒ ๒๖๐ ๖๔๒๐ ต่อ ๑๑๑๑๐"
    assert to_arabic_digits("รับที่ : ๘5467/63") == "รับที่ : 85467/63"
    assert to_thai_digits("ภค. ABC") == "ภค. ABC"
    assert to_thai_digits("") == ""


def test_digits_accept_int_but_not_other_types():
    assert to_thai_digits(6381) == "๖๓๘๑"
    with pytest.raises(TypeError):
        to_thai_digits(None)
    with pytest.raises(TypeError):
        to_arabic_digits(True)


@given(st.text())
def test_digits_round_trip_any_text(text):
    assert to_arabic_digits(to_thai_digits(text)) == to_arabic_digits(text)
    assert to_thai_digits(to_arabic_digits(text)) == to_thai_digits(text)
    assert not any(ch in "0123456789" for ch in to_thai_digits(text))
    assert not any(ch in "๐๑๒๓๔๕๖๗๘๙" for ch in to_arabic_digits(text))
    assert len(to_thai_digits(text)) == len(text)


@given(st.text(alphabet="0123456789"))
def test_digits_round_trip_ascii_exact(text):
    assert to_arabic_digits(to_thai_digits(text)) == text


# --- be_year / bangkok_date -------------------------------------------------------------------------


def test_be_year():
    assert be_year(2020) == 2563
    assert be_year(date(2020, 9, 17)) == 2563
    assert be_year(datetime(2023, 12, 31, 17, 0, tzinfo=UTC)) == 2567  # already 1 Jan 2024 in Bangkok
    assert be_year(datetime(2023, 12, 31, 16, 59, 59, tzinfo=UTC)) == 2566
    with pytest.raises(TypeError):
        be_year("2020")


def test_bangkok_date_new_year_boundary():
    assert bangkok_date(datetime(2023, 12, 31, 17, 0, tzinfo=UTC)) == date(2024, 1, 1)
    assert bangkok_date(datetime(2023, 12, 31, 16, 59, 59, tzinfo=UTC)) == date(2023, 12, 31)
    assert bangkok_date(datetime(2023, 12, 31, 23, 59, 59, tzinfo=BANGKOK)) == date(2023, 12, 31)
    assert bangkok_date(datetime(2024, 1, 1, 0, 0, tzinfo=BANGKOK)) == date(2024, 1, 1)
    # From another zone: 31 Dec 12:00 in New York (UTC-5) is 1 Jan 00:00 in Bangkok.
    new_york_noon = datetime(2023, 12, 31, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert bangkok_date(new_york_noon) == date(2024, 1, 1)


def test_bangkok_date_refuses_naive_and_non_datetime():
    with pytest.raises(ThaiFormatError) as info:
        bangkok_date(datetime(2024, 1, 1, 0, 0))
    assert "เขตเวลา" in str(info.value)
    with pytest.raises(TypeError):
        bangkok_date(date(2024, 1, 1))


# Bangkok has been UTC+7 since 1 April 1920 (local mean time +6:42:04 before that).
@given(st.datetimes(min_value=datetime(1920, 4, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_bangkok_date_is_utc_plus_seven(dt):
    assert bangkok_date(dt) == (dt.replace(tzinfo=None) + timedelta(hours=7)).date()


# --- format_date / parse_date ------------------------------------------------------------------------

SEED_DATES = [
    # (text as written in the seeds, style, digits, date)
    ("๑๗ กันยายน ๒๕๖๓", "full", "thai", date(2020, 9, 17)),
    ("๑๒ พฤษภาคม ๒๕๖๓", "full", "thai", date(2020, 5, 12)),
    ("๗ สิงหาคม ๒๕๖๓", "full", "thai", date(2020, 8, 7)),
    ("๑๔ เมษายน ๒๕๖๓", "full", "thai", date(2020, 4, 14)),
    ("๒๖ พฤศจิกายน ๒๕๖๒", "full", "thai", date(2019, 11, 26)),
    ("29 ก.ย. 2563", "short_year4", "arabic", date(2020, 9, 29)),
    ("18 พ.ค. 63", "short", "arabic", date(2020, 5, 18)),
    ("29 ก.ย. 63", "short", "arabic", date(2020, 9, 29)),
]


@pytest.mark.parametrize(("text", "style", "digits", "expected"), SEED_DATES)
def test_seed_dates_round_trip(text, style, digits, expected):
    assert parse_date(text) == expected
    assert format_date(expected, style=style, digits=digits) == text


def test_format_date_all_styles():
    d = date(2020, 9, 17)
    assert format_date(d) == "๑๗ กันยายน ๒๕๖๓"
    assert format_date(d, "full", "arabic") == "17 กันยายน 2563"
    assert format_date(d, "full_era") == "๑๗ กันยายน พ.ศ. ๒๕๖๓"
    assert format_date(d, "short") == "๑๗ ก.ย. ๖๓"
    assert format_date(d, "short", "arabic") == "17 ก.ย. 63"
    assert format_date(d, "short_year4") == "๑๗ ก.ย. ๒๕๖๓"
    assert format_date(d, "short_year4", "arabic") == "17 ก.ย. 2563"
    assert set(DATE_STYLES) == {"full", "full_era", "short", "short_year4"}
    assert set(DIGIT_SETS) == {"thai", "arabic"}


def test_format_month_gives_the_month_and_its_buddhist_era_year():
    assert format_month(date(2020, 9, 17)) == "กันยายน ๒๕๖๓"
    assert format_month(date(2026, 1, 1), "arabic") == "มกราคม 2569"
    # 31 December 2023, 17:00 UTC is already January 2567 in Bangkok.
    assert format_month(datetime(2023, 12, 31, 17, 0, tzinfo=timezone.utc)) == "มกราคม ๒๕๖๗"


def test_format_date_short_year_keeps_leading_zero():
    assert format_date(date(1962, 1, 5), "short", "arabic") == "5 ม.ค. 05"
    assert parse_date("5 ม.ค. 05") == date(1962, 1, 5)


def test_format_date_short_refuses_years_outside_25xx():
    with pytest.raises(ThaiFormatError) as info:
        format_date(date(2057, 1, 1), "short")  # BE 2600 would read back as 2500
    assert "๒๖๐๐" in str(info.value)
    assert format_date(date(2056, 12, 31), "short", "arabic") == "31 ธ.ค. 99"
    assert format_date(date(1957, 1, 1), "short", "arabic") == "1 ม.ค. 00"


def test_format_date_bad_style_or_digits():
    with pytest.raises(ThaiFormatError) as info:
        format_date(date(2020, 1, 1), style="long")
    assert "long" in str(info.value)
    with pytest.raises(ThaiFormatError) as info:
        format_date(date(2020, 1, 1), digits="roman")
    assert "roman" in str(info.value)
    with pytest.raises(TypeError):
        format_date("2020-01-01")


def test_format_date_datetime_uses_bangkok_date():
    assert format_date(datetime(2023, 12, 31, 17, 0, tzinfo=UTC)) == "๑ มกราคม ๒๕๖๗"
    assert format_date(datetime(2023, 12, 31, 16, 59, 59, tzinfo=UTC)) == "๓๑ ธันวาคม ๒๕๖๖"
    with pytest.raises(ThaiFormatError):
        format_date(datetime(2023, 12, 31, 17, 0))


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_both_ways(month):
    d = date(2024, month, 15)
    full, short = THAI_MONTHS[month - 1], THAI_MONTHS_SHORT[month - 1]
    assert format_date(d) == f"๑๕ {full} ๒๕๖๗"
    assert format_date(d, "short", "arabic") == f"15 {short} 67"
    assert format_date(d, "short_year4", "arabic") == f"15 {short} 2567"
    assert parse_date(f"๑๕ {full} ๒๕๖๗") == d
    assert parse_date(f"15 {short} 67") == d
    assert parse_date(f"15 {short} 2567") == d
    assert parse_date(f"15 {short.replace('.', '')} 2567") == d  # dots left out
    assert parse_date(f"15 {short[:-1]} 67") == d  # last dot left out, like '10.00 น'


@pytest.mark.parametrize("month", range(1, 13))
def test_last_day_of_every_month(month):
    last = (date(2023 + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    name = THAI_MONTHS[month - 1]
    assert parse_date(f"{last} {name} 2566") == date(2023, month, last)
    with pytest.raises(ThaiFormatError) as info:
        parse_date(f"{last + 1} {name} 2566")
    assert f"วันที่ {to_thai_digits(str(last + 1))} {name} ๒๕๖๖ ไม่มีอยู่จริง" in str(info.value)


def test_parse_date_lenient_forms():
    d = date(2020, 9, 17)
    assert parse_date("  ๑๗   กันยายน\u00a0 ๒๕๖๓ ") == d
    assert parse_date("17 กันยายน 2563") == d
    assert parse_date("๑๗ กันยายน พ.ศ. ๒๕๖๓") == d
    assert parse_date("17 ก.ย. พ.ศ. 2563") == d
    assert parse_date("วันที่ ๑๗ กันยายน ๒๕๖๓") == d
    assert parse_date("17ก.ย.63") == d
    assert parse_date("17 ก. ย. 63") == d
    assert parse_date("๑๗ ก.ย. 63") == d  # mixed digit sets
    assert parse_date("07 ส.ค. 63") == date(2020, 8, 7)
    assert parse_date("๗ ส\u200bิงหาคม ๒๕๖๓") == date(2020, 8, 7)  # zero-width space from a PDF


def test_leap_days():
    assert parse_date("29 ก.พ. 2567") == date(2024, 2, 29)
    assert parse_date("๒๙ กุมภาพันธ์ ๒๕๔๓") == date(2000, 2, 29)  # 2000: divisible by 400
    assert parse_date("29 ก.พ. 63") == date(2020, 2, 29)
    assert format_date(date(2024, 2, 29)) == "๒๙ กุมภาพันธ์ ๒๕๖๗"
    assert format_date(date(2000, 2, 29), "short", "arabic") == "29 ก.พ. 43"


@pytest.mark.parametrize(
    ("text", "be", "ce"),
    [
        ("29 ก.พ. 2566", 2566, 2023),
        ("29 กุมภาพันธ์ 2443", 2443, 1900),  # century rule: 1900 is not a leap year
        ("29 กุมภาพันธ์ 2643", 2643, 2100),
        ("29 ก.พ. 65", 2565, 2022),
    ],
)
def test_leap_day_refused_in_common_years(text, be, ce):
    with pytest.raises(ThaiFormatError) as info:
        parse_date(text)
    message = str(info.value)
    assert f"วันที่ ๒๙ กุมภาพันธ์ {to_thai_digits(str(be))} ไม่มีอยู่จริง" in message
    assert "อธิกสุรทิน" in message
    assert to_thai_digits(str(ce)) in message
    assert "leap year" in info.value.message_en


def test_thirty_first_of_february_message():
    with pytest.raises(ThaiFormatError) as info:
        parse_date("31 ก.พ. 2567")
    assert str(info.value).startswith("วันที่ ๓๑ กุมภาพันธ์ ๒๕๖๗ ไม่มีอยู่จริง")
    assert "๒๙ วัน" in str(info.value)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("1 ม.ค. 2020", "ค.ศ."),  # CE year written where a BE year belongs
        ("17 กันยายน 2020", "พ.ศ. ๒๕๖๓"),
        ("17 กันยายน 1999", "ค.ศ."),
        ("17 กันยายน ค.ศ. 2020", "ค.ศ."),
        ("17 กันยายน 3000", "นอกช่วง"),
        ("17 กันยายน 1000", "นอกช่วง"),
        ("17 กันยายน 563", "๒ หรือ ๔ หลัก"),
        ("17 กันยายน 3", "๒ หรือ ๔ หลัก"),
        ("17 กันยายน 25630", "๒ หรือ ๔ หลัก"),
        ("17 กันยา 2563", 'ชื่อเดือน "กันยา"'),
        ("17 Sep 2563", "ชื่อเดือน"),
        ("17 ก.ป. 63", "ชื่อเดือน"),
        ("0 ม.ค. 63", "วันที่ ๐ มกราคม ๒๕๖๓ ไม่มีอยู่จริง"),
        ("32 ม.ค. 63", "วันที่ ๓๒ มกราคม ๒๕๖๓ ไม่มีอยู่จริง"),
        ("31 เม.ย. 63", "๓๐ วัน"),
        ("117 ม.ค. 63", "อ่านวันที่"),
        ("กันยายน 2563", "อ่านวันที่"),
        ("17 กันยายน", "อ่านวันที่"),
        ("2020-09-17", "อ่านวันที่"),
        ("", "อ่านวันที่"),
    ],
)
def test_parse_date_rejects_with_reason(text, fragment):
    with pytest.raises(ThaiFormatError) as info:
        parse_date(text)
    assert fragment in str(info.value)
    assert info.value.message_en and info.value.message_en != str(info.value)


def test_parse_date_year_range_edges():
    assert parse_date("1 ม.ค. 2400") == date(1857, 1, 1)
    assert parse_date("31 ธ.ค. 2700") == date(2157, 12, 31)
    with pytest.raises(ThaiFormatError):
        parse_date("31 ธ.ค. 2399")
    with pytest.raises(ThaiFormatError):
        parse_date("1 ม.ค. 2701")


# Dates whose BE year parse_date accepts with four digits, and those that fit a two-digit year.
dates_any = st.dates(min_value=date(2400 - 543, 1, 1), max_value=date(2700 - 543, 12, 31))
dates_25xx = st.dates(min_value=date(1957, 1, 1), max_value=date(2056, 12, 31))


@given(dates_any, st.sampled_from(["full", "full_era", "short_year4"]), st.sampled_from(DIGIT_SETS))
def test_date_round_trip_four_digit_styles(d, style, digits):
    text = format_date(d, style=style, digits=digits)
    assert parse_date(text) == d
    assert format_date(parse_date(text), style=style, digits=digits) == text
    # The digit set is the only thing that differs between the two renderings.
    other = "arabic" if digits == "thai" else "thai"
    assert format_date(d, style=style, digits=other) == (
        to_arabic_digits(text) if other == "arabic" else to_thai_digits(text)
    )


@given(dates_25xx, st.sampled_from(DATE_STYLES), st.sampled_from(DIGIT_SETS))
def test_date_round_trip_all_styles(d, style, digits):
    text = format_date(d, style=style, digits=digits)
    assert parse_date(text) == d
    assert parse_date(to_thai_digits(text)) == d
    assert parse_date(to_arabic_digits(text)) == d
    assert str(d.day) == to_arabic_digits(text.split()[0])


@given(dates_any)
def test_format_full_uses_be_year(d):
    text = format_date(d, digits="arabic")
    assert text.endswith(str(d.year + 543))
    assert THAI_MONTHS[d.month - 1] in text


# --- times -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13.00 น.", time(13, 0)),
        ("๑๓.๐๐ น.", time(13, 0)),
        ("10.00 น", time(10, 0)),
        ("9:05", time(9, 5)),
        ("09.05 น.", time(9, 5)),
        ("เวลา 9:05", time(9, 5)),
        ("เวลา : 9:05", time(9, 5)),
        ("0.00 น.", time(0, 0)),
        ("23.59 นาฬิกา", time(23, 59)),
        (" 13 . 00  น. ", time(13, 0)),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_format_time_seed_forms():
    assert format_time(time(13, 0)) == "๑๓.๐๐ น."
    assert format_time(time(13, 0), digits="arabic") == "13.00 น."
    assert format_time(time(9, 5), digits="arabic") == "9.05 น."
    assert format_time(time(0, 0)) == "๐.๐๐ น."
    assert format_time(time(9, 5, 59)) == "๙.๐๕ น."  # seconds are not written


@pytest.mark.parametrize("seconds,said", [(1, "๑ นาที"), (60, "๑ นาที"), (61, "๒ นาที"), (900, "๑๕ นาที"),
                                          (3600, "๑ ชั่วโมง"), (5400, "๑ ชั่วโมง ๓๐ นาที"), (86400, "๒๔ ชั่วโมง")])
def test_format_wait_rounds_up_to_the_minute(seconds, said):
    assert thai.format_wait(seconds) == said
    assert thai.format_wait(seconds, digits="arabic") == thai.to_arabic_digits(said)


def test_format_time_datetime_in_bangkok():
    assert format_time(datetime(2023, 12, 31, 17, 0, tzinfo=UTC), "arabic") == "0.00 น."
    assert format_time(datetime(2020, 9, 29, 6, 0, tzinfo=UTC), "arabic") == "13.00 น."
    with pytest.raises(ThaiFormatError):
        format_time(datetime(2020, 9, 29, 6, 0))
    with pytest.raises(ThaiFormatError):
        format_time(time(13, 0), digits="x")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("24.00 น.", "ไม่มีอยู่จริง"),
        ("12.60 น.", "ไม่มีอยู่จริง"),
        ("9.5", "อ่านเวลา"),
        ("13 น.", "อ่านเวลา"),
        ("บ่ายโมง", "อ่านเวลา"),
        ("", "อ่านเวลา"),
        ("123.00", "อ่านเวลา"),
    ],
)
def test_parse_time_rejects(text, fragment):
    with pytest.raises(ThaiFormatError) as info:
        parse_time(text)
    assert fragment in str(info.value)


@given(st.times(), st.sampled_from(DIGIT_SETS))
def test_time_round_trip(t, digits):
    text = format_time(t, digits=digits)
    assert parse_time(text) == t.replace(second=0, microsecond=0)
    assert format_time(parse_time(text), digits=digits) == text


# --- letter codes and unit numbers -------------------------------------------------------------------


@pytest.mark.parametrize("code", ["กต", "นร", "มท", "ศธ", "สธ", "อว", "ดศ", "ทม", "ฮฮ"])
def test_validate_letter_code_accepts(code):
    assert validate_letter_code(code) == code
    assert validate_letter_code(f"  {code} ") == code


@pytest.mark.parametrize("code", ["ก", "กตท", "AB", "ก1", "ก ต", "กต.", "ฤก", "กฦ", "อุ", "กั", "", "๐๑"])
def test_validate_letter_code_rejects(code):
    with pytest.raises(ThaiFormatError) as info:
        validate_letter_code(code)
    assert "รหัสตัวพยัญชนะต้องเป็นพยัญชนะไทย ๒ ตัว เช่น กต" in str(info.value)


@pytest.mark.parametrize(
    ("text", "canonical", "thai_form"),
    [
        ("๐๒๐๓", "0203", "๐๒๐๓"),
        ("0203", "0203", "๐๒๐๓"),
        ("๐๕๒๗.๑๐", "0527.10", "๐๕๒๗.๑๐"),
        ("๐๕๐๑.๑.๑๓", "0501.1.13", "๐๕๐๑.๑.๑๓"),
        (" 0506 ", "0506", "๐๕๐๖"),
        ("0๒0๓", "0203", "๐๒๐๓"),
    ],
)
def test_unit_number(text, canonical, thai_form):
    assert normalize_unit_number(text) == canonical
    assert format_unit_number(text) == thai_form
    assert format_unit_number(text, digits="arabic") == canonical


@pytest.mark.parametrize(
    "text", ["203", "02030", "0203.", "0203..1", ".0203", "02a3", "0203/1", "0203 1", "", "๐๒๐"]
)
def test_unit_number_rejects(text):
    with pytest.raises(ThaiFormatError) as info:
        normalize_unit_number(text)
    assert "ตัวเลข ๔ หลัก" in str(info.value)


# --- letter numbers ----------------------------------------------------------------------------------

SEED_LETTER_NUMBERS = [
    ("กต ๐๒๐๓/๖๓๘๑", LetterNumber("กต", "0203", running=6381)),
    ("มท ๐๒๑๘/ต.ก.๕๕", LetterNumber("มท", "0218", series="ต.ก.", running=55)),
    ("นร ๐๕๐๖/ว(ล) ๒๓๘๖๐", LetterNumber("นร", "0506", series="ว(ล)", series_sep=" ", running=23860)),
    ("นร ๐๕๐๖/ว (ล) ๑๑๕๖๑", LetterNumber("นร", "0506", series="ว (ล)", series_sep=" ", running=11561)),
    ("นร ๐๕๐๖/ว ๒๓๘๖๐", LetterNumber("นร", "0506", series="ว", series_sep=" ", running=23860)),
    ("ศธ ๐๕๒๗.๑๐/๑๒", LetterNumber("ศธ", "0527.10", running=12)),
    ("ทม ๐๕๐๑.๑.๑๓/๙", LetterNumber("ทม", "0501.1.13", running=9)),
]


@pytest.mark.parametrize(("text", "expected"), SEED_LETTER_NUMBERS)
def test_seed_letter_numbers_round_trip(text, expected):
    assert parse_letter_number(text) == expected
    assert parse_letter_number("ที่ " + text) == expected
    assert parse_letter_number(to_arabic_digits(text)) == expected
    assert expected.format() == text
    assert str(expected) == text
    assert expected.format(digits="arabic") == to_arabic_digits(text)


def test_parse_letter_number_fields():
    n = parse_letter_number("ที่ นร ๐๕๐๖/ว (ล) ๑๑๕๖๑")
    assert (n.code, n.unit, n.series, n.series_sep, n.running) == ("นร", "0506", "ว (ล)", " ", 11561)


def test_parse_letter_number_lenient_spacing():
    expected = LetterNumber("กต", "0203", running=6381)
    assert parse_letter_number("ที่กต ๐๒๐๓/๖๓๘๑") == expected
    assert parse_letter_number("  ที่   กต   ๐๒๐๓ / ๖๓๘๑ ") == expected
    assert parse_letter_number("กต๐๒๐๓/๖๓๘๑") == expected
    assert parse_letter_number("กต\u00a0๐๒๐๓/๖๓๘๑") == expected
    assert parse_letter_number("นร ๐๕๐๖/ว   ๒๓๘๖๐").series_sep == " "
    assert parse_letter_number("กต ๐๒๐๓/๐๐๑๒").running == 12


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("กต ๐๒๐๓", "ไม่มีเครื่องหมาย /"),
        ("กต ๐๒๐๓/", "ไม่มีเลขทะเบียนหนังสือ"),
        ("นร ๐๕๐๖/ว", "ไม่มีเลขทะเบียนหนังสือ"),
        ("กต ๐๒๐๓/๐", "ตั้งแต่ ๑"),
        ("ก ๐๒๐๓/๖๓๘๑", "รหัสตัวพยัญชนะต้องเป็นพยัญชนะไทย ๒ ตัว"),
        ("กตท ๐๒๐๓/๖๓๘๑", "รหัสตัวพยัญชนะต้องเป็นพยัญชนะไทย ๒ ตัว"),
        ("MF ๐๒๐๓/๖๓๘๑", "รหัสตัวพยัญชนะต้องเป็นพยัญชนะไทย ๒ ตัว"),
        ("กต ๒๐๓/๖๓๘๑", "ตัวเลข ๔ หลัก"),
        ("กต ๐๒๐๓./๖๓๘๑", "ตัวเลข ๔ หลัก"),
        ("กต ๐๒๐๓/๖๓๘๑/๒", "รูปแบบ"),
        ("กต ๐๒๐๓/ว ๑ ก", "รูปแบบ"),
        ("๐๒๐๓/๖๓๘๑", "รูปแบบ"),
        ("", "ไม่มีเครื่องหมาย /"),
    ],
)
def test_parse_letter_number_rejects(text, fragment):
    with pytest.raises(ThaiFormatError) as info:
        parse_letter_number(text)
    assert fragment in str(info.value)


def test_unnumbered_draft():
    draft = LetterNumber("กต", "0203")
    assert draft.running is None
    assert draft.format() == "กต ๐๒๐๓/"
    assert LetterNumber("นร", "0506", "ว", " ").format() == "นร ๐๕๐๖/ว"
    assert parse_letter_number("ที่ กต ๐๒๐๓/", allow_unnumbered=True) == draft
    circular = parse_letter_number("นร ๐๕๐๖/ว", allow_unnumbered=True)
    assert (circular.series, circular.series_sep, circular.running) == ("ว", "", None)


def test_letter_number_normalises_on_construction():
    n = LetterNumber(" กต ", "๐๒๐๓", running=1)
    assert (n.code, n.unit) == ("กต", "0203")
    assert n == LetterNumber("กต", "0203", running=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.running = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"code": "ก", "unit": "0203", "running": 1},
        {"code": "กต", "unit": "203", "running": 1},
        {"code": "กต", "unit": "0203", "running": 0},
        {"code": "กต", "unit": "0203", "running": -5},
        {"code": "กต", "unit": "0203", "running": True},
        {"code": "กต", "unit": "0203", "running": "12"},
        {"code": "กต", "unit": "0203", "series": "ว1", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว๑", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว/ล", "running": 1},
        {"code": "กต", "unit": "0203", "series": " ว", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว ", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว  (ล)", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว", "series_sep": "  ", "running": 1},
        {"code": "กต", "unit": "0203", "series": "ว", "series_sep": "-", "running": 1},
        {"code": "กต", "unit": "0203", "series": "", "series_sep": " ", "running": 1},
    ],
)
def test_letter_number_rejects_bad_fields(kwargs):
    with pytest.raises(ThaiFormatError) as info:
        LetterNumber(**kwargs)
    assert _is_thai(str(info.value))


# Generators for letter numbers: everything the dataclass accepts, including odd series prefixes.
consonants = st.sampled_from(sorted(thai.THAI_CONSONANTS))
codes = st.builds(lambda a, b: a + b, consonants, consonants)
units = st.builds(
    lambda head, groups: ".".join([head, *groups]),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.lists(st.integers(min_value=0, max_value=999).map(str), max_size=3),
)
series_chars = st.sampled_from(sorted(thai.THAI_CONSONANTS) + list(".()ิีุู่้"))
series_words = st.text(alphabet=series_chars, min_size=1, max_size=4)
series_values = st.one_of(
    st.just(""),
    st.sampled_from(["ว", "ว(ล)", "ว (ล)", "ต.ก.", "ว."]),
    st.lists(series_words, min_size=1, max_size=3).map(" ".join),
)


@st.composite
def letter_numbers(draw):
    series = draw(series_values)
    sep = draw(st.sampled_from(["", " "])) if series else ""
    return LetterNumber(
        code=draw(codes),
        unit=draw(units),
        series=series,
        series_sep=sep,
        running=draw(st.integers(min_value=1, max_value=10**7)),
    )


@given(letter_numbers(), st.sampled_from(DIGIT_SETS))
def test_letter_number_round_trip(number, digits):
    text = number.format(digits=digits)
    assert parse_letter_number(text) == number
    assert parse_letter_number("ที่ " + text) == number
    assert parse_letter_number(text).format(digits=digits) == text
    assert text.startswith(number.code + " ")


@given(letter_numbers())
def test_letter_number_thai_and_arabic_differ_only_in_digits(number):
    assert to_arabic_digits(number.format("thai")) == number.format("arabic")
    assert to_thai_digits(number.format("arabic")) == number.format("thai")


@given(codes)
def test_generated_codes_validate(code):
    assert validate_letter_code(code) == code


@given(units)
def test_generated_units_round_trip(unit):
    assert normalize_unit_number(format_unit_number(unit)) == unit


# --- yearly numbers ----------------------------------------------------------------------------------


def test_yearly_number():
    assert format_yearly_number(1, 2567) == "๑/๒๕๖๗"
    assert format_yearly_number(125, 2567, digits="arabic") == "125/2567"
    assert parse_yearly_number("๑/๒๕๖๗") == (1, 2567)
    assert parse_yearly_number("ที่ ๑/๒๕๖๗") == (1, 2567)
    assert parse_yearly_number("เลขที่ 12 / 2567") == (12, 2567)
    assert parse_yearly_number("๘5467/63") == (85467, 2563)  # seed receipt stamp: two-digit year


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("๑/๒๐๒๔", "ค.ศ."),
        ("0/2567", "เริ่มที่ ๑"),
        ("1/567", "๒ หรือ ๔ หลัก"),
        ("1-2567", "รูปแบบ"),
        ("1/", "รูปแบบ"),
        ("ก/2567", "รูปแบบ"),
        ("", "รูปแบบ"),
    ],
)
def test_parse_yearly_number_rejects(text, fragment):
    with pytest.raises(ThaiFormatError) as info:
        parse_yearly_number(text)
    assert fragment in str(info.value)


def test_format_yearly_number_rejects():
    with pytest.raises(ThaiFormatError):
        format_yearly_number(0, 2567)
    with pytest.raises(ThaiFormatError) as info:
        format_yearly_number(1, 2024)
    assert "ค.ศ." in str(info.value)
    with pytest.raises(ThaiFormatError):
        format_yearly_number(1, 2567, digits="latin")
    with pytest.raises(TypeError):
        format_yearly_number(1, "2567")


@given(
    st.integers(min_value=1, max_value=10**6),
    st.integers(min_value=thai.BE_YEAR_MIN, max_value=thai.BE_YEAR_MAX),
    st.sampled_from(DIGIT_SETS),
)
def test_yearly_number_round_trip(running, year, digits):
    text = format_yearly_number(running, year, digits=digits)
    assert parse_yearly_number(text) == (running, year)
    assert format_yearly_number(*parse_yearly_number(text), digits=digits) == text


# --- signer names ------------------------------------------------------------------------------------


def test_format_signer_name_seed_forms():
    assert format_signer_name("นายดอน ปรมัตถ์วินัย") == "(นายดอน ปรมัตถ์วินัย)"
    assert format_signer_name("อนุพงษ์ เผ่าจินดา", rank="พลเอก") == "พลเอก (อนุพงษ์ เผ่าจินดา)"


def test_format_signer_name_cleans_input():
    assert format_signer_name("  นายดอน   ปรมัตถ์วินัย ") == "(นายดอน ปรมัตถ์วินัย)"
    assert format_signer_name("(นายดอน ปรมัตถ์วินัย)") == "(นายดอน ปรมัตถ์วินัย)"
    assert format_signer_name("อนุพงษ์ เผ่าจินดา", rank=" พลเอก ") == "พลเอก (อนุพงษ์ เผ่าจินดา)"
    assert format_signer_name("นางสาวสมศรี ใจดี", rank="") == "(นางสาวสมศรี ใจดี)"


@pytest.mark.parametrize("name", ["", "   ", "()", "( )"])
def test_format_signer_name_requires_a_name(name):
    with pytest.raises(ThaiFormatError) as info:
        format_signer_name(name, rank="พลเอก")
    assert "ชื่อผู้ลงนาม" in str(info.value)


# --- salutations -------------------------------------------------------------------------------------


def test_salutation_table_covers_the_regulation():
    pairs = {(r.opening, r.closing) for r in SALUTATION_RULES}
    assert ("กราบเรียน", "ขอแสดงความนับถืออย่างยิ่ง") in pairs
    assert ("เรียน", "ขอแสดงความนับถือ") in pairs
    assert ("นมัสการ", "ขอนมัสการด้วยความเคารพ") in pairs
    assert ("นมัสการ", "ขอนมัสการด้วยความเคารพอย่างสูง") in pairs
    assert ("นมัสการ", "ขอนมัสการด้วยความเคารพอย่างยิ่ง") in pairs
    assert ("กราบทูล", "ควรมิควรแล้วแต่จะโปรด") in pairs
    assert ("ขอพระราชทานกราบบังคมทูล", "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม") in pairs
    assert ("ขอประทานกราบทูล", "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม") in pairs
    keys = [r.key for r in SALUTATION_RULES]
    assert len(keys) == len(set(keys))
    assert all(_is_thai(r.recipients) for r in SALUTATION_RULES)
    high = next(r for r in SALUTATION_RULES if r.opening == "กราบเรียน")
    assert "นายกรัฐมนตรี" in high.recipients and "รัฐบุรุษ" in high.recipients
    with pytest.raises(dataclasses.FrozenInstanceError):
        high.opening = "เรียน"  # type: ignore[misc]


@pytest.mark.parametrize("rule", SALUTATION_RULES, ids=lambda r: r.key)
def test_every_rule_pair_is_accepted(rule):
    assert salutation_warning(rule.opening, rule.closing) is None
    assert rule.closing in closing_for(rule.opening)


def test_seed_salutations_are_accepted():
    assert salutation_warning("เรียน เลขาธิการคณะรัฐมนตรี", "ขอแสดงความนับถือ") is None
    assert salutation_warning("กราบเรียน  นายกรัฐมนตรี", " ขอแสดงความนับถืออย่างยิ่ง ") is None
    royal = ("ขอพระราชทานกราบบังคมทูลทราบฝ่าละอองธุลีพระบาท", "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม")
    assert salutation_warning(*royal) is None


def test_mismatched_salutation_warns_in_thai():
    warning = salutation_warning("เรียน เลขาธิการคณะรัฐมนตรี", "ขอแสดงความนับถืออย่างยิ่ง")
    assert warning is not None
    assert '"เรียน"' in warning and '"ขอแสดงความนับถือ"' in warning
    assert '"กราบเรียน"' in warning  # says which opening that closing belongs to

    warning = salutation_warning("กราบเรียน นายกรัฐมนตรี", "ขอแสดงความนับถือ")
    assert warning is not None and '"ขอแสดงความนับถืออย่างยิ่ง"' in warning

    warning = salutation_warning("นมัสการ เจ้าอาวาสวัดสุทัศนเทพวราราม", "ขอแสดงความนับถือ")
    assert warning is not None
    assert "ขอนมัสการด้วยความเคารพอย่างสูง" in warning and "หรือ" in warning

    # The patriarch's closing is the start of the royal one; they must not be confused.
    assert salutation_warning("กราบทูล", "ควรมิควรแล้วแต่จะโปรดเกล้าโปรดกระหม่อม") is not None
    assert salutation_warning("ขอประทานกราบทูล", "ควรมิควรแล้วแต่จะโปรด") is not None


def test_salutation_unknown_or_missing_parts():
    assert salutation_warning("", "") is None  # หนังสือประทับตรา: neither
    assert "ไม่มีคำขึ้นต้น" in salutation_warning("", "ขอแสดงความนับถือ")
    assert "ต้องมีคำลงท้าย" in salutation_warning("เรียน ผู้ว่าราชการจังหวัด", "")
    warning = salutation_warning("ถึง ผู้ว่าราชการจังหวัด", "ขอแสดงความนับถือ")
    assert "ไม่รู้จักคำขึ้นต้น" in warning and '"เรียน"' in warning


def test_closing_for():
    assert closing_for("เรียน") == ["ขอแสดงความนับถือ"]
    assert closing_for("เรียน เลขาธิการคณะรัฐมนตรี") == ["ขอแสดงความนับถือ"]
    assert closing_for("กราบเรียน ประธานวุฒิสภา") == ["ขอแสดงความนับถืออย่างยิ่ง"]
    assert closing_for("นมัสการ") == [
        "ขอนมัสการด้วยความเคารพ",
        "ขอนมัสการด้วยความเคารพอย่างสูง",
        "ขอนมัสการด้วยความเคารพอย่างยิ่ง",
    ]
    assert closing_for("กราบทูล") == ["ควรมิควรแล้วแต่จะโปรด"]
    assert closing_for("ถึง") == []


def test_custom_rules_longest_opening_wins():
    rules = (
        SalutationRule("a", "ผู้รับทั่วไป", "ทูล", "ควรมิควรแล้วแต่จะโปรด"),
        SalutationRule("b", "ผู้รับพิเศษ", "ทูลเกล้า", "ด้วยความเคารพอย่างสูง"),
    )
    assert closing_for("ทูลเกล้า ท่าน", rules) == ["ด้วยความเคารพอย่างสูง"]
    assert closing_for("ทูล ท่าน", rules) == ["ควรมิควรแล้วแต่จะโปรด"]
    assert salutation_warning("ทูลเกล้า", "ควรมิควรแล้วแต่จะโปรด", rules) is not None
    assert salutation_warning("เรียน", "ขอแสดงความนับถือ", rules) is not None  # not in this table


def test_closing_for_lists_each_closing_once():
    # An edited table may have several recipient groups sharing one opening/closing pair.
    rules = (
        SalutationRule("x", "กลุ่มหนึ่ง", "เรียน", "ขอแสดงความนับถือ"),
        SalutationRule("y", "กลุ่มสอง", "เรียน", "ขอแสดงความนับถือ"),
        SalutationRule("z", "กลุ่มสาม", "เรียน", "ด้วยความเคารพ"),
    )
    assert closing_for("เรียน", rules) == ["ขอแสดงความนับถือ", "ด้วยความเคารพ"]
    assert salutation_warning("เรียน", "ด้วยความเคารพ", rules) is None


def test_format_moment_is_the_bangkok_date_and_time_of_an_aware_moment():
    utc = datetime(2020, 9, 29, 6, 5, tzinfo=timezone.utc)  # 13.05 in Bangkok
    assert thai.format_moment(utc) == "๒๙ ก.ย. ๒๕๖๓ ๑๓.๐๕ น."
    late = datetime(2020, 9, 29, 18, 30, tzinfo=timezone.utc)  # already the 30th in Bangkok
    assert thai.format_moment(late, digits="arabic") == "30 ก.ย. 2563 1.30 น."
