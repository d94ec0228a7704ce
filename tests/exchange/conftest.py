"""Fixtures of the exchange tests run inside one portal: this portal hosts the Secretariat of the
Cabinet; a peer portal (whose private key the test holds) hosts the Ministry of Foreign Affairs."""
import json

import pytest

from correspondence.exchange.selectors import agency_by_exchange_id
from correspondence.exchange.signing import generate_keypair, sign_request
from correspondence.models import ExchangePeer
from signatures import crypto

ENDPOINT = "http://testserver/exchange/v1/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def nonces():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def peer(demo_officials, media, nonces):
    """The MFA portal as configured here: its public key, and our own key pair for talking to it."""
    their_private, their_public = generate_keypair()
    our_private, our_public = generate_keypair()
    row = ExchangePeer.objects.create(
        name="ระบบสารบรรณ กต.", base_url="http://127.0.0.1:9", their_key_id="portal-mfa",
        their_public_key=their_public, our_key_id="portal-soc", our_public_key=our_public,
        our_private_key_encrypted=crypto.encrypt(our_private.encode()),
    )
    row.agencies.set([agency_by_exchange_id("กต")])
    row.test_private_key = their_private
    return row


@pytest.fixture
def post_signed(client, peer):
    """POST a JSON body signed with the peer's key; returns (response, headers, body) for replays."""

    def post(path, payload=None, *, body=None, headers=None, key=None, key_id="portal-mfa"):
        body = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = headers or sign_request("POST", ENDPOINT + path, body, key_id=key_id,
                                          private_key_pem=key or peer.test_private_key)
        extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/json")
        response = client.post("/exchange/v1/" + path, data=body, content_type=ctype, headers=extra)
        return response, headers, body

    return post
