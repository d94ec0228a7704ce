"""The admin behind the second factor: a staff user's session must be verified with their authenticator;
without one they are sent to enrol, and come back to the admin after."""
from urllib.parse import urlencode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_without_the_factor_the_admin_sends_to_verification_and_back(client, users):
    admin = users["admin"]
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    client.force_login(admin)
    for url in ("/admin/", "/admin/agencies/agency/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == f"/account/two-factor/?{urlencode({'next': url})}", url
    r = client.post("/account/two-factor/", {"token": code(device), "next": "/admin/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/agencies/agency/").status_code == 200


def test_a_staff_user_without_an_authenticator_enrols_from_the_page_sent_to(client, users):
    # The demo administrator has no authenticator: the admin sends them to enrol, which lets them in.
    admin = users["admin"]
    assert not TOTPDevice.objects.filter(user=admin).exists()
    client.force_login(admin)
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"] == "/account/two-factor/setup/?next=%2Fadmin%2F"
    assert client.get(r["Location"]).status_code == 200
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    r = client.post("/account/two-factor/setup/", {"token": code(device), "next": "/admin/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_logging_in_on_the_admin_page_then_needs_the_factor(client, users):
    admin = users["admin"]
    admin.set_password("pw-admin-2567")
    admin.save()
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    r = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "pw-admin-2567",
                                                  "next": "/admin/"})
    assert r.status_code == 302 and r["Location"] == "/admin/"
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/?")


def test_anonymous_users_get_the_login_and_unverified_ones_can_log_out(client, users):
    r = client.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    client.force_login(users["admin"])
    r = client.post("/admin/logout/")
    assert "two-factor" not in r.get("Location", "")
    assert "_auth_user_id" not in client.session


def test_the_factor_can_be_switched_off_for_the_whole_portal(client, users, settings):
    settings.EOFFICE_SECOND_FACTOR = False
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 200
