"""Fixtures of the delivery tests: signed letters ready to send, an SMTP server on loopback, and real
Celery worker processes on the test's Redis and PostgreSQL database."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from correspondence.services import letters
from delivery_support import free_port

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.7\n% letter as signed\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def signed_letter(users, mfa_spec, media):
    """A letter of ศทส. through review, numbering and signature, with its PDF, ready to be sent."""

    def make(recipients, *, circular=False, **spec_changes):
        u = users
        letter = letters.letter_create(
            by=u["mfa.drafter"], content={**mfa_spec, **spec_changes}, signer=u["mfa.signer"].official,
            recipients=recipients, reviewers=[u["mfa.reviewer"].official], is_circular=circular,
        )
        letters.letter_submit(letter, by=u["mfa.drafter"])
        letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
        letters.letter_issue(letter, by=u["mfa.clerk"])
        letter.refresh_from_db()
        letter.pdf.save(f"letter-{letter.pk}.pdf", ContentFile(PDF))
        letters.letter_sign(letter, by=u["mfa.signer"])
        letter.refresh_from_db()
        return letter

    return make


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``refuse`` holds addresses answered with 550."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages, self.refuse = [], set()

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in self.refuse:
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    sink.port = port
    yield sink
    controller.stop()


class Workers:
    """Real ``celery worker`` processes (prefork, one child) on the test's Redis and database. Each runs
    in its own process group, so SIGKILL takes the main process and its child together."""

    def __init__(self, tmp_path: Path, media: Path):
        db = connection.settings_dict
        self.env = os.environ.copy()
        self.env.update({
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DJANGO_MEDIA_ROOT": str(media),
            "LOG_LEVEL": "INFO",
        })
        self.tmp_path, self.procs = tmp_path, []

    def start(self, name: str, **env) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        with open(log, "ab") as fh:
            proc = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "celery"), "-A", "eoffice", "worker", "-P", "prefork", "-c", "1",
                 "--without-gossip", "--without-mingle", "-n", f"{name}@delivery-test", "--loglevel", "INFO"],
                cwd=ROOT, env={**self.env, **{k: str(v) for k, v in env.items()}}, stdout=fh,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        proc.log, proc.node = log, f"{name}@delivery-test"
        self.procs.append(proc)
        self._wait_ready(proc)
        return proc

    def _wait_ready(self, proc, seconds=60):
        from eoffice.celery import app

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"worker exited: {proc.log.read_text(errors='replace')[-3000:]}")
            if app.control.ping(destination=[proc.node], timeout=0.5):
                return
        raise AssertionError(f"worker not ready: {proc.log.read_text(errors='replace')[-3000:]}")

    @staticmethod
    def kill(proc) -> None:
        """SIGKILL to the whole worker (main process and pool child), as a crash or the OOM killer would."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def workers(transactional_db, settings, tmp_path, media):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "needs scripts/with-services"
    w = Workers(tmp_path, media)
    yield w
    w.stop_all()
