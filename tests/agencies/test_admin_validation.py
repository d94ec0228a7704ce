"""Bad input typed in the admin is refused with a Thai message and nothing is saved."""
import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, LetterCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, reference_data, admin_login):
    user = get_user_model().objects.create_superuser("root", "root@example.go.th", "x-long-password-1")
    return admin_login(client, user)


def _agency_form(parent, **overrides):
    data = {
        "parent": parent.pk if parent else "", "level": "division", "name": "กองทดสอบ", "short_name": "", "unit_number": "๐๒๐๙",
        "keeps_registers": "on", "address_lines": "", "postcode": "", "phone": "", "fax": "", "email": "",
        "valid_from": "", "valid_until": "",
        "letter_codes-TOTAL_FORMS": "0", "letter_codes-INITIAL_FORMS": "0",
        "letter_codes-MIN_NUM_FORMS": "0", "letter_codes-MAX_NUM_FORMS": "1000",
        "reminder_policies-TOTAL_FORMS": "0", "reminder_policies-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def _mfa_office():
    return Agency.objects.get(name="สำนักงานปลัดกระทรวง", parent__letter_codes__code="กต")


def test_valid_agency_is_saved_with_canonical_unit_number(admin_client):
    response = admin_client.post("/admin/agencies/agency/add/", _agency_form(_mfa_office(), valid_from="1 ต.ค. 2563"))
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Agency.objects.get(name="กองทดสอบ")
    assert saved.unit_number == "0209"
    assert saved.valid_from.isoformat() == "2020-10-01"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("unit_number", "02A9", "เลข"),
        ("unit_number", "๐๒", "เลข"),
        ("valid_from", "31 ก.พ. 2567", "ไม่มี"),
        ("valid_from", "12 ตุลาคาม 2563", "เดือน"),
    ],
)
def test_bad_unit_number_or_date_is_refused_in_thai(admin_client, field, value, message):
    before = Agency.objects.count()
    response = admin_client.post("/admin/agencies/agency/add/", _agency_form(_mfa_office(), **{field: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field])
    assert Agency.objects.count() == before


@pytest.mark.parametrize("code", ["AB", "ก", "กขค", "ก1", "เก"])
def test_bad_letter_code_is_refused_in_thai(admin_client, code):
    before = (Agency.objects.count(), LetterCode.objects.count())
    data = _agency_form(None, level="ministry", name="กระทรวงทดสอบ")
    data.update({"letter_codes-TOTAL_FORMS": "1", "letter_codes-0-code": code, "letter_codes-0-valid_from": "",
                 "letter_codes-0-valid_until": "", "letter_codes-0-note": ""})
    response = admin_client.post("/admin/agencies/agency/add/", data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "code" in inline_errors[0]
    assert "พยัญชนะ" in " ".join(inline_errors[0]["code"])
    assert (Agency.objects.count(), LetterCode.objects.count()) == before


def test_ministry_with_a_parent_is_refused(admin_client):
    response = admin_client.post(
        "/admin/agencies/agency/add/", _agency_form(_mfa_office(), level="ministry", name="กระทรวงซ้อน")
    )
    assert response.status_code == 200
    assert "ต้องไม่มีสังกัด" in " ".join(response.context["adminform"].form.errors["parent"])
    assert not Agency.objects.filter(name="กระทรวงซ้อน").exists()


def _shown_errors(response) -> list[str]:
    """The error messages as the administrator reads them on the rendered page."""
    import html
    import re

    items = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return [html.unescape(m) for item in items for m in re.findall(r"<li>(.*?)</li>", item, re.S)]


def test_a_bad_unit_number_is_said_once(admin_client):
    response = admin_client.post("/admin/agencies/agency/add/", _agency_form(_mfa_office(), unit_number="02A9"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["unit_number"] == [
        'รหัสตัวเลขของส่วนราชการ "02A9" ไม่ถูกต้อง ต้องเป็นตัวเลข ๔ หลัก อาจตามด้วย .ตัวเลข เช่น ๐๒๐๓ หรือ ๐๕๒๗.๑๐']
    shown = _shown_errors(response)
    assert len(shown) == 1 and "02A9" in shown[0]


def test_a_bad_letter_code_is_said_once(admin_client):
    data = _agency_form(None, level="ministry", name="กระทรวงทดสอบ")
    data.update({"letter_codes-TOTAL_FORMS": "1", "letter_codes-0-code": "AB", "letter_codes-0-valid_from": "1 ต.ค. 2563",
                 "letter_codes-0-valid_until": "1 ก.ย. 2563", "letter_codes-0-note": ""})
    response = admin_client.post("/admin/agencies/agency/add/", data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert len(errors["code"]) == 1 and "พยัญชนะ" in errors["code"][0]
    assert errors["valid_until"] == ["วันสิ้นสุดต้องไม่ก่อนวันเริ่มใช้"]  # the other field is still checked
    assert sorted(_shown_errors(response)) == sorted([errors["code"][0], "วันสิ้นสุดต้องไม่ก่อนวันเริ่มใช้"])
    assert not Agency.objects.filter(name="กระทรวงทดสอบ").exists()


def test_the_same_holiday_twice_is_refused_in_thai(admin_client):
    from agencies.models import Holiday
    from eoffice.thai import format_date

    holiday = Holiday.objects.filter(agency__isnull=True).first()
    response = admin_client.post("/admin/agencies/holiday/add/",
                                 {"day": format_date(holiday.day, "short_year4"), "name": "ซ้ำ", "agency": ""})
    assert response.status_code == 200
    assert _shown_errors(response) == ["วันหยุดราชการ ที่มี วันที่ และ เฉพาะส่วนราชการ เดียวกันนี้มีอยู่แล้ว"]
    assert not Holiday.objects.filter(name="ซ้ำ").exists()


def _policy_rows(*rows, initial=0):
    """The reminder-policy inline's rows: (id or None, urgency) each."""
    data = {"reminder_policies-TOTAL_FORMS": str(len(rows)), "reminder_policies-INITIAL_FORMS": str(initial)}
    for i, (pk, urgency) in enumerate(rows):
        data.update({f"reminder_policies-{i}-id": pk or "", f"reminder_policies-{i}-urgency": str(urgency),
                     f"reminder_policies-{i}-remind_rule": "minutes", f"reminder_policies-{i}-remind_value": "60",
                     f"reminder_policies-{i}-escalate_rule": "working_days",
                     f"reminder_policies-{i}-escalate_value": "1",
                     f"reminder_policies-{i}-before_deadline_minutes": "120"})
    return data


def _policy_errors(response) -> str:
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "reminder_policies")
    return " ".join([*formset.non_form_errors(), *(e for form in formset.forms for e in form.non_field_errors())])


def _names_the_fields_in_thai(errors: str) -> bool:
    return ("ส่วนราชการ" in errors and "ชั้นความเร็ว" in errors and "นโยบายการเตือน" in errors
            and not any(word in errors for word in ("urgency", "agency", "already exists", "with this")))


def test_two_reminder_policies_of_one_urgency_are_refused_in_thai(admin_client):
    from agencies.models import ReminderPolicy

    response = admin_client.post("/admin/agencies/agency/add/",
                                 _agency_form(_mfa_office(), **_policy_rows((None, 2), (None, 2))))
    assert response.status_code == 200
    errors = _policy_errors(response)
    assert _names_the_fields_in_thai(errors)
    assert not Agency.objects.filter(name="กองทดสอบ").exists() and not ReminderPolicy.objects.exists()


def test_a_reminder_policy_like_one_already_saved_is_refused_in_thai(admin_client):
    from agencies.models import ReminderPolicy

    assert admin_client.post("/admin/agencies/agency/add/",
                             _agency_form(_mfa_office(), **_policy_rows((None, 2)))).status_code == 302
    agency = Agency.objects.get(name="กองทดสอบ")
    saved = ReminderPolicy.objects.get(agency=agency)
    data = _agency_form(_mfa_office(), **_policy_rows((saved.pk, 2), (None, 2), initial=1))
    data["reminder_policies-0-agency"] = data["reminder_policies-1-agency"] = agency.pk
    response = admin_client.post(f"/admin/agencies/agency/{agency.pk}/change/", data)
    assert response.status_code == 200
    errors = _policy_errors(response)
    assert _names_the_fields_in_thai(errors)
    assert ReminderPolicy.objects.filter(agency=agency).count() == 1
    # The model says the same outside the admin.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        ReminderPolicy(agency=agency, urgency=2, remind_rule="minutes", remind_value=1, escalate_rule="minutes",
                       escalate_value=2).validate_constraints()
    assert _names_the_fields_in_thai(" ".join(refused.value.messages))
