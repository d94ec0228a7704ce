"""Hypothesis fuzzing of the Thai date, time and number parsers (eoffice/thai.py) and of the letter-spec
parser (correspondence/rendering/spec.py): arbitrary input never crashes them (only their own error, with a
Thai message), what is formatted reads back to the same value, and a date or number that is read is the one
written (no silent misreading)."""
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from correspondence.rendering.spec import LetterSpecError, Problem, load_spec, validate_spec
from eoffice import thai

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIXTURES = Path(__file__).resolve().parents[1] / "rendering" / "fixtures"

# Text that looks like what officials type: Thai letters and digits, Arabic digits, dots, slashes, spaces.
THAIISH = st.text(alphabet=st.sampled_from(list("กขคงจตนมรลวศสหอะาำิีึืุูเแโใไ่้๊๋์.()/ -:๐๑๒๓๔๕๖๗๘๙0123456789พศ")
                                           + ["\u200b", "\xa0", "\t"]), max_size=40)
ANY_TEXT = st.one_of(st.text(max_size=60), THAIISH)
DATES = st.dates(min_value=dt.date(2400 - 543, 1, 1), max_value=dt.date(2700 - 543, 12, 31))
DIGITS = st.sampled_from(thai.DIGIT_SETS)


def _only_thai_errors(fn, text):
    try:
        return fn(text)
    except thai.ThaiFormatError as exc:
        assert exc.message and exc.message_en  # a message in Thai and in English, never empty
        return None


# --- no crash ---------------------------------------------------------------------------------------------------


@FUZZ
@given(ANY_TEXT)
@example("๓๑ ก.พ. ๒๕๖๗")
@example("29 ก.พ. 66")
@example("๑๗ กันยายน พ.ศ.")
@example("0 ม.ค. 2563")
@example("99999999999999999999 ม.ค. 2563")
def test_date_parser_never_crashes(text):
    _only_thai_errors(thai.parse_date, text)


@FUZZ
@given(ANY_TEXT)
@example("ที่ กต ๐๒๐๓/")
@example("กต 0203/ว(ล) 0")
@example("นร ๐๕๐๖/ว(ล) ๒๓๘๖๐")
@example("/")
def test_number_parsers_never_crash(text):
    _only_thai_errors(thai.parse_letter_number, text)
    _only_thai_errors(lambda t: thai.parse_letter_number(t, allow_unnumbered=True), text)
    _only_thai_errors(thai.parse_yearly_number, text)
    _only_thai_errors(thai.parse_time, text)
    _only_thai_errors(thai.normalize_unit_number, text)


# --- round trips -----------------------------------------------------------------------------------------------


@FUZZ
@given(DATES, st.sampled_from(["full", "full_era", "short_year4"]), DIGITS)
def test_every_formatted_date_reads_back(d, style, digits):
    assert thai.parse_date(thai.format_date(d, style, digits)) == d


@FUZZ
@given(st.dates(min_value=dt.date(2500 - 543, 1, 1), max_value=dt.date(2599 - 543, 12, 31)), DIGITS)
def test_two_digit_years_read_back(d, digits):
    assert thai.parse_date(thai.format_date(d, "short", digits)) == d


@FUZZ
@given(st.times(), DIGITS)
def test_every_formatted_time_reads_back(t, digits):
    assert thai.parse_time(thai.format_time(t, digits)) == t.replace(second=0, microsecond=0)


CODES = st.tuples(*[st.sampled_from(sorted(thai.THAI_CONSONANTS))] * 2).map("".join)
UNITS = st.builds(lambda head, tail: head + "".join(f".{n}" for n in tail),
                  st.from_regex(r"\A[0-9]{4}\Z"), st.lists(st.integers(0, 999), max_size=2))
SERIES = st.sampled_from(["", "ว", "ว(ล)", "ว (ล)", "ต.ก.", "สร", "ลับ"])


@FUZZ
@given(CODES, UNITS, SERIES, st.booleans(), st.one_of(st.none(), st.integers(1, 10**7)), DIGITS)
def test_every_letter_number_reads_back(code, unit, series, spaced, running, digits):
    number = thai.LetterNumber(code=code, unit=unit, series=series, series_sep=" " if spaced and series else "",
                               running=running)
    text = number.format(digits)
    # Without a running number the separator prints as nothing, so only what prints can come back.
    expected = number if running is not None else thai.LetterNumber(code=code, unit=unit, series=series)
    assert thai.parse_letter_number(text, allow_unnumbered=True) == expected
    assert thai.parse_letter_number("ที่ " + text, allow_unnumbered=True) == expected
    assert thai.parse_letter_number(text, allow_unnumbered=True).format(digits) == text
    if running is None:
        with pytest.raises(thai.ThaiFormatError):
            thai.parse_letter_number(text)


