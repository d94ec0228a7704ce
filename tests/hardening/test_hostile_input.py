"""Hostile bodies through the API: nested too deeply, NUL characters, huge numbers, wrong types. Each gets
a clear 400 and changes nothing (the generated cases are in test_fuzz_api)."""
import pytest

from correspondence.models import IncomingItem, Letter
from eoffice.middleware import TOO_DEEP

from hardening_helpers import api

pytestmark = pytest.mark.django_db


def counts():
    return Letter.objects.count(), IncomingItem.objects.count()


@pytest.mark.parametrize("url", ["/api/v1/letters/", "/api/v1/items/", "/api/v1/reservations/"])
def test_json_nested_too_deeply_is_a_clear_400(users, url):
    before = counts()
    r = api(users["soc.clerk"]).post(url, data="[" * 100_000, content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": TOO_DEEP}
    r = api(users["soc.clerk"]).post(url, data='{"content": ' + "[" * 50_000 + "]" * 50_000 + "}",
                                     content_type="application/json")
    assert r.status_code == 400
    assert counts() == before


def test_nul_characters_are_refused_not_stored(users, units, mfa_spec):
    before = counts()
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": {**mfa_spec, "subject": "ขอเชิญ\x00ประชุม"}},
                                       format="json")
    assert r.status_code == 400, r.content
    r = api(users["soc.clerk"]).post("/api/v1/items/", {"unit": units["สลค."].pk, "channel": "scan",
                                                        "subject": "ก\x00ข", "sender_text": "ข"}, format="json")
    assert r.status_code == 400 and "subject" in r.json()
    assert counts() == before


def test_huge_numbers_and_wrong_types(users, units, mfa_spec):
    client = api(users["soc.clerk"])
    before = counts()
    r = client.post("/api/v1/items/", data='{"unit": ' + "9" * 5000 + "}", content_type="application/json")
    assert r.status_code == 400
    for body in ({"unit": "สลค."}, {"unit": units["สลค."].pk, "urgency": 10**30, "subject": "ก", "sender_text": "ข"},
                 {"unit": units["สลค."].pk, "secrecy": -1, "subject": "ก", "sender_text": "ข"}):
        r = client.post("/api/v1/items/", body, format="json")
        assert r.status_code in (400, 403), (body, r.status_code)
    drafter = api(users["mfa.drafter"])
    for content in ("not an object", [mfa_spec], {**mfa_spec, "body": {"a": 1}}, {**mfa_spec, "subject": 5}):
        r = drafter.post("/api/v1/letters/", {"content": content}, format="json")
        assert r.status_code == 400, (content, r.status_code)
    assert counts() == before


@pytest.mark.parametrize("url", ["/api/v1/letters/", "/api/v1/items/", "/api/v1/entries/", "/incoming/", "/search/"])
def test_a_nul_character_in_the_query_string_is_a_clear_400(users, url):
    from eoffice.middleware import NUL_IN_QUERY

    r = api(users["soc.clerk"]).get(url, {"q": "ประชุม\x00", "state": "x"})
    assert r.status_code == 400
    body = r.json()["detail"] if url.startswith("/api/") else r.content.decode()
    assert body == NUL_IN_QUERY
