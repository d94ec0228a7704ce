"""Failures of the servers the portal depends on, with the real servers of scripts/with-services:

* Redis down: /healthz says so (503), pages and the API still serve, a letter sent meanwhile waits in the
  outbox and is queued when Redis is back.
* PostgreSQL restarted while clerks register items: requests during the outage fail cleanly (a 503 with a
  Thai message, at once), the portal recovers by itself, and the registers have no half-registered item
  and no burnt number.
"""
import os
import subprocess
import threading
import time

import pytest
import redis as redis_lib
import requests

from correspondence.models import BookKind, Channel, IncomingItem, ItemState, LetterState, RegisterBook, RegisterEntry
from correspondence.models.delivery import OutboxMessage
from correspondence.services import documents, letters, receiving

from hardening_helpers import api

pytestmark = pytest.mark.services


def _need(*names):
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        pytest.skip(f"run under scripts/with-services ({', '.join(missing)} not set)")


# --- Redis ------------------------------------------------------------------------------------------------------


def _redis_alive(port) -> bool:
    try:
        return redis_lib.Redis(host="127.0.0.1", port=int(port), socket_timeout=0.5).ping()
    except redis_lib.RedisError:
        return False


def _redis_start(port, work):
    subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                    "--daemonize", "yes", "--dir", work, "--logfile", f"{work}/redis.log",
                    "--pidfile", f"{work}/redis.pid"], check=True)
    for _ in range(100):
        if _redis_alive(port):
            return
        time.sleep(0.1)
    raise RuntimeError("redis did not come back")


@pytest.fixture
def redis_down():
    _need("REDIS_PORT", "EOFFICE_SERVICES_DIR", "REDIS_URL")
    port, work = os.environ["REDIS_PORT"], os.environ["EOFFICE_SERVICES_DIR"]
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "shutdown", "nosave"], capture_output=True)
    for _ in range(50):
        if not _redis_alive(port):
            break
        time.sleep(0.1)
    assert not _redis_alive(port)
    started = {"done": False}

    def start():
        _redis_start(port, work)
        started["done"] = True

    yield start
    if not _redis_alive(port):
        _redis_start(port, work)


def _queued_messages(port) -> int:
    r = redis_lib.Redis(host="127.0.0.1", port=int(port))
    return sum(r.llen(k) for k in r.keys("*") if r.type(k) == b"list")