@FUZZ
@given(st.integers(1, 10**7), st.integers(thai.BE_YEAR_MIN, thai.BE_YEAR_MAX), DIGITS)
def test_every_yearly_number_reads_back(running, year, digits):
    assert thai.parse_yearly_number(thai.format_yearly_number(running, year, digits)) == (running, year)


@FUZZ
@given(st.text(alphabet="0123456789", max_size=30))
def test_thai_and_arabic_digits_are_inverse(digits):
    assert thai.to_arabic_digits(thai.to_thai_digits(digits)) == digits
    assert not set(thai.to_thai_digits(digits)) & set("0123456789")


# --- no silent misreading ------------------------------------------------------------------------------------

MONTH_SPELLINGS = [(i + 1, name) for i, name in enumerate(thai.THAI_MONTHS)] + [
    (i + 1, name) for i, name in enumerate(thai.THAI_MONTHS_SHORT)] + [
    (i + 1, name.replace(".", "")) for i, name in enumerate(thai.THAI_MONTHS_SHORT)]


@FUZZ
@given(st.integers(0, 40), st.sampled_from(MONTH_SPELLINGS), st.integers(0, 9999), st.booleans(), st.booleans(),
       st.booleans())
def test_a_date_that_is_read_is_the_date_written(day, month, year, thai_digits, era, prefix):
    number, name = month
    year_text = str(year) if year >= 100 else f"{year:02d}"
    text = f"{'วันที่ ' if prefix else ''}{day} {name} {'พ.ศ. ' if era else ''}{year_text}"
    if thai_digits:
        text = thai.to_thai_digits(text)
    result = _only_thai_errors(thai.parse_date, text)
    if result is None:
        return
    be = result.year + thai.BE_OFFSET
    assert (result.day, result.month) == (day, number), text
    assert be == (2500 + year if len(year_text) == 2 else year), text
    assert thai.BE_YEAR_MIN <= be <= thai.BE_YEAR_MAX


@FUZZ
@given(st.integers(0, 40), st.sampled_from(MONTH_SPELLINGS), st.integers(1800, 2399))
def test_christian_era_years_are_refused_not_converted(day, month, year):
    with pytest.raises(thai.ThaiFormatError):
        thai.parse_date(f"{day} {month[1]} {year}")


@FUZZ
@given(CODES, UNITS, SERIES, st.integers(1, 10**7), st.sampled_from(["", " ", "  ", "\xa0"]))
def test_a_letter_number_that_is_read_keeps_its_running_number(code, unit, series, running, gap):
    text = f"{code}{gap}{unit}/{series}{running}"
    number = _only_thai_errors(thai.parse_letter_number, text)
    if number is not None:
        assert (number.code, number.unit, number.running) == (code, unit, running)
        assert number.series.replace(" ", "") == series.replace(" ", "")


# --- the letter spec ------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.text(max_size=200))
@example('{"kind": "external"')
@example("[" * 5000)
def test_spec_loader_only_raises_its_own_error(text):
    try:
        load_spec(text)
    except LetterSpecError as exc:
        assert exc.problems and all(p.message_th for p in exc.problems)
    except RecursionError:  # nesting deeper than Python's limit: reported by json as its own error
        pytest.fail("deeply nested JSON crashed the spec loader")


def _mfa_spec():
    return json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))


@FUZZ
@given(JSON)
def test_spec_validation_never_crashes_on_any_json(value):
    problems = validate_spec(value)
    assert isinstance(problems, list) and all(isinstance(p, Problem) and p.message_th for p in problems)


@FUZZ
@given(st.sampled_from(sorted(_mfa_spec())), JSON)
def test_a_spec_with_one_field_replaced_is_checked_not_crashed(key, value):
    spec = _mfa_spec()
    spec[key] = value
    problems = validate_spec(spec)
    assert all(isinstance(p, Problem) for p in problems)
    assume(problems)
    # Every problem points into the document with a JSON path.
    assert all(p.path.startswith("$") for p in problems)


def test_the_reference_spec_round_trips_through_the_loader():
    spec = _mfa_spec()
    assert validate_spec(spec) == []
    assert load_spec(json.dumps(spec, ensure_ascii=False)) == spec


@FUZZ
@given(st.sampled_from(["subject", "recipient", "body", "signer", "kind"]))
def test_a_missing_required_field_is_named(key):
    spec = _mfa_spec()
    spec.pop(key)
    assert any(p.path == f"$.{key}" or p.path == "$" for p in validate_spec(spec))
