"""/healthz answers 200 only while the database, the broker and a worker all answer."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from eoffice import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(settings):
    """A real Celery worker process on the same broker as the test settings."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "eoffice", "worker", "--pool", "solo", "-n", "healthz@%h",
         "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wait_for(client, status, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/healthz")
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def _assert_up_then_down(client, worker, settings):
    settings.HEALTHZ_WORKER_TIMEOUT = 1.0
    up = _wait_for(client, 200)
    assert up.status_code == 200, up.content
    body = up.json()
    assert body["status"] == "ok" and body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert "healthz@" in body["worker"]["detail"]

    worker.terminate()
    worker.wait(timeout=20)
    down = _wait_for(client, 503)
    assert down.status_code == 503
    assert down.json()["worker"] == {"ok": False, "detail": "no worker answered"}
    assert down.json()["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_200_with_a_worker_and_503_without(client, worker, settings):
    """PostgreSQL and Redis, as in production."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    _assert_up_then_down(client, worker, settings)


@pytest.mark.sqlite
@pytest.mark.django_db
def test_healthz_on_the_embedded_defaults(client, worker, settings):
    """SQLite and the file-system broker, as `make run` starts them."""
    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    _assert_up_then_down(client, worker, settings)


@pytest.mark.django_db
def test_a_broker_that_is_down_is_reported_without_waiting_for_workers():
    dead = Celery("dead", broker="redis://127.0.0.1:1/0")
    dead.conf.broker_connection_retry_on_startup = False
    healthy, body = health.report(dead)
    assert not healthy
    assert body["broker"]["ok"] is False
    assert body["worker"] == {"ok": False, "detail": "broker down"}
