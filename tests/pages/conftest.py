"""Fixtures of the page tests: the Secretariat, a logged-in client, and incoming items made in bulk."""
import pytest


@pytest.fixture
def soc(units):
    return units["สำนักเลขาธิการคณะรัฐมนตรี"]


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client
    return as_user
