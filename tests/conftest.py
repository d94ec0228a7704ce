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
