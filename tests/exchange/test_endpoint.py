"""POST /exchange/v1/letters and /acks inside one portal: what is received, answered, refused and logged."""
import base64
import json
import logging

import pytest
from django.utils import timezone

from correspondence.exchange import client
from correspondence.exchange.envelope import envelope_build, envelope_documents
from correspondence.exchange.selectors import agency_by_exchange_id
from correspondence.exchange.signing import generate_keypair
from correspondence.models import (
    Channel,
    Direction,
    ExchangeAck,
    ExchangeLog,
    ExchangeMessage,
    IncomingItem,
    ItemState,
    RecipientState,
)
from correspondence.services import receiving
from eoffice.levels import Secrecy
from portal_ctl import make_signed_letter

pytestmark = pytest.mark.django_db


def _payload(users, message_id="mfa-1", secrecy=Secrecy.NORMAL, running=6381, sender="กต0203", receiver="นร0500"):
    """A letter of ศทส. (hosted on the peer) to สลค. (here), as the peer's portal would send it."""
    letter, rec = make_signed_letter(issuing_unit=agency_by_exchange_id(sender),
                                     to_agency=agency_by_exchange_id(receiver), subject="ขอเชิญประชุม",
                                     by=users["mfa.drafter"], running=running)
    envelope = envelope_build(letter, rec)
    envelope["secrecy"] = {"code": Secrecy(secrecy).dga_code, "name": Secrecy(secrecy).label}
    pdf, attachments = envelope_documents(letter)
    return {"message_id": message_id, "envelope": envelope,
            "letter": {"name": "letter.pdf", "content": base64.b64encode(pdf).decode()},
            "attachments": [{"name": n, "content": base64.b64encode(d).decode()} for n, d in attachments]}


def _peer_items():
    return IncomingItem.objects.filter(channel=Channel.PEER)


def _refusals(code):
    return ExchangeLog.objects.filter(direction=Direction.IN, outcome="refused", code=code)


def test_a_letter_from_a_peer_lands_in_the_registry_queue(post_signed, users, peer):
    response, _, _ = post_signed("letters", _payload(users))
    assert response.status_code == 200, response.content
    ack = response.json()
    assert (ack["status"], ack["message_id"]) == ("received", "mfa-1")
    item = _peer_items().get()
    soc = agency_by_exchange_id("นร0500")
    assert (item.unit, item.state, item.sender_agency) == (soc, ItemState.RECEIVED, agency_by_exchange_id("กต0203"))
    assert (item.their_number, item.subject, item.urgency) == ("กต ๐๒๐๓/๖๓๘๑", "ขอเชิญประชุม", 3)
    assert item.sender_text == "กระทรวงการต่างประเทศ" and item.received_by is None
    assert item.pdf.read().startswith(b"%PDF-")
    (attachment,) = item.received_attachments.all()
    assert attachment.file.read() == b"%PDF-1.4 enclosure" and attachment.description == "รายละเอียดประกอบ"
    assert ExchangeLog.objects.filter(direction=Direction.IN, outcome="accepted", message_id="mfa-1").count() == 1
    # The clerk registers it as any other item.
    item, _ = receiving.incoming_register(item, by=users["soc.clerk"])
    assert item.receipt_number


def test_the_same_message_twice_is_one_item_and_the_same_ack(post_signed, users):
    payload = _payload(users)
    first, _, _ = post_signed("letters", payload)
    again, _, _ = post_signed("letters", payload)   # a new signature: a retry, not a replay
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert _peer_items().count() == 1
    assert ExchangeLog.objects.filter(message_id="mfa-1", outcome="duplicate").count() == 1


def test_a_replayed_request_is_refused_and_logged(post_signed, users, caplog):
    response, headers, body = post_signed("letters", _payload(users))
    assert response.status_code == 200
    with caplog.at_level(logging.WARNING, logger="eoffice.exchange"):
        replay, _, _ = post_signed("letters", body=body, headers=headers)
    assert replay.status_code == 401 and replay.json()["error"] == "replay"
    assert "ส่งซ้ำ" in replay.json()["message"]
    row = _refusals("replay").get()
    assert (row.key_id, row.status_code, row.message_id) == ("portal-mfa", 401, "mfa-1")
    assert any("refused" in r.getMessage() and "replay" in r.getMessage() for r in caplog.records)
    assert _peer_items().count() == 1


