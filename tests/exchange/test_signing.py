"""Requests between portals: only an untouched, fresh, first-time request from a known peer passes."""
import datetime as dt

import pytest

from correspondence.exchange.signing import (
    ExchangeAuthError,
    cache_nonce_check,
    generate_keypair,
    sign_request,
    verify_request,
)

URL = "https://saraban.soc.example.go.th/exchange/v1/letters"
BODY = '{"letter_number": "กต ๐๒๐๓/๖๓๘๑", "subject": "การดำเนินงาน"}'.encode()


@pytest.fixture
def keys():
    private, public = generate_keypair()
    return {"private": private, "peers": {"mfa-portal": public}}


@pytest.fixture
def nonce_check():
    from django.core.cache import caches

    cache = caches["default"]
    cache.clear()
    return cache_nonce_check(cache)


def _verify(headers, keys, nonce_check, body=BODY, url=URL, method="POST"):
    return verify_request(method, url, headers, body, public_key_for=keys["peers"].get, nonce_is_new=nonce_check)


def test_a_signed_request_is_accepted_once(keys, nonce_check):
    headers = sign_request("POST", URL, BODY, key_id="mfa-portal", private_key_pem=keys["private"])
    assert "Content-Digest" in headers and "Signature" in headers
    assert _verify(headers, keys, nonce_check) == "mfa-portal"
    with pytest.raises(ExchangeAuthError) as replay:
        _verify(headers, keys, nonce_check)
    assert replay.value.code == "replay" and "ส่งซ้ำ" in replay.value.message


@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY.replace("๖๓๘๑".encode(), "๖๓๘๒".encode())},
        {"url": URL.replace("letters", "acknowledgements")},
        {"method": "PUT"},
    ],
)
def test_an_altered_request_is_refused(keys, nonce_check, change):
    headers = sign_request("POST", URL, BODY, key_id="mfa-portal", private_key_pem=keys["private"])
    with pytest.raises(ExchangeAuthError) as refused:
        _verify(headers, keys, nonce_check, **change)
    assert refused.value.code == "bad_signature"


def test_a_request_signed_by_another_key_is_refused(keys, nonce_check):
    stranger, _ = generate_keypair()
    headers = sign_request("POST", URL, BODY, key_id="mfa-portal", private_key_pem=stranger)
    with pytest.raises(ExchangeAuthError) as refused:
        _verify(headers, keys, nonce_check)
    assert refused.value.code == "bad_signature"


def test_an_unknown_peer_is_refused(keys, nonce_check):
    headers = sign_request("POST", URL, BODY, key_id="somebody-else", private_key_pem=keys["private"])
    with pytest.raises(ExchangeAuthError) as refused:
        _verify(headers, keys, nonce_check)
    assert refused.value.code == "unknown_peer"


def test_an_old_request_is_refused(keys, nonce_check):
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=30)
    headers = sign_request("POST", URL, BODY, key_id="mfa-portal", private_key_pem=keys["private"], now=old)
    with pytest.raises(ExchangeAuthError) as refused:
        _verify(headers, keys, nonce_check)
    assert refused.value.code == "expired"


def test_an_unsigned_request_is_refused(keys, nonce_check):
    with pytest.raises(ExchangeAuthError) as refused:
        _verify({"Content-Type": "application/json"}, keys, nonce_check)
    assert refused.value.code == "unknown_peer"
