"""Gates on the officials' pages: a classified letter's preview asks for the second factor as its page
does, and the list an action returns to is only ever a page of this site."""
import pytest
from django.urls import reverse

from correspondence.models import Channel
from correspondence.services import letters, receiving

pytestmark = pytest.mark.django_db


def test_a_classified_letters_preview_needs_the_second_factor(users, mfa_spec, client, second_factor):
    drafter = users["mfa.drafter"]
    official = drafter.official
    official.clearance = 2
    official.save(update_fields=["clearance"])
    letter = letters.letter_create(by=drafter, content={**mfa_spec, "secrecy": "secret"},
                                   signer=users["mfa.signer"].official)
    client.force_login(drafter)
    url = reverse("portal:letter-preview", args=["external"])
    r = client.post(url, {"letter": letter.pk, "subject": "ตัวอย่าง"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 403 and b"%PDF" not in r.content
    second_factor(client, drafter)
    r = client.post(url, {"letter": letter.pk, "subject": "ตัวอย่าง"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200


@pytest.mark.parametrize("target,kept", [("/incoming/?state=registered", True), ("https://evil.example/phish", False),
                                         ("//evil.example/x", False)])
def test_register_and_route_go_back_only_to_this_site(users, units, client, target, kept):
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ทดสอบ", sender_text="กค")
    client.force_login(clerk)
    r = client.post(reverse("portal:item-register", args=[item.pk]), {"next": target})
    expected = target if kept else reverse("portal:item", args=[item.pk])
    assert r.status_code == 302 and r["Location"] == expected
    r = client.post(reverse("portal:item-route", args=[item.pk]),
                    {"to_units": [units["ภค."].pk], "next": target}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == expected
