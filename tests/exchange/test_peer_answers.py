"""What the other portal answers, as the sender reads it: an authentication refusal (a key entered on one
side only, clocks apart) or a proxy's redirect is not the recipient refusing the letter; an answer that does
not echo the acknowledgement does not mark it sent."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from correspondence.exchange import client

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_portal(peer):
    """A stand-in for the peer on 127.0.0.1 answering what the test sets: (status, JSON body)."""
    answer = {"status": 200, "body": {}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(answer["body"]).encode()
            self.send_response(answer["status"])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
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