@pytest.mark.parametrize("alter", ["body", "content-type", "signature-input"])
def test_an_altered_request_is_refused_and_logged(post_signed, users, peer, alter):
    from correspondence.exchange.signing import sign_request

    body = json.dumps(_payload(users), ensure_ascii=False).encode()
    headers = sign_request("POST", "http://testserver/exchange/v1/letters", body, key_id="portal-mfa",
                           private_key_pem=peer.test_private_key)
    if alter == "body":
        body = body.replace("ขอเชิญประชุม".encode(), "ขอยกเลิกประชุม".encode())
    elif alter == "content-type":
        headers["Content-Type"] = "text/plain"
    else:
        headers["Signature-Input"] = headers["Signature-Input"].replace("created=", "created=1")
    response, _, _ = post_signed("letters", body=body, headers=headers)
    assert response.status_code == 401, response.content
    assert response.json()["error"] in ("bad_signature", "expired")
    assert not _peer_items().exists()
    row = ExchangeLog.objects.get(direction=Direction.IN, outcome="refused")
    assert row.status_code == 401 and row.key_id == "portal-mfa"


def test_an_unknown_key_and_an_unsigned_request_are_refused(post_signed, users, client):
    stranger, _ = generate_keypair()
    response, _, _ = post_signed("letters", _payload(users), key=stranger, key_id="somebody")
    assert response.status_code == 401 and response.json()["error"] == "unknown_peer"
    unsigned = client.post("/exchange/v1/letters", data=b"{}", content_type="application/json")
    assert unsigned.status_code == 401
    assert _refusals("unknown_peer").count() == 2 and _refusals("unknown_peer").filter(key_id="somebody").exists()
    forged, _, _ = post_signed("letters", _payload(users, message_id="x"), key=stranger)  # right id, wrong key
    assert forged.status_code == 401 and forged.json()["error"] == "bad_signature"
    assert not _peer_items().exists()


def test_top_secret_is_refused_on_receipt_and_on_send(post_signed, users, peer):
    response, _, _ = post_signed("letters", _payload(users, secrecy=Secrecy.TOP_SECRET))
    assert response.status_code == 400 and response.json()["error"] == "top_secret"
    assert "ลับที่สุด" in response.json()["message"]
    assert not _peer_items().exists() and not ExchangeMessage.objects.exists()
    letter, rec = make_signed_letter(issuing_unit=agency_by_exchange_id("นร0500"),
                                     to_agency=agency_by_exchange_id("กต0203"), subject="ลับที่สุด",
                                     by=users["soc.exec"], running=1, secrecy=Secrecy.TOP_SECRET)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        envelope_build(letter, rec)
    with pytest.raises(client.ExchangeRejected) as refused:
        client.send_envelope(peer, {"secrecy": {"code": "004"}}, b"%PDF-", [], "secret-1")
    assert refused.value.code == "top_secret"
    assert not ExchangeLog.objects.filter(direction=Direction.OUT).exists()   # nothing went on the wire


def test_a_confidential_letter_goes_to_the_secret_registrar(post_signed, users):
    response, _, _ = post_signed("letters", _payload(users, secrecy=Secrecy.CONFIDENTIAL))
    assert response.status_code == 200
    item = _peer_items().get()
    from correspondence import permissions

    assert permissions.visible_items(users["soc.secret"]).filter(pk=item.pk).exists()
    assert not permissions.visible_items(users["soc.clerk"]).filter(pk=item.pk).exists()


def test_a_peer_cannot_send_in_the_name_of_an_agency_it_does_not_host(post_signed, users):
    response, _, _ = post_signed("letters", _payload(users, sender="มท0218", running=5))
    assert response.status_code == 403 and response.json()["error"] == "sender_not_hosted"
    response, _, _ = post_signed("letters", _payload(users, message_id="m2", receiver="กต0203", running=6))
    assert response.status_code == 422 and response.json()["error"] == "unknown_receiver"
    assert not _peer_items().exists()


