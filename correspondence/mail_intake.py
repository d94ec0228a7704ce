"""The SMTP side of the e-mail intake (aiosmtpd): which recipients it takes, how large a message may be,
and the answer to each message. The work is done by correspondence.services.mail_intake.

Answers: 250 when every recipient unit has its item (new or made before from the same Message-ID); 550
with the reason for an address that is no unit's intake, or a message the portal never takes; 552 for
one too large; 451 when the database or the file store failed: nothing was kept, the sending server
tries again later (and the Message-ID makes the retry one item).
"""
from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from correspondence.services import mail_intake

logger = logging.getLogger("eoffice.mail_intake")

DEFAULT_BIND = "127.0.0.1:2525"
# A PDF travels base64-encoded (4/3 of its size) with the message around it.
_MIME_OVERHEAD = 1024 * 1024


def message_size_limit() -> int:
    """The largest message taken (the SIZE extension; larger ones get 552): room for a PDF of
    EOFFICE_MAX_UPLOAD_BYTES once encoded. Each PDF is then checked against the limit itself."""
    return settings.EOFFICE_MAX_UPLOAD_BYTES * 4 // 3 + _MIME_OVERHEAD


def parse_bind(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:2525`` for IPv6) as (host, port)."""
    host, _, port = (value or DEFAULT_BIND).strip().rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"EOFFICE_MAIL_INTAKE_BIND must be host:port, not {value!r}")
    return host.strip("[]"), int(port)


def _in_thread(fn, *args, **kwargs):
    """Run ``fn`` in a worker thread with a fresh database connection, closed after: a connection that
    broke between two messages must not fail every later one."""

    def job():
        close_old_connections()
        try:
            return fn(*args, **kwargs)
        finally:
            connections.close_all()

    return sync_to_async(job, thread_sensitive=False)()


def _temporary_failure() -> str:
    return mail_intake.smtp_reply(451, "4.3.0", "temporary failure, try again later", mail_intake.TRY_LATER)


class IntakeHandler:
    """aiosmtpd handler: RCPT takes only intake addresses of units that receive; DATA makes the items."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        from correspondence.selectors import intake_unit

        try:
            unit = await _in_thread(intake_unit, address)
        except Exception:
            logger.exception("mail intake: looking up %s failed", address)
            return _temporary_failure()
        if unit is None:
            return mail_intake.smtp_reply(550, "5.1.1", "no such intake mailbox", mail_intake.UNKNOWN_ADDRESS)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            done = await _in_thread(receive, raw, envelope.rcpt_tos, envelope.mail_from or "")
        except mail_intake.MailRefused as exc:
            logger.warning("mail intake: refused a message from %s: %s %s", envelope.mail_from, exc.code, exc.thai)
            return exc.reply()
        except Exception:
            logger.exception("mail intake: a message from %s was not kept; the sender will retry",
                             envelope.mail_from)
            return _temporary_failure()
        return f"250 OK {len(done)} item(s)"


def receive(raw: bytes, recipients: list[str], envelope_sender: str) -> list[int]:
    """One item per recipient unit (a unit named twice, through two of its addresses, gets one). Ids of
    the items. A unit that fails makes the whole message fail: the retry finds the others already made."""
    from correspondence.selectors import intake_unit

    mail = mail_intake.mail_parse(raw, envelope_sender=envelope_sender)
    items, units = [], set()
    for address in recipients:
        unit = intake_unit(address)
        if unit is None:  # removed between RCPT and DATA
            raise mail_intake.MailRefused(550, "5.1.1", "no such intake mailbox", mail_intake.UNKNOWN_ADDRESS)
        if unit.pk in units:
            continue
        units.add(unit.pk)
        item, _ = mail_intake.mail_receive(unit, mail, address=address, envelope_sender=envelope_sender)
        items.append(item.pk)
    return items


def controller(hostname: str, port: int) -> Controller:
    """The intake server (not started): UTF-8 replies for the Thai reasons, the size limit advertised."""
    return Controller(IntakeHandler(), hostname=hostname, port=port, data_size_limit=message_size_limit(),
                      enable_SMTPUTF8=True)
