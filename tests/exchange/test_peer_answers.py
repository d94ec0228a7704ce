"""What the other portal answers, as the sender reads it: an authentication refusal (a key entered on one
side only, clocks apart) or a proxy's redirect is not the recipient refusing the letter; an answer that does
not echo the acknowledgement does not mark it sent; a "not now" 4xx is retried after the wait it asks for,
and only a real refusal of an acknowledgement waits for the administrator."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from django.utils.http import http_date

from correspondence.exchange import client, services
from correspondence.models import Direction, ExchangeAck, ExchangeMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_portal(peer):
    """A stand-in for the peer on 127.0.0.1 answering what the test sets: (status, JSON body, headers)."""
    answer = {"status": 200, "body": {}, "headers": {}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(answer["body"]).encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer["headers"].items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    peer.base_url = f"http://127.0.0.1:{server.server_port}"
    peer.save(update_fields=["base_url"])
    yield peer, answer
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("status,body", [(401, {"error": "expired", "message": "คำขอหมดอายุ"}),
                                         (401, {"error": "unknown_peer"}), (301, {})])
def test_an_authentication_refusal_or_a_redirect_is_retried_not_a_rejection(other_portal, status, body):
    peer, answer = other_portal
    answer.update(status=status, body=body)
    with pytest.raises(client.ExchangeTemporaryError) as failed:
        client.send_ack(peer, {"message_id": "m-1", "status": "registered"})
    assert "ตรวจสอบกุญแจแลกเปลี่ยนและนาฬิกา" in str(failed.value)


def test_a_real_refusal_stays_a_rejection(other_portal):
    peer, answer = other_portal
    answer.update(status=422, body={"error": "no_registry", "message": "ไม่มีทะเบียนรับ"})
    with pytest.raises(client.ExchangeRejected):
        client.send_ack(peer, {"message_id": "m-1", "status": "registered"})


def test_an_acknowledgement_is_sent_only_when_the_answer_echoes_it(other_portal):
    peer, answer = other_portal
    answer.update(status=200, body={"ok": True})  # a proxy's page, not the sender's portal
    with pytest.raises(client.ExchangeTemporaryError):
        client.send_ack(peer, {"message_id": "m-1", "status": "registered"})
    answer.update(body={"message_id": "m-1", "status": "registered", "recipient_state": "registered"})
    assert client.send_ack(peer, {"message_id": "m-1", "status": "registered"})["message_id"] == "m-1"


@pytest.fixture
def owed_ack(peer):
    """An acknowledgement this portal owes the peer (the sender of message m-1), due now."""
    message = ExchangeMessage.objects.create(peer=peer, direction=Direction.IN, message_id="m-1")
    return ExchangeAck.objects.create(message=message, status="registered", receipt_number="125",
                                      next_attempt_at=timezone.now())


ECHO = {"message_id": "m-1", "status": "registered", "recipient_state": "registered"}


@pytest.mark.parametrize("status", [408, 423, 425, 429, 503])
def test_a_not_now_answer_to_an_ack_is_retried_automatically(other_portal, owed_ack, status):
    peer, answer = other_portal
    answer.update(status=status, body={"error": "busy", "message": "ขอให้รอ"})
    assert services.ack_send(owed_ack.pk) == "retry"
    owed_ack.refresh_from_db()
    assert owed_ack.sent_at is None and owed_ack.next_attempt_at > timezone.now()
    assert f"HTTP {status}" in owed_ack.last_error
    # Once the sender's portal takes it, the due attempt (beat's or the task's) sends it: no administrator.
    ExchangeAck.objects.filter(pk=owed_ack.pk).update(next_attempt_at=timezone.now())
    answer.update(status=200, body=ECHO)
    assert services.ack_send(owed_ack.pk) == "sent"


@pytest.mark.parametrize("retry_after", ["600", "date"])
def test_an_ack_waits_as_long_as_the_sender_asks(other_portal, owed_ack, retry_after):
    peer, answer = other_portal
    value = http_date((timezone.now() + dt.timedelta(seconds=660)).timestamp()) if retry_after == "date" else "600"
    answer.update(status=429, body={}, headers={"Retry-After": value})
    before = timezone.now()
    assert services.ack_send(owed_ack.pk) == "retry"
    owed_ack.refresh_from_db()
    assert owed_ack.next_attempt_at >= before + dt.timedelta(seconds=590)
    assert services.ack_send(owed_ack.pk) == "skipped"  # not before the time the sender asked for


def test_a_letter_sent_to_a_busy_portal_carries_its_retry_after(other_portal):
    peer, answer = other_portal
    answer.update(status=503, body={}, headers={"Retry-After": "120"})
    with pytest.raises(client.ExchangeTemporaryError) as failed:
        client.send_envelope(peer, {"subject": "ทดสอบ"}, b"%PDF-1.4", [], "m-2")
    assert failed.value.retry_after == 120


@pytest.mark.parametrize("status,code", [(400, "invalid_ack"), (404, "unknown_message"), (422, "no_registry")])
def test_a_real_refusal_of_an_ack_waits_for_the_administrators_send_again(other_portal, owed_ack, status, code):
    peer, answer = other_portal
    answer.update(status=status, body={"error": code, "message": "ปฏิเสธ"})
    assert services.ack_send(owed_ack.pk) == "refused"
    owed_ack.refresh_from_db()
    assert owed_ack.sent_at is None and owed_ack.next_attempt_at is None
    assert owed_ack.last_error == f"HTTP {status} {code}: ปฏิเสธ"
    assert services.acks_dispatch()["dispatched"] == 0  # beat leaves it alone
    # The cause fixed on the other side, the administrator sends it again.
    answer.update(status=200, body=ECHO)
    assert services.acks_send_again(ExchangeAck.objects.filter(pk=owed_ack.pk)) == 1
    assert services.ack_send(owed_ack.pk) == "sent"


def test_an_ack_the_sender_already_holds_counts_as_sent(other_portal, owed_ack):
    peer, answer = other_portal
    answer.update(status=409, body={"error": "already_acknowledged", "message": "ได้รับการตอบรับแล้ว"})
    assert services.ack_send(owed_ack.pk) == "sent"
    owed_ack.refresh_from_db()
    assert owed_ack.sent_at is not None and owed_ack.next_attempt_at is None
    assert owed_ack.last_error.startswith("HTTP 409 already_acknowledged")


def test_a_long_wait_is_left_to_beat_not_to_a_task_countdown(other_portal, owed_ack, settings, monkeypatch):
    """As with the outbox: no long ETA in the broker (Redis would deliver it twice); beat's dispatch sends it
    when it is due."""
    from correspondence.exchange import tasks

    settings.EOFFICE_OUTBOX_COUNTDOWN_MAX = 300
    peer, answer = other_portal
    answer.update(status=429, body={}, headers={"Retry-After": "900"})
    retried = []
    monkeypatch.setattr(tasks.send_ack_job, "retry", lambda **kw: retried.append(kw) or Exception("retry"))
    assert tasks.send_ack_job.run(owed_ack.pk) == "retry" and retried == []
    answer.update(headers={"Retry-After": "20"})
    ExchangeAck.objects.filter(pk=owed_ack.pk).update(next_attempt_at=timezone.now())
    with pytest.raises(Exception, match="retry"):
        tasks.send_ack_job.run(owed_ack.pk)
    assert 1 <= retried[0]["countdown"] <= 300


def test_an_ack_gives_up_after_the_outboxs_attempts_and_waits_for_send_again(other_portal, owed_ack, settings):
    """Like a letter in the outbox: a peer that stays unreachable does not keep the row retrying for ever;
    it ends as a refused one does (no next attempt, its error kept), and "send again" restarts it."""
    settings.EOFFICE_OUTBOX_MAX_ATTEMPTS = 3
    peer, answer = other_portal
    answer.update(status=503, body={"error": "busy", "message": "ขอให้รอ"})
    for _ in range(2):
        assert services.ack_send(owed_ack.pk) == "retry"
        ExchangeAck.objects.filter(pk=owed_ack.pk).update(next_attempt_at=timezone.now())
    assert services.ack_send(owed_ack.pk) == "given_up"
    owed_ack.refresh_from_db()
    assert owed_ack.attempts == 3 and owed_ack.sent_at is None and owed_ack.next_attempt_at is None
    assert "เลิกส่งหลังพยายาม 3 ครั้ง" in owed_ack.last_error and "HTTP 503" in owed_ack.last_error
    assert services.acks_dispatch()["dispatched"] == 0  # beat leaves it alone
    assert services.ack_send(owed_ack.pk) == "skipped"
    # The peer back, the administrator's "send again" gives it a full set of attempts.
    assert services.acks_send_again(ExchangeAck.objects.filter(pk=owed_ack.pk)) == 1
    assert services.ack_send(owed_ack.pk) == "retry"  # still down at first: not given up on the next failure
    owed_ack.refresh_from_db()
    assert owed_ack.attempts == 1 and owed_ack.next_attempt_at is not None
    ExchangeAck.objects.filter(pk=owed_ack.pk).update(next_attempt_at=timezone.now())
    answer.update(status=200, body=ECHO)
    assert services.ack_send(owed_ack.pk) == "sent"


def test_the_admins_send_again_restarts_an_ack_given_up(other_portal, owed_ack, settings, admin_client):
    settings.EOFFICE_OUTBOX_MAX_ATTEMPTS = 1
    peer, answer = other_portal
    answer.update(status=502, body={})
    assert services.ack_send(owed_ack.pk) == "given_up"
    page = admin_client.get("/admin/correspondence/exchangeack/")
    assert "เลิกส่งหลังพยายาม 1 ครั้ง" in page.content.decode()
    response = admin_client.post("/admin/correspondence/exchangeack/",
                                 {"action": "send_again", "_selected_action": [owed_ack.pk]})
    assert response.status_code == 302
    owed_ack.refresh_from_db()
    assert owed_ack.attempts == 0 and owed_ack.next_attempt_at is not None
    answer.update(status=200, body=ECHO)
    assert services.ack_send(owed_ack.pk) == "sent"