def test_an_invalid_envelope_gets_every_problem_at_once(post_signed, users):
    payload = _payload(users)
    payload["envelope"].update(subject="", urgency={"code": "009"}, date="29/11/2569")
    del payload["envelope"]["receiver"]
    response, _, _ = post_signed("letters", payload)
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "invalid_envelope"
    assert {"subject", "urgency.code", "date", "receiver"} <= set(answer["errors"])
    bad_pdf = _payload(users, message_id="m3", running=7)
    bad_pdf["letter"]["content"] = base64.b64encode(b"not a pdf").decode()
    response, _, _ = post_signed("letters", bad_pdf)
    assert response.status_code == 400 and response.json()["error"] == "invalid_document"
    assert not _peer_items().exists()


def _sent_to_peer(users, peer, message_id):
    """A letter of สลค. sent to ศทส. on the peer, as send_envelope records it."""
    letter, rec = make_signed_letter(issuing_unit=agency_by_exchange_id("นร0500"),
                                     to_agency=agency_by_exchange_id("กต0203"), subject="แจ้งมติ",
                                     by=users["soc.exec"], running=11)
    ExchangeMessage.objects.create(peer=peer, direction=Direction.OUT, message_id=message_id, recipient=rec,
                                   envelope=envelope_build(letter, rec))
    return rec


def test_acks_show_on_the_senders_recipient_lines(post_signed, users, peer):
    registered = _sent_to_peer(users, peer, "soc-1")
    rejected = _sent_to_peer(users, peer, "soc-2")
    response, _, _ = post_signed("acks", {"message_id": "soc-1", "status": "registered", "receipt_number": "๑๒"})
    assert response.status_code == 200, response.content
    response, _, _ = post_signed("acks", {"message_id": "soc-2", "status": "rejected", "reason": "ส่งผิดหน่วยงาน"})
    assert response.status_code == 200
    registered.refresh_from_db()
    rejected.refresh_from_db()
    assert (registered.state, registered.receipt_number) == (RecipientState.REGISTERED, "๑๒")
    assert (rejected.state, rejected.state_reason) == (RecipientState.REJECTED, "ส่งผิดหน่วยงาน")
    again, _, _ = post_signed("acks", {"message_id": "soc-1", "status": "registered", "receipt_number": "๑๒"})
    assert again.status_code == 200 and again.json()["recipient_state"] == RecipientState.REGISTERED
    bad, _, _ = post_signed("acks", {"message_id": "soc-1", "status": "registered"})
    assert bad.status_code == 400 and "receipt_number" in bad.json()["errors"]
    unknown, _, _ = post_signed("acks", {"message_id": "nobody", "status": "rejected", "reason": "x"})
    assert unknown.status_code == 404


def test_registering_or_rejecting_a_peer_item_owes_the_sender_an_ack(post_signed, users, peer,
                                                                    django_capture_on_commit_callbacks):
    post_signed("letters", _payload(users))
    post_signed("letters", _payload(users, message_id="mfa-2", running=6382))
    first = IncomingItem.objects.get(message_id__endswith=":mfa-1")
    second = IncomingItem.objects.get(message_id__endswith=":mfa-2")
    with django_capture_on_commit_callbacks() as callbacks:
        first, _ = receiving.incoming_register(first, by=users["soc.clerk"])
    with django_capture_on_commit_callbacks(execute=True):
        for cb in callbacks:   # the item_registered signal (its own on_commit is executed here)
            cb()
    with django_capture_on_commit_callbacks(execute=True):
        second = receiving.incoming_reject(second, users["soc.clerk"], "ส่งผิดหน่วยงาน")
    assert second.state == ItemState.REJECTED and second.rejected_reason == "ส่งผิดหน่วยงาน"
    acks = {a.status: a for a in ExchangeAck.objects.all()}
    assert acks["registered"].receipt_number == first.receipt_number
    assert acks["rejected"].reason == "ส่งผิดหน่วยงาน"

    # The peer is unreachable (port 9): the attempt is recorded and a later one scheduled.
    from correspondence.exchange import services

    assert services.ack_send(acks["registered"].pk) == "retry"
    row = ExchangeAck.objects.get(pk=acks["registered"].pk)
    assert row.attempts == 1 and row.sent_at is None and row.next_attempt_at > timezone.now()
    assert "ติดต่อ" in row.last_error
    assert services.ack_send(row.pk) == "skipped"   # not due yet: a second task does not send early

    # A lost signal: beat's reconciliation queues the missing row again.
    ExchangeAck.objects.filter(pk=acks["rejected"].pk).delete()
    with django_capture_on_commit_callbacks(execute=False):
        assert services.acks_reconcile() == 1
    assert ExchangeAck.objects.filter(status="rejected", message__item=second).exists()


