"""The official's passphrase never reaches the database, the task message, Redis or a log line.

Signs through the real path: signing_job_start in this process, the task on Redis, a real Celery
worker process on the test database. Then searches every text/json/bytea column of every table,
every key in Redis (broker, results, cache), the published task messages, and the logs of both
processes.
"""
import base64
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.db import connection

from correspondence.models import LetterState
from signatures import pades, services
from signatures.models import JobState, LetterSignature, SigningJob
from signatures.testing import SAMPLE_SIGNATURE_BOX, TEST_PASSPHRASE

from sig_portal import (  # noqa: F401 - fixtures
    letter, make_official, media, ministry_settings, official, p12_bytes, p12_credential, read, tree, trust_anchor,
)

ROOT = Path(__file__).resolve().parents[2]
WRONG = "ผิด-wrong-แน่นอน-4242"


def _needles(secret: str) -> list[str]:
    raw = secret.encode("utf-8")
    return [secret, json.dumps(secret), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(),
            raw.hex()]


def _db_hits(secret: str) -> list[str]:
    hits = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea')"
        )
        cols = cur.fetchall()
        assert len(cols) > 100  # every table of the portal, history tables included
        for table, column, dtype in cols:
            for needle in _needles(secret):
                if dtype == "bytea":
                    sql = f'SELECT count(*) FROM "{table}" WHERE position(%s::bytea in "{column}") > 0'
                    cur.execute(sql, [needle.encode("utf-8")])
                else:
                    cur.execute(f'SELECT count(*) FROM "{table}" WHERE strpos("{column}"::text, %s) > 0', [needle])
                if cur.fetchone()[0]:
                    hits.append(f"{table}.{column} ({needle[:12]!r})")
    return hits


def _redis_dump() -> bytes:
    import redis

    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    out = []
    for key in r.scan_iter(count=1000):
        t = r.type(key)
        out.append(key)
        if t == b"string":
            out.append(r.get(key) or b"")
        elif t == b"list":
            out.extend(r.lrange(key, 0, -1))
        elif t == b"hash":
            for k, v in r.hgetall(key).items():
                out += [k, v]
        elif t == b"set":
            out.extend(r.smembers(key))
        elif t == b"zset":
            out.extend(r.zrange(key, 0, -1))
    return b"\n".join(out)


def _found(blob: bytes, secret: str) -> list[str]:
    return [n for n in _needles(secret) if n.encode("utf-8") in blob]


@pytest.fixture
def published():
    """Every task message this process publishes: headers (argsrepr...) and body."""
    seen = []

    def record(sender=None, body=None, headers=None, **kw):
        seen.append({"task": sender, "body": repr(body), "headers": repr(headers)})

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


@pytest.fixture
def worker(settings, tmp_path):
    """A real worker on Redis and the test database, logging at DEBUG to a file we search after."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    db = connection.settings_dict
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EOFFICE_KEY_ENCRYPTION_KEY": settings.EOFFICE_KEY_ENCRYPTION_KEY,
        "LOG_LEVEL": "DEBUG",
    })
    log = tmp_path / "worker.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "eoffice", "worker", "--pool", "solo", "-n", "signing@%h",
             "--without-mingle", "--without-gossip", "--loglevel", "DEBUG"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )
    proc.log = log
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    states = []
    while time.monotonic() < deadline:
        job = SigningJob.objects.get(pk=job_id)
        states.append((job.state, job.progress))
        if job.state in (JobState.DONE, JobState.FAILED):
            return job, states
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {states[-5:]}")


@pytest.mark.django_db(transaction=True)
def test_passphrase_appears_nowhere_after_signing_on_a_real_worker(
    letter, official, p12_credential, ministry_settings, tree, p12_bytes, worker, published, caplog
):
    caplog.set_level(logging.DEBUG)
    box = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)

    # 1. A good passphrase: signed by the worker, progress visible on the job row.
    job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE, box=box)
    # While queued, the secret is only ciphertext on the row; its key only in Redis.
    assert SigningJob.objects.get(pk=job.pk).sealed_secret
    assert not _found(_redis_dump(), TEST_PASSPHRASE)
    job, states = _wait(job.pk)
    assert job.state == JobState.DONE, job.message
    assert job.progress == 100 and "ลงนามเรียบร้อยแล้ว" in job.message
    letter.refresh_from_db()
    assert letter.state == LetterState.SIGNED and LetterSignature.objects.filter(letter=letter).count() == 1

    # 2. A wrong passphrase from a second official: Thai message, letter unchanged.
    second = make_official(tree["division"], "approver", first="สมหญิง", last="รอบคอบ")
    services.credential_pkcs12_add(data=p12_bytes["official"], official=second)
    before = (letter.pdf.name, read(letter.pdf))
    bad = services.signing_job_start(letter=letter, official=second, secret=WRONG)
    bad, _ = _wait(bad.pk)
    assert bad.state == JobState.FAILED and bad.error_code == "wrong_secret"
    assert "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง" in bad.message
    letter.refresh_from_db()
    assert (letter.pdf.name, read(letter.pdf)) == before

    # The task messages carried the job id only.
    sign_msgs = [m for m in published if m["task"] == "signatures.sign_letter"]
    assert len(sign_msgs) == 2
    assert f"[{job.pk}]" in sign_msgs[0]["headers"] or f"({job.pk},)" in sign_msgs[0]["body"]
    time.sleep(0.5)  # let the worker flush its log
    worker_log = worker.log.read_bytes()
    assert b"signatures.sign_letter" in worker_log  # the log really is the worker's, at DEBUG
    test_log = "\n".join(r.getMessage() + " " + repr(r.args) for r in caplog.records).encode("utf-8")

    for secret in (TEST_PASSPHRASE, WRONG):
        assert _db_hits(secret) == [], f"{secret!r} stored in the database"
        assert not _found(_redis_dump(), secret), "secret in Redis"
        assert not any(_found(json.dumps(m, ensure_ascii=False).encode(), secret) for m in published), "in task"
        assert not _found(worker_log, secret), "secret in the worker's log"
        assert not _found(test_log, secret), "secret in this process's log"
    # The per-job keys were used once and deleted.
    assert b"signatures:job-key:" not in _redis_dump()
    assert SigningJob.objects.exclude(sealed_secret="").count() == 0


@pytest.mark.django_db
def test_the_search_would_find_a_stored_secret(official):
    """The search itself works: a secret written to a text column is found."""
    official.position = f"ตำแหน่ง {TEST_PASSPHRASE}"
    official.save()
    assert any(h.startswith("agencies_official.position") for h in _db_hits(TEST_PASSPHRASE))
