import datetime as dt

import pytest
from django.core.management import call_command

from agencies import reference_data as ref
from agencies.models import Agency, AgencyLevel, LetterCode

pytestmark = pytest.mark.django_db


def test_every_ministry_and_the_prime_ministers_office_have_their_letter_code(reference_data):
    today = dt.date(2026, 11, 22)
    codes = {a.name: a.letter_code(on=today) for a in Agency.objects.filter(parent=None)}
    assert codes["สำนักนายกรัฐมนตรี"] == "นร"
    assert codes["กระทรวงการต่างประเทศ"] == "กต"
    assert codes["กระทรวงมหาดไทย"] == "มท"
    assert codes["กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"] == "ดศ"
    assert codes["กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม"] == "อว"
    assert set(codes.values()) == {code for code, _, _ in ref.MINISTRIES}
    assert len(codes) == len(ref.MINISTRIES) == 20


def test_codes_follow_reorganisations_by_date(reference_data):
    digital = LetterCode.objects.get(code="ดศ").agency
    assert digital.letter_code(on=dt.date(2015, 1, 1)) == "ทก"
    assert digital.letter_code(on=dt.date(2016, 9, 16)) == "ดศ"
    higher_ed = LetterCode.objects.get(code="อว").agency
    assert higher_ed.letter_code(on=dt.date(2018, 6, 1)) == "วท"


def test_units_of_the_reference_letters_inherit_the_ministry_code(reference_data):
    ict = Agency.objects.get(name="ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร")
    assert ict.letter_code(on=dt.date(2020, 9, 17)) == "กต"
    assert ict.unit_number == "0203"
    assert [a.name for a in ict.path()] == ["กระทรวงการต่างประเทศ", "สำนักงานปลัดกระทรวง", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร"]
    soc = Agency.objects.get(name="สำนักเลขาธิการคณะรัฐมนตรี")
    assert soc.letter_code() == "นร" and soc.unit_number == "0500" and soc.keeps_registers
    assert soc.level == AgencyLevel.DEPARTMENT
    assert {a.short_name for a in soc.children.all()} >= {"ภค.", "กจค."}


def test_loading_twice_changes_nothing(reference_data):
    before = (Agency.objects.count(), LetterCode.objects.count())
    call_command("load_reference_data", verbosity=0)
    assert (Agency.objects.count(), LetterCode.objects.count()) == before


def test_every_reference_row_records_history(reference_data):
    moi = LetterCode.objects.get(code="มท").agency
    assert moi.history.count() == 1
    moi.phone = "๐ ๒๒๒๑ ๔๑๔๑"
    moi.save()
    assert moi.history.count() == 2
    assert moi.history.first().phone == "๐ ๒๒๒๑ ๔๑๔๑"