def test_rejecting_needs_a_reason_and_an_unregistered_item(post_signed, users):
    post_signed("letters", _payload(users))
    item = _peer_items().get()
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        receiving.incoming_reject(item, users["soc.clerk"], "  ")
    with pytest.raises(PermissionDenied):
        receiving.incoming_reject(item, users["mfa.clerk"], "ไม่ใช่หน่วยงานของท่าน")
    item, _ = receiving.incoming_register(item, by=users["soc.clerk"])
    with pytest.raises(ValidationError):
        receiving.incoming_reject(item, users["soc.clerk"], "ช้าไป")


def test_odd_envelopes_are_refused_as_invalid_not_as_server_errors(post_signed, users, client):
    """A peer's software retries a 5xx twelve times: a permanent problem in the envelope must be a 400 the
    first time, with the refusal logged."""
    import copy

    base = _payload(users)
    odd = {
        "m-code-list": lambda p: p["envelope"].__setitem__("secrecy", {"code": []}),
        "m-code-dict": lambda p: p["envelope"].__setitem__("urgency", {"code": {"a": 1}}),
        "m-issuer": lambda p: p["envelope"]["sender"].__setitem__("issuer", "ก" * 600),
        "m-nul": lambda p: p["envelope"].__setitem__("subject", "เรื่อง\x00"),
    }
    for message_id, change in odd.items():
        payload = copy.deepcopy(base)
        payload["message_id"] = message_id
        change(payload)
        response, _, _ = post_signed("letters", payload)
        assert response.status_code == 400 and response.json()["error"] == "invalid_envelope", (message_id, response.content)
    assert _refusals("invalid_envelope").count() == len(odd)
    assert not _peer_items().exists()
    bad_length = client.post("/exchange/v1/letters", data=b"{}", content_type="application/json",
                             headers={"Content-Length": "abc"})
    assert bad_length.status_code in (400, 401)  # never a 500


def test_a_request_from_an_unknown_key_is_refused_before_its_body_is_read(users, client, monkeypatch):
    from correspondence.exchange import views

    read = []
    monkeypatch.setattr(views, "_read_body", lambda request: read.append(1) or b"{}")
    headers = {"Signature-Input": 'sig1=("@method");created=1;keyid="somebody"', "Signature": "sig1=:AAAA:"}
    response = client.post("/exchange/v1/letters", data=b"{}", content_type="application/json", headers=headers)
    assert response.status_code == 401 and response.json()["error"] == "unknown_peer"
    assert read == []


def test_a_letter_to_an_agency_of_a_disabled_peer_waits_for_it_and_never_lands_here(users, units, peer):
    """The only peer unticked for maintenance: its agencies are still on the other portal. The letter goes
    out on the peer channel (failing for now, retried), not into a local registry of the same codes."""
    from correspondence.models import ExchangePeer, IncomingItem, OutboxChannel
    from correspondence.services import letters

    ExchangePeer.objects.update(enabled=False)
    letter, _ = make_signed_letter(issuing_unit=units["สลค."], to_agency=agency_by_exchange_id("กต0203"),
                                   subject="ทดสอบระหว่างปิดปรับปรุง", by=users["soc.clerk"], running=5)
    (row,) = letters.letter_send(letter, by=users["soc.clerk"])
    assert row.channel == OutboxChannel.PEER
    assert not IncomingItem.objects.filter(letter=letter).exists()
