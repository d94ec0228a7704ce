"""The running portal for browser tests: a live server on 127.0.0.1, the demo officials, a test PKI
served on loopback (signing credentials and the receiving agency's seal), Debian's Chromium."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in the test thread; the ORM calls made by the test itself
# (setup and checks) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    from signatures.testing import TestPKI

    p = TestPKI(tmp_path_factory.mktemp("pki"))
    p.start()
    yield p
    p.close()


@pytest.fixture
def eager_tasks():
    """Celery tasks run inline in the request that queues them (the app's own conf, as in the signature tests)."""
    from eoffice.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (Makefile SYSTEM_PACKAGES)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def artifacts():
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS

