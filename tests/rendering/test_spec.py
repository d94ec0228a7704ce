"""The letter spec: schema + per-kind rules; errors as (JSON path, Thai, English)."""

import json

import pytest

from correspondence.rendering.spec import SCHEMA_PATH, KIND_TH, schema, spec_warnings, validate_spec

from .conftest import load

KINDS = ["external", "memo", "stamped", "order", "regulation", "bylaw", "announcement", "statement",
         "news", "certificate", "minutes", "record"]


def required_for(kind):
    for rule in schema()["allOf"]:
        cond = rule["if"]["properties"]["kind"]
        if cond.get("const") == kind or kind in cond.get("enum", []):
            return rule["then"]["required"]
    raise AssertionError(kind)


@pytest.mark.parametrize("name", ["moi-2563", "mfa-2563"])
def test_reference_specs_are_valid(name):
    spec = load(name)
    assert validate_spec(spec) == []
    assert spec_warnings(spec) == []


def test_schema_lists_every_kind_and_enumeration():
    props = schema()["properties"]
    assert props["kind"]["enum"] == KINDS
    assert props["urgency"]["enum"] == ["normal", "urgent", "very_urgent", "most_urgent"]
    assert props["secrecy"]["enum"] == ["normal", "confidential", "secret", "top_secret"]
    assert set(KINDS) == set(KIND_TH)
    assert SCHEMA_PATH.name == "letter-spec.schema.json" and SCHEMA_PATH.parent.name == "docs"


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_reports_its_missing_required_elements(kind):
    problems = validate_spec({"kind": kind})
    paths = {p.path for p in problems}
    assert paths == {f"$.{key}" for key in required_for(kind)}
    for p in problems:
        assert KIND_TH[kind] in p.message_th and kind in p.message_en


def test_paths_point_into_nested_values():
    spec = load("moi-2563")
    spec["signer"]["position"] = []
    spec["body"][2] = 5
    spec["urgency"] = "soon"
    spec["date"] = "2020-13-01"
    spec["issuer"]["fax"] = "x"
    problems = {p.path: p for p in validate_spec(spec)}
    assert set(problems) == {"$.signer.position", "$.body[2]", "$.urgency", "$.date", "$.issuer"}
    assert "soon" in problems["$.urgency"].message_en and "most_urgent" in problems["$.urgency"].message_th
    assert "fax" in problems["$.issuer"].message_en
    assert problems["$.signer.position"].message_th == "ต้องไม่ว่าง"


def test_unknown_top_level_key_is_reported():
    spec = load("mfa-2563")
    spec["subjekt"] = "typo"
    (problem,) = validate_spec(spec)
    assert problem.path == "$" and "subjekt" in problem.message_en and "subjekt" in problem.message_th


def test_stamped_letter_has_no_salutation_or_closing():
    spec = {"kind": "stamped", "number": "กต ๐๒๐๓/๑", "recipient": "กรมการปกครอง", "body": ["ข้อความ"],
            "issuer": {"name": "กระทรวงการต่างประเทศ"}, "date": "2024-01-05", "owner_unit": ["กองกลาง"],
            "salutation": "เรียน", "closing": "ขอแสดงความนับถือ"}
    paths = [p.path for p in validate_spec(spec)]
    assert paths == ["$.closing", "$.salutation"]


def test_opening_and_closing_that_do_not_belong_together_warn():
    spec = load("moi-2563")
    spec["closing"] = "ขอแสดงความนับถืออย่างยิ่ง"
    assert validate_spec(spec) == []
    (warning,) = spec_warnings(spec)
    assert warning.path == "$.closing"
    assert "กราบเรียน" in warning.message_th and "do not belong together" in warning.message_en


def test_not_an_object():
    (problem,) = validate_spec([1, 2])
    assert problem.path == "$"


def test_docs_describe_the_schema():
    from correspondence.rendering.spec import BASE_DIR

    doc = (BASE_DIR / "docs" / "letter-spec.md").read_text(encoding="utf-8")
    for key in schema()["properties"]:
        assert f"`{key}`" in doc, key
    json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _in_days(days: int) -> str:
    import datetime as dt

    from correspondence.rendering.spec import bangkok_today

    return (bangkok_today() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("path,value,expected", [
    ("date", "1900-01-01", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ ต้องไม่ก่อน ๑ มิถุนายน ๒๕๒๖"),
    ("date", "1983-05-31", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
    ("date", "2100-01-01", "ต้องไม่เป็นวันในอนาคต"),
    ("date", "2500-01-01", "ปี 2500 เป็นปี พ.ศ."),  # 2300 and later: a Buddhist-era year typed as CE
    ("date", "tomorrow", "ต้องไม่เป็นวันในอนาคต"),
    ("deliver_by", "1900-01-01T10:00", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
    ("deliver_by", "2100-01-01", "ไกลเกินไป ต้องไม่เกินหนึ่งปีจากวันนี้"),
    ("meeting.when", "1975-03-01", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
])
def test_implausible_dates_are_refused_with_the_reason(path, value, expected):
    spec = load("kinds")["minutes"] if path.startswith("meeting") else load("mfa-2563")
    value = _in_days(1) if value == "tomorrow" else value
    if path == "meeting.when":
        spec["meeting"]["when"] = value
    else:
        spec[path] = value
    (problem,) = validate_spec(spec)
    assert problem.path == f"$.{path}" and expected in problem.message_th


@pytest.mark.parametrize("path,value", [("date", "1983-06-01"), ("date", "today"), ("deliver_by", "in 300 days"),
                                        ("meeting.when", "in 30 days")])
def test_plausible_dates_pass(path, value):
    spec = load("kinds")["minutes"] if path.startswith("meeting") else load("mfa-2563")
    value = {"today": _in_days(0), "in 300 days": _in_days(300), "in 30 days": _in_days(30)}.get(value, value)
    if path == "meeting.when":
        spec["meeting"]["when"] = value
    else:
        spec[path] = value
    assert validate_spec(spec) == []