@pytest.mark.django_db
def test_redis_down_the_portal_stays_usable_and_the_outbox_waits(client, users, units, mfa_spec, redis_down,
                                                                  second_factor):
    u = users
    # A signed letter of กต to สลค., ready to send.
    draft = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                  recipients=[{"agency": units["สลค."].pk}], reviewers=[u["mfa.reviewer"].official.pk])
    letters.letter_submit(draft, by=u["mfa.drafter"])
    letters.letter_review(draft, by=u["mfa.reviewer"], approve=True)
    letters.letter_issue(draft, by=u["mfa.clerk"])
    documents.letter_pdf_render(draft, by=u["mfa.clerk"])
    letters.letter_sign(draft, by=u["mfa.signer"])

    # Health: the broker is reported down, quickly, with a non-200 status.
    started = time.monotonic()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["broker"]["ok"] is False
    assert time.monotonic() - started < 15
    # Pages and the API still serve.
    client.force_login(u["soc.clerk"])
    assert client.get("/").status_code == 200
    assert client.get("/incoming/").status_code == 200
    assert api(u["soc.clerk"]).get("/api/v1/items/").status_code == 200
    # Drafting goes on: the live preview (kept in the shared cache) says it cannot show itself, clearly.
    from django.urls import reverse

    from correspondence.views.letters import CACHE_DOWN

    client.force_login(u["mfa.drafter"])
    preview = client.post(reverse("portal:letter-preview", args=["external"]), {
        "subject": "ขอเชิญประชุมหารือ", "salutation": "เรียน", "recipient": "เลขาธิการคณะรัฐมนตรี", "body": "ย่อหน้าแรก",
        "closing": "ขอแสดงความนับถือ", "urgency": "0", "secrecy": "0", "recipients": [units["สลค."].pk],
        "signer": u["mfa.signer"].official.pk}, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and CACHE_DOWN in preview.content.decode()
    client.force_login(u["soc.clerk"])
    item = receiving.incoming_receive(unit=units["สลค."], by=u["soc.clerk"], channel=Channel.SCAN, subject="ระหว่าง Redis ล่ม",
                                      sender_text="กห")
    r = api(u["soc.clerk"]).post(f"/api/v1/items/{item.pk}/register/")
    assert r.status_code == 200 and r.json()["item"]["receipt_number"]
    # Sending: accepted, and waiting in the outbox.
    r = api(u["mfa.clerk"]).post(f"/api/v1/letters/{draft.pk}/send/")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == LetterState.SENT
    waiting = list(OutboxMessage.objects.filter(letter=draft))
    assert waiting and all(m.state == "pending" for m in waiting)


@pytest.mark.django_db
def test_redis_back_the_outbox_is_queued(users, units, mfa_spec, redis_down):
    from correspondence.services import delivery

    u = users
    draft = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                  recipients=[{"agency": units["สลค."].pk}], reviewers=[u["mfa.reviewer"].official.pk])
    letters.letter_submit(draft, by=u["mfa.drafter"])
    letters.letter_review(draft, by=u["mfa.reviewer"], approve=True)
    letters.letter_issue(draft, by=u["mfa.clerk"])
    documents.letter_pdf_render(draft, by=u["mfa.clerk"])
    letters.letter_sign(draft, by=u["mfa.signer"])
    letters.letter_send(draft, by=u["mfa.clerk"])
    rows = list(OutboxMessage.objects.filter(letter=draft))
    assert rows
    # While Redis is down the re-dispatch cannot queue anything, and says nothing went out.
    assert delivery.outbox_dispatch([r.pk for r in rows]) == 0
    redis_down()  # the fixture's callable starts Redis again
    port = os.environ["REDIS_PORT"]
    before = _queued_messages(port)
    assert delivery.outbox_redispatch(grace=0) == len(rows)
    assert _queued_messages(port) == before + len(rows)


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg_ctl(*args):
    cmd = [f"{os.environ['PG_BIN']}/pg_ctl", "-D", os.environ["PG_DATA"], *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def _server_options() -> str:
    """The options the server was started with (address, port, socket directory, settings), for pg_ctl start."""
    import shlex

    words = shlex.split(open(os.path.join(os.environ["PG_DATA"], "postmaster.opts")).read())[1:]
    if "-D" in words:
        i = words.index("-D")
        del words[i:i + 2]
    return shlex.join(words)


@pytest.mark.django_db(transaction=True)
def test_postgres_restart_under_load_fails_cleanly_and_loses_nothing(live_server, users, units):
    _need("PG_BIN", "PG_DATA", "DATABASE_URL")
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from eoffice.middleware import UNAVAILABLE

    soc = units["สลค."]
    token = Token.objects.create(user=users["soc.clerk"]).key
    url = live_server.url + "/api/v1/items/"
    results, stop = [], threading.Event()

    def clerk(n):
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        i = 0
        while not stop.is_set():
            i += 1
            started = time.monotonic()
            try:
                r = session.post(url, data={"unit": soc.pk, "channel": "scan", "subject": f"เรื่อง {n}-{i}",
                                            "sender_text": "กระทรวงกลาโหม"}, timeout=30)
                status, body = r.status_code, r.text
                if r.status_code == 201:
                    r = session.post(f"{url}{r.json()['id']}/register/", timeout=30)
                    status, body = r.status_code, r.text
            except requests.RequestException as exc:
                status, body = "error", repr(exc)
            results.append((time.monotonic(), status, time.monotonic() - started, body[:300]))

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(3)
        options = _server_options()
        down_at = time.monotonic()
        _pg_ctl("stop", "-m", "fast", "-w")
        time.sleep(3)
        _pg_ctl("start", "-w", "-l", os.path.join(os.environ["PG_DATA"], "server.log"), "-o", options)
        up_at = time.monotonic()
        time.sleep(5)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        connections.close_all()  # this thread's connection died with the server

    during = [r for r in results if down_at + 0.5 < r[0] < up_at]
    after = [r for r in results if r[0] > up_at + 2]
    assert during, "requests were made during the outage"
    assert all(r[1] == 503 and UNAVAILABLE in r[3] for r in during), {r[1] for r in during}
    assert max(r[2] for r in during) < 10  # refused at once, not hanging
    assert after and all(r[1] == 200 for r in after), [(round(r[0] - up_at, 1), r[1], r[3][:150]) for r in after][:5]
    # Nothing outside {200, 201, 503}: no 500 at any moment.
    assert {r[1] for r in results} <= {200, 201, 503}, {r[1] for r in results}
    # The register: numbers 1..N without a gap, each with exactly one registered item, and the reverse.
    book = RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING)
    numbers = sorted(RegisterEntry.objects.filter(book=book).values_list("number", flat=True))
    assert numbers == list(range(1, book.last_number + 1)) and numbers
    registered = IncomingItem.objects.filter(unit=soc).exclude(state=ItemState.RECEIVED)
    assert registered.count() == len(numbers)
    assert not registered.filter(register_entries__isnull=True).exists()
    assert not IncomingItem.objects.filter(unit=soc, state=ItemState.RECEIVED, register_entries__isnull=False).exists()
    assert sorted(int(n) for n in registered.values_list("receipt_number", flat=True)) == numbers
