"""The envelope built from a letter and read back, agency ids between portals, the peer hosting an
agency, and the administrator's key set-up."""
import pytest
from django.urls import reverse

from agencies.models import Agency, LetterCode
from correspondence.exchange.envelope import EnvelopeError, envelope_build, envelope_documents, envelope_parse
from correspondence.exchange.selectors import agency_by_exchange_id, agency_exchange_id, peer_for_agency
from correspondence.exchange.signing import sign_request, verify_request
from correspondence.models import ExchangePeer, LetterReference, LetterRecipient
from eoffice.levels import Secrecy, Urgency
from portal_ctl import make_signed_letter
from signatures import crypto

pytestmark = pytest.mark.django_db


def test_agency_ids_between_portals(reference_data):
    ict = Agency.objects.get(short_name="ศทส.")
    assert agency_exchange_id(ict) == "กต0203"
    assert agency_exchange_id(ict.top) == "กต"
    assert agency_by_exchange_id("กต0203") == ict
    assert agency_by_exchange_id("กต ๐๒๐๓") == ict          # Thai digits and spaces as written on letters
    assert agency_by_exchange_id("กต") == ict.top
    # Two ministries both have a unit 0200: the letter code tells them apart.
    assert agency_by_exchange_id("มท0200").top.letter_code() == "มท"
    assert agency_by_exchange_id("กต0200").top == ict.top
    assert agency_by_exchange_id("ทก") == LetterCode.objects.get(code="ทก").agency   # an earlier code
    assert agency_by_exchange_id("กต9999") is None and agency_by_exchange_id("hello") is None


def test_the_peer_hosting_an_agency_is_found_through_the_tree(reference_data):
    ict = Agency.objects.get(short_name="ศทส.")
    section = Agency.objects.get(name="ส่วนนโยบายและยุทธศาสตร์")
    assert peer_for_agency(section) is None   # no peer: everyone is on this portal
    mfa_portal = ExchangePeer.objects.create(name="กต.", base_url="https://mfa.example", their_key_id="mfa")
    mfa_portal.agencies.set([ict.top])
    ict_portal = ExchangePeer.objects.create(name="ศทส.", base_url="https://ict.example", their_key_id="ict",
                                             enabled=False)
    ict_portal.agencies.set([ict])
    assert peer_for_agency(ict.top) == mfa_portal
    assert peer_for_agency(section) == ict_portal          # the nearest listed unit wins, enabled or not
    assert peer_for_agency(Agency.objects.get(short_name="สลค.")) is None


def test_the_envelope_carries_the_exchange_fields_and_reads_back(demo_officials, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ict = Agency.objects.get(short_name="ศทส.")
    soc = Agency.objects.get(short_name="สลค.")
    from django.contrib.auth import get_user_model

    drafter = get_user_model().objects.get(username="mfa.drafter")
    letter, rec = make_signed_letter(issuing_unit=ict, to_agency=soc, subject="การดำเนินงาน", by=drafter,
                                     running=6381, secrecy=Secrecy.CONFIDENTIAL)
    LetterRecipient.objects.create(letter=letter, name="สำนักงบประมาณ", is_copy=True)
    LetterReference.objects.create(letter=letter, order=1, text="หนังสือ สลค. ที่ นร ๐๕๐๓/ว ๑๒๓")
    env = envelope_build(letter, rec)
    assert env["sender"] == {"id": "กต0203", "name": ict.name, "issuer": "กระทรวงการต่างประเทศ"}
    assert env["receiver"] == {"id": "นร0500", "name": soc.name}
    assert (env["number"], env["date"]) == ("กต ๐๒๐๓/๖๓๘๑", letter.issued_on.isoformat())
    assert env["urgency"] == {"code": "004", "name": "ด่วนที่สุด"}
    assert env["secrecy"] == {"code": "002", "name": "ลับ"}
    assert [(r["name"], r["copy"]) for r in env["recipients"]] == [(soc.name, False), ("สำนักงบประมาณ", True)]
    assert env["references"] == [{"text": "หนังสือ สลค. ที่ นร ๐๕๐๓/ว ๑๒๓"}]
    assert env["enclosures"][0]["file"] == f"enclosure-{letter.pk}.pdf"
    pdf, attachments = envelope_documents(letter)
    assert pdf.startswith(b"%PDF-") and attachments == [(f"enclosure-{letter.pk}.pdf", b"%PDF-1.4 enclosure")]

    parsed = envelope_parse(env)
    assert (parsed.sender_id, parsed.receiver_id, parsed.number) == ("กต0203", "นร0500", "กต ๐๒๐๓/๖๓๘๑")
    assert (parsed.urgency, parsed.secrecy, parsed.date) == (Urgency.MOST_URGENT, Secrecy.CONFIDENTIAL,
                                                           letter.issued_on)


def test_a_bad_envelope_names_each_field(reference_data):
    with pytest.raises(EnvelopeError) as bad:
        envelope_parse({"version": "1", "sender": {"id": "กต0203"}, "receiver": "x", "number": "abc",
                        "subject": " ", "date": "2026-13-01", "urgency": {"code": "5"}, "secrecy": {"code": "001"},
                        "deliver_by": "2026-12-01T10:00", "recipients": "all"})
    assert bad.value.code == "invalid_envelope"
    assert {"receiver", "number", "subject", "date", "urgency.code", "deliver_by", "recipients"} <= set(bad.value.errors)
    with pytest.raises(EnvelopeError) as secret:
        envelope_parse({"secrecy": {"code": "004"}})
    assert secret.value.code == "top_secret"
    with pytest.raises(EnvelopeError):
        envelope_parse(["not", "an", "object"])


def test_the_admin_makes_our_key_pair_and_shows_only_the_public_key(admin_client, reference_data, nonces):
    peer = ExchangePeer.objects.create(name="ระบบ กต.", base_url="https://mfa.example", their_key_id="mfa")
    url = reverse("admin:correspondence_exchangepeer_keys", args=[peer.pk])
    # A GET (a link, or a page elsewhere loading the URL) only asks to confirm: no key is made.
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and "csrfmiddlewaretoken" in confirm.content.decode()
    peer.refresh_from_db()
    assert not peer.our_private_key_encrypted and not peer.our_key_id
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    peer.refresh_from_db()
    assert peer.our_key_id.startswith("eoffice-") and "BEGIN PUBLIC KEY" in peer.our_public_key
    assert "PRIVATE" not in peer.our_private_key_encrypted
    page = response.content.decode()
    assert "BEGIN PUBLIC KEY" in page and "PRIVATE KEY" not in page
    # The stored key signs what the public key shown verifies.
    private = crypto.decrypt(peer.our_private_key_encrypted).decode()
    headers = sign_request("POST", "https://mfa.example/exchange/v1/letters", b"{}", key_id=peer.our_key_id,
                           private_key_pem=private)
    assert verify_request("POST", "https://mfa.example/exchange/v1/letters", headers, b"{}",
                          public_key_for={peer.our_key_id: peer.our_public_key}.get,
                          nonce_is_new=lambda *_: True) == peer.our_key_id
    assert peer.history.count() == 2 and not hasattr(peer.history.first(), "our_private_key_encrypted")
