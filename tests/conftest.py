"""Shared fixtures: reference data, officials by role, the reference letter's spec, fast password hashing."""
import json
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent / "rendering" / "fixtures"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is Django's concern, not the portal's; MD5 keeps hundreds of logins quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed manifest exists only after collectstatic; pages under test need plain static URLs.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Rendered letters and uploads go to a directory of the test, never the checkout's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def signing_pki(tmp_path_factory):
    """certomancer's test PKI served on 127.0.0.1 (signing checks the signer's certificate against its
    CRL and OCSP)."""
    from signatures.testing import TestPKI

    pki = TestPKI(tmp_path_factory.mktemp("signing-pki"))
    pki.start()
    yield pki
    pki.close()


@pytest.fixture
def signing_key(users, signing_pki):
    """mfa.signer's PKCS#12 key (B-B for the ministry, the test root trusted); returns its passphrase."""
    from asn1crypto import pem

    from signatures import services as signing
    from signatures.models import AgencySigningSettings
    from signatures.testing import TEST_PASSPHRASE

    official = users["mfa.signer"].official
    anchor = signing.trusted_certificate_add(data=pem.armor("CERTIFICATE", signing_pki.root.dump()), name="Test Root")
    settings_row, _ = AgencySigningSettings.objects.get_or_create(agency=official.unit.top, defaults={"level": "B-B"})
    settings_row.trust_anchors.add(anchor)
    signing.credential_pkcs12_add(data=signing_pki.pkcs12_file("official", TEST_PASSPHRASE).read_bytes(),
                                  official=official, label="บัตรของผู้ลงนาม")
    return TEST_PASSPHRASE


@pytest.fixture
def reference_data(db):
    call_command("load_reference_data", verbosity=0)


@pytest.fixture
def demo_officials(reference_data, settings):
    from agencies.demo import demo_data_load

    settings.EOFFICE_DEMO_DATA = True
    demo_data_load()


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    # django-axes needs the request in authenticate(), which Client.login() does not pass; the
    # throttling itself is tested in tests/hardening with AXES_ENABLED back on.
    settings.AXES_ENABLED = False


@pytest.fixture
def second_factor(db):
    """``second_factor(client, user)``: the user gets a confirmed TOTP authenticator and the client's
    session is verified with it, as after entering a code (for signing and classified records)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def verify(client, user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return device

    return verify


@pytest.fixture
def admin_login(second_factor):
    """``admin_login(client, user)``: the client logged in as ``user`` with a verified second factor, which
    every admin page asks of staff users (eoffice/admin_site.py)."""

    def login(client, user):
        client.force_login(user)
        second_factor(client, user)
        return client

    return login


@pytest.fixture
def admin_client(client, admin_user, admin_login):
    """pytest-django's admin client, with the second factor the admin asks for."""
    return admin_login(client, admin_user)


@pytest.fixture
def users(demo_officials):
    """The demo officials' users by username."""
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.select_related("official").all()}


@pytest.fixture
def units(reference_data):
    """Agencies by short name (or name where there is none) and by full name."""
    from agencies.models import Agency

    agencies = list(Agency.objects.all())
    return {a.short_name or a.name: a for a in agencies} | {a.name: a for a in agencies}


@pytest.fixture
def mfa_spec():
    """The กระทรวงการต่างประเทศ reference letter as drafted: the portal fills in number and date."""
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    return spec
