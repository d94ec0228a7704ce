"""Shared fixtures: reference data, officials by role, fast password hashing."""
import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is Django's concern, not the portal's; MD5 keeps hundreds of logins quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed manifest exists only after collectstatic; pages under test need plain static URLs.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


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
