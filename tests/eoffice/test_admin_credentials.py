"""The admin resets credentials but never reads or makes them, and keeps evidence and records as written."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from eoffice.models import AccessEvent, AccessKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(users):
    return users["admin"]


def test_an_authenticators_key_is_never_shown_and_deleting_it_is_logged(users, client, admin_user, admin_login):
    device = TOTPDevice.objects.create(user=users["soc.exec"], name="phone", confirmed=True)
    admin_login(client, admin_user)
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200 and device.key not in change.content.decode()
    listing = client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert device.key not in listing and "otpauth://" not in listing and "/config/" not in listing
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    r = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert r.status_code == 302 and not TOTPDevice.objects.filter(pk=device.pk).exists()
    event = AccessEvent.objects.get(kind=AccessKind.ROLE, target=f"user:{users['soc.exec'].pk}")
    assert event.user == admin_user and event.detail["change"] == "totp_device_deleted"


def test_tokens_are_revoked_not_made_nor_listed(users, client, admin_user, admin_login):
    token = Token.objects.create(user=users["soc.clerk"])
    admin_login(client, admin_user)
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404  # no list: a token's key is its id
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    r = client.post(reverse("admin:auth_user_changelist"),
                    {"action": "revoke_api_tokens", "_selected_action": [users["soc.clerk"].pk]})
    assert r.status_code == 302 and not Token.objects.filter(pk=token.pk).exists()
    event = AccessEvent.objects.get(kind=AccessKind.ROLE, detail__change="api_token_revoked")
    assert event.user == admin_user and event.target == f"user:{users['soc.clerk'].pk}"


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 12), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("name,data,ok", [
    ("garuda.png", _png(), True),
    ("garuda.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="12"></svg>', True),
    ("evil.html", b"<html><script>alert(1)</script></html>", False),
    ("notes.txt", b"just text", False),
    ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', False),
])
def test_the_garuda_artwork_is_an_image_the_letters_can_carry(units, client, admin_user, name, data, ok):
    from agencies.admin import AgencyForm

    agency = units["สลค."]
    form = AgencyForm(instance=agency, data={}, files={"garuda": SimpleUploadedFile(name, data)})
    form.is_valid()
    assert ("garuda" not in form.errors) is ok, form.errors.get("garuda")
    if not ok:
        assert "PNG, JPEG หรือ SVG" in form.errors["garuda"][0] or "สคริปต์" in form.errors["garuda"][0]


def test_letters_and_items_are_not_saved_from_the_admin(users, mfa_spec, client, admin_user, admin_login):
    from correspondence.models import Letter
    from correspondence.services import letters

    letter = letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=users["mfa.signer"].official)
    admin_login(client, admin_user)
    url = reverse("admin:correspondence_letter_change", args=[letter.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    rows = letter.history.count()
    assert client.post(url, {"_save": "1"}).status_code == 403
    assert Letter.objects.get(pk=letter.pk).history.count() == rows


def test_signature_evidence_cannot_be_deleted(client, admin_user, admin_login):
    from django.contrib import admin as django_admin

    from signatures.models import LetterArchive, LetterSignature, ReceiptStamp, SignatureReport, SigningJob

    admin_login(client, admin_user)
    request = client.get("/admin/").wsgi_request
    for model in (ReceiptStamp, SignatureReport, LetterSignature, LetterArchive, SigningJob):
        model_admin = django_admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), model.__name__
        assert "delete_selected" not in model_admin.get_actions(request)


def test_a_peer_key_that_does_not_load_is_refused(db):
    from correspondence.exchange.admin import ExchangePeerForm

    form = ExchangePeerForm(data={"name": "ระบบ กต.", "base_url": "https://mfa.example", "their_key_id": "mfa",
                                  "their_public_key": "not a key", "enabled": True})
    assert not form.is_valid() and "PEM" in form.errors["their_public_key"][0]


def test_a_credential_file_that_is_no_pkcs12_or_a_seal_secret_that_does_not_open_it_is_refused(users, units):
    from signatures.admin import SigningCredentialForm
    from signatures.models import CredentialKind

    bad = SigningCredentialForm(data={"kind": CredentialKind.PKCS12, "official": users["mfa.signer"].official.pk,
                                      "label": "บัตร", "active": True},
                                files={"pkcs12_file": SimpleUploadedFile("x.p12", b"garbage")})
    assert not bad.is_valid() and "ไม่ใช่ PKCS#12" in bad.errors["pkcs12_file"][0]


def test_a_seal_is_kept_only_with_the_passphrase_that_opens_it(units, signing_pki):
    from signatures.admin import SigningCredentialForm
    from signatures.models import CredentialKind
    from signatures.testing import TEST_PASSPHRASE

    data = signing_pki.pkcs12_file("seal-a", TEST_PASSPHRASE).read_bytes()

    def form(secret):
        return SigningCredentialForm(data={"kind": CredentialKind.PKCS12, "agency": units["สลค."].pk, "label": "ตรา",
                                           "active": True, "seal_secret": secret},
                                     files={"pkcs12_file": SimpleUploadedFile("seal.p12", data)})

    wrong = form("not-the-passphrase")
    assert not wrong.is_valid() and wrong.errors["seal_secret"] == ["รหัสผ่านไม่ตรงกับแฟ้ม PKCS#12 นี้"]
    assert form(TEST_PASSPHRASE).is_valid()


def test_the_audit_history_of_letters_items_and_register_lines_shows_in_the_admin(users, units, mfa_spec, client,
                                                                                  admin_user, admin_login):
    from correspondence.models import Channel, RegisterEntry
    from correspondence.services import letters, receiving

    letter = letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=users["mfa.signer"].official)
    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="ประวัติ", sender_text="กค")
    item, _ = receiving.incoming_register(item, by=users["soc.clerk"])
    line = RegisterEntry.objects.get(item=item)
    admin_login(client, admin_user)
    # Another ministry's draft is not the Secretariat administrator's to read, history included.
    assert client.get(reverse("admin:correspondence_letter_history", args=[letter.pk])).status_code == 404
    for name, obj in (("incomingitem", item), ("registerentry", line)):
        page = client.get(reverse(f"admin:correspondence_{name}_history", args=[obj.pk])).content.decode()
        assert "doesn’t have a change history" not in page and "ไม่มีประวัติการเปลี่ยนแปลง" not in page, name
        assert obj.history.first().history_user.username in page, name
        version = obj.history.first().history_id
        form = client.get(reverse(f"admin:correspondence_{name}_simple_history", args=[obj.pk, version]))
        assert form.status_code in (200, 403) and 'name="_save"' not in form.content.decode(), name


def test_the_grant_page_offers_view_only_and_refuses_an_official_not_cleared(users, units, client, admin_user,
                                                                              second_factor):
    from correspondence import permissions
    from correspondence.models import Channel
    from correspondence.services import grants, receiving

    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.secret"], channel=Channel.SCAN,
                                      subject="ลับมากทดสอบสิทธิ์", sender_text="กห", secrecy=2)
    official = admin_user.official
    official.clearance = 3
    official.save(update_fields=["clearance"])
    grants.grant_view(item, admin_user)
    client.force_login(admin_user)
    second_factor(client, admin_user)
    officer = users["soc.officer"]  # cleared to ลับ only
    url = reverse("admin:correspondence_incomingitem_permissions_manage_user", args=[item.pk, officer.pk])
    page = client.get(url).content.decode()
    assert "view_incomingitem" in page and "change_incomingitem" not in page and "delete_incomingitem" not in page
    r = client.post(url, {"permissions": ["view_incomingitem"]})
    assert r.status_code == 200 and "ได้รับอนุญาตชั้นความลับไม่ถึงลับมาก" in r.content.decode()
    assert not permissions.visible_items(officer).filter(pk=item.pk).exists()
    assert not officer.has_perm("correspondence.view_incomingitem", item)
    exec_ = users["soc.exec"]
    r = client.post(reverse("admin:correspondence_incomingitem_permissions_manage_user", args=[item.pk, exec_.pk]),
                    {"permissions": ["view_incomingitem"]})
    assert r.status_code == 302 and permissions.visible_items(exec_).filter(pk=item.pk).exists()
