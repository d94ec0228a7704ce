"""Second factor (TOTP, django-otp) for signing and for classified records and the secret register: refused
without it, accepted with a current code (single use), enrolment once, reset by an administrator."""
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from correspondence.models import BookKind, Channel, Letter, LetterState, RegisterBook
from correspondence.services import receiving
from eoffice import twofactor
from eoffice.models import AccessEvent, AccessKind
from signatures.testing import TEST_PASSPHRASE

from hardening_helpers import api

pytestmark = pytest.mark.django_db


def code(device, offset=0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


@pytest.fixture
def issued(users, units, mfa_spec, signing_key):
    """A letter of กต waiting for its signer (mfa.signer), who has a signing key (``signing_key``)."""
    u = users

    def make():
        r = api(u["mfa.drafter"]).post("/api/v1/letters/", {
            "content": mfa_spec, "signer": u["mfa.signer"].official.pk, "recipients": [{"agency": units["สลค."].pk}],
            "reviewers": [u["mfa.reviewer"].official.pk]}, format="json")
        pk = r.json()["id"]
        api(u["mfa.drafter"]).post(f"/api/v1/letters/{pk}/submit/")
        api(u["mfa.reviewer"]).post(f"/api/v1/letters/{pk}/review/", {"approve": True}, format="json")
        assert api(u["mfa.clerk"]).post(f"/api/v1/letters/{pk}/issue/").status_code == 200
        return pk

    return make


def test_signing_without_a_second_factor_is_refused_and_changes_nothing(users, issued):
    pk = issued()
    r = api(users["mfa.signer"]).post(f"/api/v1/letters/{pk}/sign/")
    assert r.status_code == 403 and r.json()["detail"] == twofactor.NOT_ENROLLED
    TOTPDevice.objects.create(user=users["mfa.signer"], name="phone", confirmed=True)
    r = api(users["mfa.signer"]).post(f"/api/v1/letters/{pk}/sign/")
    assert r.status_code == 403 and r.json()["detail"] == twofactor.REQUIRED
    assert Letter.objects.get(pk=pk).state == LetterState.ISSUED


def test_a_current_code_in_the_header_signs_once(users, issued):
    first, second = issued(), issued()
    device = TOTPDevice.objects.create(user=users["mfa.signer"], name="phone", confirmed=True)
    client = api(users["mfa.signer"])
    assert client.post(f"/api/v1/letters/{first}/sign/", HTTP_X_OTP="000000" if code(device) != "000000"
                       else "111111").status_code == 403
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    now = code(device)
    r = client.post(f"/api/v1/letters/{first}/sign/", {"secret": TEST_PASSPHRASE}, format="json", HTTP_X_OTP=now)
    assert r.status_code == 202 and r.json()["state"] == "done"
    assert Letter.objects.get(pk=first).state == LetterState.SIGNED
    # The same code again is a replay: refused.
    r = client.post(f"/api/v1/letters/{second}/sign/", {"secret": TEST_PASSPHRASE}, format="json", HTTP_X_OTP=now)
    assert r.status_code == 403 and Letter.objects.get(pk=second).state == LetterState.ISSUED
    kinds = list(AccessEvent.objects.filter(user=users["mfa.signer"]).values_list("kind", flat=True))
    assert kinds.count(AccessKind.SECOND_FACTOR) == 1 and kinds.count(AccessKind.SECOND_FACTOR_FAILED) == 2


def test_session_verified_through_the_api_endpoint(users, issued):
    pk = issued()
    user = users["mfa.signer"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = api()
    client.force_login(user)
    r = client.post("/api/v1/auth/second-factor/", {"token": "12"}, format="json")
    assert r.status_code == 400 and r.json()["token"][0].startswith("รหัสยืนยันไม่ถูกต้อง")
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    assert client.post("/api/v1/auth/second-factor/", {"token": code(device)}, format="json").status_code == 204
    r = client.post(f"/api/v1/letters/{pk}/sign/", {"secret": TEST_PASSPHRASE}, format="json")
    assert r.status_code == 202 and Letter.objects.get(pk=pk).state == LetterState.SIGNED
    # An administrator's reset (deleting the device) ends what it verified.
    device.delete()
    assert client.get("/api/v1/letters/").status_code == 200
    assert twofactor.NOT_ENROLLED == client.post(f"/api/v1/letters/{issued()}/sign/").json()["detail"]


@pytest.fixture
def secret_item(users, units, second_factor):
    registrar, soc = users["soc.secret"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=registrar, channel=Channel.SCAN, subject="แผนลับเฉพาะ",
                                      sender_text="กระทรวงกลาโหม", secrecy=1)
    item, _ = receiving.incoming_register(item, by=registrar)
    return item


def test_classified_records_and_the_secret_register_need_the_second_factor(users, units, secret_item, second_factor):
    registrar = users["soc.secret"]
    secret_book = RegisterBook.objects.get(unit=units["สลค."], kind=BookKind.SECRET)
    client = api(registrar)
    # Unverified: lists leave classified rows and the secret book out; direct access says why (403).
    assert secret_item.pk not in {i["id"] for i in client.get("/api/v1/items/").json()["results"]}
    assert secret_book.pk not in {b["id"] for b in client.get("/api/v1/books/").json()["results"]}
    assert not [e for e in client.get("/api/v1/entries/").json()["results"] if e["book"] == secret_book.pk]
    for url in (f"/api/v1/items/{secret_item.pk}/", f"/api/v1/items/{secret_item.pk}/download/",
                f"/api/v1/books/{secret_book.pk}/export/"):
        r = client.get(url)
        assert r.status_code == 403 and r.json()["detail"] == twofactor.NOT_ENROLLED, url
    r = client.post("/api/v1/items/", {"unit": units["สลค."].pk, "channel": Channel.SCAN, "subject": "ลับอีกเรื่อง",
                                       "sender_text": "กห", "secrecy": 1}, format="multipart")
    assert r.status_code == 403
    # Verified: everything the registrar may see is there.
    second_factor(client, registrar)
    assert secret_item.pk in {i["id"] for i in client.get("/api/v1/items/").json()["results"]}
    assert secret_book.pk in {b["id"] for b in client.get("/api/v1/books/").json()["results"]}
    assert client.get(f"/api/v1/items/{secret_item.pk}/").status_code == 200
    assert client.get(f"/api/v1/books/{secret_book.pk}/export/").status_code == 200
    # Still only what the user may see: another unit's clerk, verified, gets 404 as before.
    other = api(users["mfa.clerk"])
    second_factor(other, users["mfa.clerk"])
    assert other.get(f"/api/v1/items/{secret_item.pk}/").status_code == 404


def test_enrolment_through_the_pages_and_no_second_device_without_the_administrator(client, users):
    user = users["soc.officer"]
    client.force_login(user)
    r = client.get("/account/two-factor/?next=/incoming/")
    assert r.status_code == 302 and r["Location"].startswith("/account/two-factor/setup/")
    page = client.get("/account/two-factor/setup/")
    assert page.status_code == 200 and "รหัสลับ" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/account/two-factor/setup/", {"token": "000000" if code(device) != "000000" else "1",
                                                      "next": "/incoming/"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    r = client.post("/account/two-factor/setup/", {"token": code(device), "next": "/incoming/"})
    assert r.status_code == 302 and r["Location"] == "/incoming/"
    assert TOTPDevice.objects.get(user=user).confirmed
    # With a device, the setup page refuses to enrol another (a stolen password is not enough).
    assert client.get("/account/two-factor/setup/").status_code == 409
    assert TOTPDevice.objects.filter(user=user).count() == 1
    # An open redirect through ?next= is not possible.
    client.logout()
    client.force_login(user)
    device.refresh_from_db()
    r = client.post("/account/two-factor/", {"token": code(device, offset=1), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


def test_administrator_resets_a_device_in_the_admin(client, users, admin_login):
    user = users["soc.exec"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    admin_login(client, users["admin"])
    page = client.get("/admin/otp_totp/totpdevice/")
    assert page.status_code == 200 and "phone" in page.content.decode()
    r = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(user=user).exists()
