"""Letter codes and unit numbers that would make two registers print the same letter number are refused
where the administrator types them; an agency whose code has ended gets a Thai refusal at ออกเลข."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, AgencyLevel, LetterCode

pytestmark = pytest.mark.django_db


def test_a_letter_code_in_use_by_another_agency_is_refused(units):
    new = Agency.objects.create(name="กระทรวงทดสอบ", level=AgencyLevel.MINISTRY)
    taken = LetterCode(agency=new, code="กต")
    with pytest.raises(ValidationError) as refused:
        taken.full_clean()
    assert "ใช้กับกระทรวงการต่างประเทศ" in refused.value.message_dict["code"][0]
    LetterCode(agency=new, code="ทด").full_clean()


def test_two_open_codes_for_one_agency_are_refused_until_the_first_ends(units):
    mfa = units["ศทส."].top
    second = LetterCode(agency=mfa, code="กข")
    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "มีรหัส กต ในช่วงเวลานี้อยู่แล้ว" in refused.value.message_dict["valid_from"][0]
    LetterCode.objects.filter(agency=mfa).update(valid_until=dt.date(2026, 12, 31))
    LetterCode(agency=mfa, code="กข", valid_from=dt.date(2027, 1, 1)).full_clean()


def test_a_unit_number_used_in_the_same_ministry_is_refused(units):
    ict = units["ศทส."]
    twin = Agency(name="กองทดสอบ", level=AgencyLevel.DIVISION, parent=ict.parent, unit_number=ict.unit_number)
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert f"ใช้กับ {ict.name}" in refused.value.message_dict["unit_number"][0]


def test_a_unit_is_below_its_parents_level(units):
    department = Agency.objects.filter(level=AgencyLevel.DEPARTMENT).first()
    wrong = Agency(name="กรมซ้อนกรม", level=AgencyLevel.DEPARTMENT, parent=department)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert "level" in refused.value.message_dict


def test_issuing_when_the_code_has_ended_is_refused_in_thai_and_burns_nothing(users, units, mfa_spec):
    from correspondence.models import RegisterEntry
    from correspondence.services import letters

    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    LetterCode.objects.filter(agency=units["ศทส."].top).update(valid_until=dt.date(2020, 1, 1))
    before = RegisterEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        letters.letter_issue(letter, by=u["mfa.clerk"])
    assert "ไม่มีรหัสตัวพยัญชนะ" in refused.value.message_dict["number"][0]
    assert RegisterEntry.objects.count() == before


def test_a_role_twice_or_in_another_ministry_is_refused(users, units):
    from agencies.models import Role, RoleAssignment

    clerk = users["mfa.clerk"].official
    twice = RoleAssignment(official=clerk, role=Role.REGISTRY_CLERK, unit=None)
    existing = RoleAssignment.objects.filter(official=clerk, role=Role.REGISTRY_CLERK).first()
    twice.unit = existing.unit
    with pytest.raises(ValidationError) as refused:
        twice.full_clean()
    assert "ในช่วงเวลานี้อยู่แล้ว" in refused.value.message_dict["role"][0]
    elsewhere = RoleAssignment(official=clerk, role=Role.REGISTRY_CLERK, unit=units["สลค."])
    with pytest.raises(ValidationError) as refused:
        elsewhere.full_clean()
    assert "กระทรวงการต่างประเทศ" in refused.value.message_dict["unit"][0]
    RoleAssignment(official=clerk, role=Role.REVIEWER).full_clean()


def test_a_postcode_is_five_digits_typed_in_thai_or_arabic(units):
    agency = units["สลค."]
    for wrong in ("๑๐๓๐", "1030O", "abcde"):
        agency.postcode = wrong
        with pytest.raises(ValidationError) as refused:
            agency.full_clean()
        assert refused.value.message_dict["postcode"] == ["รหัสไปรษณีย์ต้องเป็นตัวเลข ๕ หลัก"]
    agency.postcode = "๑๐๓๐๐"
    agency.full_clean()
    assert agency.postcode == "10300"
