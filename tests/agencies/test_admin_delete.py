"""Deleting in the admin a row others depend on: refused, saying in Thai which records depend on it and
what to do instead, never a page naming a permission, a list of classified subjects or a 500."""
import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, AgencyLevel, Official
from eoffice.thai import to_thai_digits

pytestmark = pytest.mark.django_db

PERMISSION_PAGE = "ไม่สามารถทำการลบข้อมูลชนิดนี้"  # Django's "your account doesn't have permission to delete"


def _th(n: int) -> str:
    return to_thai_digits(str(n))


@pytest.fixture
def staff(client, users, admin_login):
    return admin_login(client, users["admin"])


@pytest.fixture
def received_item(users, units):
    from correspondence.models import Channel
    from correspondence.services import receiving

    return receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="เรื่องที่ไม่ควรแสดงในหน้าลบ", sender_text="กค")


def test_an_agency_with_officials_items_and_units_is_not_deleted_and_the_page_says_why(staff, units, received_item):
    agency = units["สลค."]
    officials = Official.objects.filter(unit=agency).count()
    children = Agency.objects.filter(parent=agency).count()
    assert officials and children
    url = f"/admin/agencies/agency/{agency.pk}/delete/"

    page = staff.get(url).content.decode()
    assert (f"มีส่วนราชการ {_th(children)} แห่ง หนังสือรับ ๑ ฉบับ เจ้าหน้าที่ {_th(officials)} คน "
            "อ้างถึงส่วนราชการนี้ จึงลบไม่ได้ — ให้กำหนดวันสิ้นสุดแทน") in page
    assert PERMISSION_PAGE not in page
    assert received_item.subject not in page  # counted, not listed by subject (a classified one would show its subject)

    response = staff.post(url, {"post": "yes"})
    assert response.status_code == 200 and "จึงลบไม่ได้" in response.content.decode()
    assert Agency.objects.filter(pk=agency.pk).exists()


def test_the_delete_action_on_chosen_agencies_says_why_too(staff, units, received_item):
    chosen = [units["สลค."].pk, units["กต."].pk]
    data = {"action": "delete_selected", "_selected_action": chosen}
    page = staff.post("/admin/agencies/agency/", data).content.decode()
    assert "อ้างถึงส่วนราชการที่เลือก จึงลบไม่ได้ — ให้กำหนดวันสิ้นสุดแทน" in page
    assert PERMISSION_PAGE not in page

    response = staff.post("/admin/agencies/agency/", {**data, "post": "yes"})
    assert response.status_code == 200
    assert Agency.objects.filter(pk__in=chosen).count() == 2


def test_an_official_who_signs_a_letter_is_not_deleted(staff, users, mfa_spec):
    from correspondence.services import letters

    signer = users["mfa.signer"].official
    letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=signer)
    url = f"/admin/agencies/official/{signer.pk}/delete/"
    assert "มีหนังสือ ๑ ฉบับ อ้างถึงเจ้าหน้าที่นี้ จึงลบไม่ได้" in staff.get(url).content.decode()
    assert staff.post(url, {"post": "yes"}).status_code == 200
    assert Official.objects.filter(pk=signer.pk).exists()


def test_a_user_named_in_the_history_is_refused_not_a_server_error(staff, units):
    # The history is append-only: deleting the user would set its rows' acting user to null, which the
    # database refuses (a 500 before).
    editor = get_user_model().objects.create_user("editor", password="x-long-password-1")
    agency = units["สลค."]
    agency._history_user = editor
    agency.save()
    url = f"/admin/auth/user/{editor.pk}/delete/"
    assert "มีประวัติการแก้ไข ๑ รายการ อ้างถึงผู้ใช้นี้ จึงลบไม่ได้" in staff.get(url).content.decode()
    assert staff.post(url, {"post": "yes"}).status_code == 200
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_a_row_nothing_depends_on_is_still_deleted(staff, units):
    spare = Agency.objects.create(name="กองที่ไม่ได้ใช้", level=AgencyLevel.DIVISION, parent=units["สลค."])
    url = f"/admin/agencies/agency/{spare.pk}/delete/"
    assert "คุณแน่ใจหรือที่จะลบ" in staff.get(url).content.decode()
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not Agency.objects.filter(pk=spare.pk).exists()
