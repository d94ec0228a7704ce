import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, Delegation, DelegationKind, Official, Role, RoleAssignment
from agencies.selectors import has_role, signer_block
from eoffice.levels import Secrecy

pytestmark = pytest.mark.django_db


@pytest.fixture
def ict(reference_data):
    return Agency.objects.get(name="ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร")


def make_official(unit, username="u1", **kw):
    user = get_user_model().objects.create_user(username, password="x-long-password-1")
    defaults = dict(title="นาย", first_name="ดอน", last_name="ปรมัตถ์วินัย", position="รัฐมนตรีว่าการกระทรวงการต่างประเทศ")
    defaults.update(kw)
    return Official.objects.create(user=user, unit=unit, **defaults)


def test_civilian_title_goes_inside_the_brackets(ict):
    official = make_official(ict)
    assert official.signature_name == "(นายดอน ปรมัตถ์วินัย)"
    assert official.display_name == "นายดอน ปรมัตถ์วินัย"


def test_rank_stands_before_the_brackets(ict):
    official = make_official(ict, title="", rank="พลเอก", first_name="อนุพงษ์", last_name="เผ่าจินดา")
    assert official.signature_name == "พลเอก (อนุพงษ์ เผ่าจินดา)"
    assert signer_block(official, dt.date(2020, 5, 12))["rank"] == "พลเอก"


def test_delegation_adds_the_acting_line_only_within_its_dates(ict):
    official = make_official(ict, position="รองปลัดกระทรวงการต่างประเทศ")
    Delegation.objects.create(
        official=official, kind=DelegationKind.ON_BEHALF, for_position="ปลัดกระทรวงการต่างประเทศ",
        start=dt.date(2020, 9, 1), end=dt.date(2020, 9, 30),
    )
    assert signer_block(official, dt.date(2020, 9, 17))["acting"] == "ปฏิบัติราชการแทนปลัดกระทรวงการต่างประเทศ"
    assert signer_block(official, dt.date(2020, 10, 1))["acting"] is None


def test_roles_are_scoped_to_a_unit_and_to_dates(ict):
    other = Agency.objects.get(name="สำนักเลขาธิการคณะรัฐมนตรี")
    official = make_official(ict)
    RoleAssignment.objects.create(official=official, role=Role.REGISTRY_CLERK, unit=ict)
    RoleAssignment.objects.create(official=official, role=Role.SIGNER, valid_until=dt.date(2020, 1, 1))
    user = official.user
    assert has_role(user, Role.REGISTRY_CLERK, unit=ict)
    assert not has_role(user, Role.REGISTRY_CLERK, unit=other)
    assert not has_role(user, Role.SIGNER)
    assert has_role(user, Role.SIGNER, on=dt.date(2019, 6, 1))
    assert not has_role(get_user_model().objects.create_user("nobody"), Role.DRAFTER)


def test_clearance_orders_secrecy_levels(ict):
    official = make_official(ict, clearance=Secrecy.SECRET)
    assert official.clearance >= Secrecy.CONFIDENTIAL
    assert not official.clearance >= Secrecy.TOP_SECRET
    assert Secrecy.TOP_SECRET.dga_code == "004" and Secrecy.NORMAL.dga_code == "001"


def test_demo_data_gives_every_role_a_user_who_can_log_in(demo_officials, client):
    from agencies.demo import DEMO_PASSWORD

    held = set(RoleAssignment.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    assert client.login(username="soc.clerk", password=DEMO_PASSWORD)
    page = client.get("/")
    assert page.status_code == 200
    assert "วันดี" in page.content.decode()


def test_demo_data_is_refused_outside_demo_installs(reference_data, settings):
    from django.core.management import CommandError, call_command

    settings.EOFFICE_DEMO_DATA = False
    with pytest.raises(CommandError, match="EOFFICE_DEMO_DATA"):
        call_command("load_demo_data")
    assert not get_user_model().objects.filter(username="admin").exists()
