"""Acceptance 3 and 4 over real HTTP: two portals on 127.0.0.1, each a gunicorn server with its own
PostgreSQL database, Redis database and Celery worker.

Portal A is this test's own database (the Ministry of Foreign Affairs' portal); portal B is a second
database migrated here (the Secretariat of the Cabinet's portal), driven through ``portal_ctl.py``.
A sends to B while B is down (a temporary failure), then again once B is up; B registers one letter
and rejects another, and A's recipient lines show the receipt number and the reason. Then the same
from B to A. Finally a replayed and an altered request reach B over the wire and are refused and logged.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from correspondence.exchange import client
from correspondence.exchange.envelope import envelope_build, envelope_documents
from correspondence.exchange.selectors import agency_by_exchange_id
from correspondence.exchange.signing import generate_keypair, sign_request
from correspondence.models import (
    Channel,
    ExchangeLog,
    ExchangePeer,
    IncomingItem,
    ItemState,
    LetterRecipient,
    RecipientState,
)
from correspondence.models import OutboxMessage
from correspondence.services import letters, receiving
from portal_ctl import make_signed_letter
from signatures import crypto

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
B_DB = "eoffice_exchange_peer_b"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class Portal:
    """The processes of one portal: a web server and a worker, started and stopped by the test."""

    def __init__(self, name: str, env: dict, port: int, logs: Path):
        self.name, self.env, self.port, self.logs = name, env, port, logs
        self.base_url = f"http://127.0.0.1:{port}"
        self.server = self.worker = None

    def _spawn(self, args, label):
        out = open(self.logs / f"{self.name}-{label}.log", "ab")
        return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def start_server(self):
        self.server = self._spawn([sys.executable, "-m", "gunicorn", "eoffice.wsgi:application", "--bind",
                                   f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4",
                                   "--timeout", "60", "--no-control-socket"], "server")

        def up():
            assert self.server.poll() is None, self.log("server")
            try:
                return requests.get(f"{self.base_url}/healthz", timeout=10).status_code in (200, 503)
            except requests.RequestException:
                return False

        _wait(up, 60, f"portal {self.name} to answer")

    def start_worker(self):
        self.worker = self._spawn([sys.executable, "-m", "celery", "-A", "eoffice", "worker", "-P", "threads",
                                   "-c", "2", "-l", "INFO", "--without-gossip", "--without-mingle",
                                   "--without-heartbeat", "-n", f"{self.name}@%h"], "worker")

    def stop(self):
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def log(self, label) -> str:
        path = self.logs / f"{self.name}-{label}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


class Ctl:
    """portal_ctl.py running against portal B's database: one JSON command per line."""

    def __init__(self, env: dict, logs: Path):
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("portal_ctl.py"))], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(logs / "b-ctl.log", "ab"), text=True, encoding="utf-8")
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def __call__(self, cmd: str, **kwargs):
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kwargs}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise AssertionError(f"portal B {cmd}: {answer['error']}: {answer['message']}\n{answer['trace']}")
        return answer["ok"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(15)


def _db_url(name: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def _portal_env(*, db: str, redis_db: int, var: Path, kek: str, secret: str) -> dict:
    var.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "eoffice.settings",
        "DATABASE_URL": _db_url(db),
        "REDIS_URL": os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{redis_db}",
        "EOFFICE_VAR_DIR": str(var),
        "DJANGO_MEDIA_ROOT": str(var / "media"),
        "DJANGO_SECRET_KEY": secret,
        "EOFFICE_KEY_ENCRYPTION_KEY": kek,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "INFO",
        "HEALTHZ_WORKER_TIMEOUT": "0.2",
        # The outbox's backoff in seconds rather than minutes, so a retry happens within the test.
        "EOFFICE_OUTBOX_RETRY_BASE": "1",
        "EOFFICE_OUTBOX_RETRY_MAX": "2",
        "PYTHONPATH": str(ROOT),
    }


@pytest.fixture
def two_portals(tmp_path, settings):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        pytest.skip("needs the PostgreSQL and Redis of scripts/with-services")
    logs = tmp_path / "logs"
    logs.mkdir()
    a_var = tmp_path / "a"
    settings.MEDIA_ROOT = a_var / "media"
    a_env = _portal_env(db=connection.settings_dict["NAME"], redis_db=int(os.environ["REDIS_URL"].rsplit("/", 1)[1]),
                        var=a_var, kek=django_settings.EOFFICE_KEY_ENCRYPTION_KEY, secret=django_settings.SECRET_KEY)
    b_env = _portal_env(db=B_DB, redis_db=1, var=tmp_path / "b", kek=crypto.Fernet.generate_key().decode(),
                        secret="portal-b-" + "x" * 40)

    # Each worker starts from an empty queue: A's broker is the test run's own (earlier tests may have
    # left messages for rows that no longer exist), B's is a database of the same Redis.
    import redis

    from eoffice.celery import app

    app.control.purge()
    redis.Redis.from_url(b_env["REDIS_URL"]).flushdb()

    # Portal B's database: created and migrated in the background while portal A is set up.
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{B_DB}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{B_DB}"')
    migrate = subprocess.Popen([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=b_env,
                               stdout=open(logs / "b-migrate.log", "ab"), stderr=subprocess.STDOUT)

    a = Portal("a", a_env, _free_port(), logs)
    b = Portal("b", b_env, _free_port(), logs)
    a_private, a_public = generate_keypair()
    b_private, b_public = generate_keypair()

    ctl = None
    try:
        call_command("load_reference_data", verbosity=0)
        from agencies.demo import demo_data_load

        settings.EOFFICE_DEMO_DATA = True
        demo_data_load()
        peer_b = ExchangePeer.objects.create(
            name="ระบบสารบรรณ สลค.", base_url=b.base_url, their_key_id="portal-b", their_public_key=b_public,
            our_key_id="portal-a", our_public_key=a_public,
            our_private_key_encrypted=crypto.encrypt(a_private.encode()),
        )
        peer_b.agencies.set([agency_by_exchange_id("นร0500")])
        a.start_worker()
        a.start_server()
        assert migrate.wait(240) == 0, (logs / "b-migrate.log").read_text()
        b.start_worker()
        ctl = Ctl(b_env, logs)
        ctl("setup", peer={"name": "ระบบสารบรรณ กต.", "base_url": a.base_url, "their_key_id": "portal-a",
                           "their_public_key": a_public, "our_key_id": "portal-b", "our_public_key": b_public,
                           "our_private_key": b_private}, hosted=["กต"])
        yield {"a": a, "b": b, "ctl": ctl, "peer_b": peer_b, "a_private": a_private, "logs": logs}
    finally:
        if migrate.poll() is None:
            migrate.kill()
            migrate.wait()
        if ctl is not None:
            ctl.close()
        a.stop()
        b.stop()
        connection.close()
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{B_DB}" WITH (FORCE)')


def _recipient(pk) -> LetterRecipient:
    return LetterRecipient.objects.get(pk=pk)


def test_two_portals_exchange_letters_both_ways_and_refuse_replays(two_portals):
    from django.contrib.auth import get_user_model

    a, b, ctl, peer_b = two_portals["a"], two_portals["b"], two_portals["ctl"], two_portals["peer_b"]
    users = {u.username: u for u in get_user_model().objects.all()}
    ict = agency_by_exchange_id("กต0203")   # ศทส., กระทรวงการต่างประเทศ (on A)
    soc = agency_by_exchange_id("นร0500")   # สำนักเลขาธิการคณะรัฐมนตรี (on B)

    # --- A → B while B is down: a temporary failure, then delivered once B is up -----------------------
    first, first_rec = make_signed_letter(issuing_unit=ict, to_agency=soc, subject="ขอเชิญประชุมคณะทำงาน",
                                          by=users["mfa.drafter"], running=6381)
    second, second_rec = make_signed_letter(issuing_unit=ict, to_agency=soc, subject="ขอส่งรายงานผิดหน่วยงาน",
                                            by=users["mfa.drafter"], running=6382)
    envelope = envelope_build(first, first_rec)
    pdf, attachments = envelope_documents(first)
    with pytest.raises(client.ExchangeTemporaryError):
        client.send_envelope(peer_b, envelope, pdf, attachments, "a-msg-1")
    assert ExchangeLog.objects.filter(direction="out", message_id="a-msg-1", outcome="failed",
                                      code="network").exists()
    # As officials send: through the outbox, whose row retries on A's worker while B is down.
    third, third_rec = make_signed_letter(issuing_unit=ict, to_agency=soc, subject="ขอความอนุเคราะห์ข้อมูล",
                                          by=users["mfa.drafter"], running=6383)
    (row,) = letters.letter_send(third, by=users["mfa.clerk"])
    assert row.channel == "peer"
    _wait(lambda: OutboxMessage.objects.get(pk=row.pk).attempts >= 2, 40, f"outbox retries\n{a.log('worker')}")
    assert OutboxMessage.objects.get(pk=row.pk).state in ("retrying", "sending")
    assert _recipient(third_rec.pk).state == RecipientState.PENDING

    b.start_server()
    _wait(lambda: OutboxMessage.objects.get(pk=row.pk).state == "delivered", 40, f"outbox delivered\n{a.log('worker')}")
    assert _recipient(third_rec.pk).state == RecipientState.DELIVERED
    ack = client.send_envelope(peer_b, envelope, pdf, attachments, "a-msg-1")
    assert ack["status"] == "received" and ack["message_id"] == "a-msg-1"
    pdf2, attachments2 = envelope_documents(second)
    client.send_envelope(peer_b, envelope_build(second, second_rec), pdf2, attachments2, "a-msg-2")

    items = {i["message_id"]: i for i in ctl("items")}
    assert set(items) == {"a-msg-1", "a-msg-2", row.message_id}
    got = items["a-msg-1"]
    assert (got["unit"], got["state"], got["their_number"], got["subject"]) == (
        "สลค.", ItemState.RECEIVED, "กต ๐๒๐๓/๖๓๘๑", "ขอเชิญประชุมคณะทำงาน")
    assert got["has_pdf"] and got["attachments"] == [f"enclosure-{first.pk}.pdf"] and got["urgency"] == 3

    # The same message again (a retry after a lost answer): the same acknowledgement, still one item.
    assert client.send_envelope(peer_b, envelope, pdf, attachments, "a-msg-1") == ack
    assert len(ctl("items")) == 3

    # --- B registers the first and rejects the second: A's recipient lines follow ---------------------
    receipt = ctl("register", message_id="a-msg-1", by="soc.clerk")["receipt_number"]
    assert receipt
    ctl("reject", message_id="a-msg-2", by="soc.clerk", reason="ส่งผิดหน่วยงาน โปรดส่งถึงกระทรวงมหาดไทย")
    _wait(lambda: _recipient(first_rec.pk).state == RecipientState.REGISTERED, 40,
          f"A's recipient registered\n{b.log('worker')}")
    assert _recipient(first_rec.pk).receipt_number == receipt
    _wait(lambda: _recipient(second_rec.pk).state == RecipientState.REJECTED, 40, "A's recipient rejected")
    assert _recipient(second_rec.pk).state_reason == "ส่งผิดหน่วยงาน โปรดส่งถึงกระทรวงมหาดไทย"
    # B's outbox rows are marked sent once A answered (the commit follows A's answer).
    _wait(lambda: [x["status"] for x in ctl("acks") if x["sent"]] == ["registered", "rejected"], 20, "B's acks sent")

    # --- B → A: registered by A's clerk and rejected by A's clerk, B's recipients follow --------------
    sent3 = ctl("send", from_unit="สลค.", to_exchange_id="กต0203", subject="แจ้งมติคณะรัฐมนตรี",
                message_id="b-msg-3", running=101, by="soc.exec")
    sent4 = ctl("send", from_unit="สลค.", to_exchange_id="กต0203", subject="ขอข้อมูลประกอบการพิจารณา",
                message_id="b-msg-4", running=102, by="soc.exec")
    assert sent3["ack"]["status"] == "received"
    third = IncomingItem.objects.get(message_id__endswith=":b-msg-3")
    fourth = IncomingItem.objects.get(message_id__endswith=":b-msg-4")
    assert (third.unit, third.channel, third.sender_agency) == (ict, Channel.PEER, soc)
    assert third.their_number == "นร ๐๕๐๐/๑๐๑" and third.received_attachments.count() == 1
    third, _ = receiving.incoming_register(third, by=users["mfa.clerk"])
    receiving.incoming_reject(fourth, users["mfa.clerk"], "เอกสารแนบไม่ครบ")
    _wait(lambda: ctl("recipient", id=sent3["recipient"])["state"] == RecipientState.REGISTERED, 40,
          f"B's recipient registered\n{a.log('worker')}")
    assert ctl("recipient", id=sent3["recipient"])["receipt_number"] == third.receipt_number
    _wait(lambda: ctl("recipient", id=sent4["recipient"])["state"] == RecipientState.REJECTED, 40,
          "B's recipient rejected")
    assert ctl("recipient", id=sent4["recipient"])["reason"] == "เอกสารแนบไม่ครบ"

    _replayed_and_altered_requests_are_refused(two_portals)


def _replayed_and_altered_requests_are_refused(two_portals):
    """Acceptance 4 on the wire: a request captured and sent again, and one altered in transit."""
    b, ctl, a_private = two_portals["b"], two_portals["ctl"], two_portals["a_private"]
    url = f"{b.base_url}/exchange/v1/acks"
    body = json.dumps({"message_id": "never-sent", "status": "registered", "receipt_number": "9"}).encode()
    headers = sign_request("POST", url, body, key_id="portal-a", private_key_pem=a_private)

    first = requests.post(url, data=body, headers=headers, timeout=10)
    assert first.status_code == 404 and first.json()["error"] == "unknown_message"   # authenticated, then judged
    replay = requests.post(url, data=body, headers=headers, timeout=10)
    assert replay.status_code == 401 and replay.json()["error"] == "replay"

    fresh = sign_request("POST", url, body, key_id="portal-a", private_key_pem=a_private)
    altered = requests.post(url, data=body.replace(b'"9"', b'"8"'), headers=fresh, timeout=10)
    assert altered.status_code == 401 and altered.json()["error"] == "bad_signature"
    fresh = sign_request("POST", url, body, key_id="portal-a", private_key_pem=a_private)
    altered_header = requests.post(url, data=body, headers={**fresh, "Content-Type": "text/plain"}, timeout=10)
    assert altered_header.status_code == 401 and altered_header.json()["error"] == "bad_signature"

    refused = [(r["code"], r["status"], r["key_id"]) for r in ctl("log")
               if r["outcome"] == "refused" and r["direction"] == "in"]
    assert refused == [("unknown_message", 404, "portal-a"), ("replay", 401, "portal-a"),
                       ("bad_signature", 401, "portal-a"), ("bad_signature", 401, "portal-a")]
