"""Sending to another portal: signed JSON requests (docs/exchange.md).

``send_envelope`` is what the delivery outbox calls for a recipient hosted on a peer portal. Its
errors say what the caller should do: ``ExchangeTemporaryError`` → retry later (network, timeout,
5xx, the 4xx of ``TEMPORARY_STATUSES``, 401 and redirects), after the peer's Retry-After if it gave one;
``ExchangeRejected`` → permanent, the receiver's reason is shown to the sender.
"""
from __future__ import annotations

import base64
import json
import logging
import time

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.http import parse_http_date

from correspondence.exchange.signing import sign_request
from correspondence.models import Direction, ExchangeLog, ExchangeMessage, ExchangePeer, LetterRecipient, MessageKind, Outcome
from eoffice.levels import Secrecy
from signatures import crypto

logger = logging.getLogger("eoffice.exchange")

CONNECT_TIMEOUT = 5
# 4xx that say "not now" rather than "no": timeout, locked, too early, too many requests.
TEMPORARY_STATUSES = frozenset({408, 423, 425, 429})


class ExchangeError(Exception):
    pass


class ExchangeTemporaryError(ExchangeError):
    """Try again later: the peer could not be reached or failed on its side. ``retry_after``: the seconds
    the peer asked to wait, if it said."""

    def __init__(self, message: str = "", *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ExchangeRejected(ExchangeError):
    """The peer refused the request for good; ``reason`` is its (Thai) message."""

    def __init__(self, reason: str, *, code: str = "", status: int | None = None, errors: dict | None = None):
        super().__init__(reason)
        self.reason, self.code, self.status, self.errors = reason, code, status, errors or {}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _retry_after(response) -> float | None:
    """The Retry-After header in seconds (it is either a number of seconds or an HTTP date); None if absent
    or unreadable."""
    value = (response.headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parse_http_date(value) - time.time()) if value else None
    except ValueError:
        return None


def _log(peer, kind, message_id, outcome, code="", status=None, detail=""):
    ExchangeLog.objects.create(direction=Direction.OUT, kind=kind, peer=peer, key_id=peer.our_key_id,
                               message_id=message_id[:128], outcome=outcome, code=code[:32], status_code=status,
                               detail=detail[:4000])


def _post(peer: ExchangePeer, path: str, payload: dict, *, kind: str, message_id: str) -> dict:
    if not peer.enabled:
        # Switched off by an administrator (maintenance, key change): try again later.
        raise ExchangeTemporaryError(f"{peer.name}ถูกปิดการใช้งานในระบบนี้ชั่วคราว")
    if not peer.our_private_key_encrypted or not peer.our_key_id:
        raise ExchangeRejected("ยังไม่ได้สร้างกุญแจของระบบนี้สำหรับระบบปลายทาง", code="no_key")
    url = peer.url(path)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    private = crypto.decrypt(peer.our_private_key_encrypted).decode("ascii")
    headers = sign_request("POST", url, body, key_id=peer.our_key_id, private_key_pem=private)
    headers["Accept"] = "application/json"
    timeout = (CONNECT_TIMEOUT, getattr(settings, "EOFFICE_EXCHANGE_TIMEOUT", 60))
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        _log(peer, kind, message_id, Outcome.FAILED, code="network", detail=str(exc))
        logger.warning("exchange %s to %s failed: %s", kind, peer, exc)
        raise ExchangeTemporaryError(f"ติดต่อ{peer.name}ไม่ได้: {exc.__class__.__name__}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if not isinstance(answer, dict):
        answer = {}
    status = response.status_code
    if status >= 500 or status in TEMPORARY_STATUSES:
        code = "server_error" if status >= 500 else (answer.get("error") or "busy")
        _log(peer, kind, message_id, Outcome.FAILED, code=code, status=status, detail=response.text[:2000])
        raise ExchangeTemporaryError(f"{peer.name}ตอบข้อผิดพลาด HTTP {status}", retry_after=_retry_after(response))
    if status == 401 or 300 <= status < 400:
        # Not the receiver refusing the letter: our key or clock as it sees them (unknown key, a signature
        # that does not verify, a request too old) or a proxy redirecting. Retried, with the reason for
        # the administrator, instead of marking the recipient as having refused.
        code = answer.get("error") or ("redirect" if status < 400 else "auth")
        _log(peer, kind, message_id, Outcome.FAILED, code=code, status=status, detail=response.text[:2000])
        raise ExchangeTemporaryError(f"{peer.name}ไม่ยอมรับการยืนยันตัวตนของคำขอ (HTTP {status} {code}) "
                                     "ตรวจสอบกุญแจแลกเปลี่ยนและนาฬิกาของทั้งสองระบบ")
    if status >= 300:
        reason = answer.get("message") or f"{peer.name}ปฏิเสธคำขอ (HTTP {status})"
        code = answer.get("error") or ""
        _log(peer, kind, message_id, Outcome.REFUSED, code=code, status=status, detail=response.text[:2000])
        raise ExchangeRejected(reason, code=code, status=status, errors=answer.get("errors"))
    _log(peer, kind, message_id, Outcome.SENT, status=status)
    return answer


def _record_outgoing(peer: ExchangePeer, envelope: dict, message_id: str) -> ExchangeMessage:
    """The sent message, so that later acknowledgements find their recipient line."""
    ref = envelope.get("sender_ref") or {}
    recipient = LetterRecipient.objects.filter(pk=ref.get("recipient")).first() if ref.get("recipient") else None
    try:
        with transaction.atomic():
            message, _ = ExchangeMessage.objects.get_or_create(
                peer=peer, direction=Direction.OUT, message_id=message_id,
                defaults={"recipient": recipient, "envelope": envelope},
            )
    except IntegrityError:
        message = ExchangeMessage.objects.get(peer=peer, direction=Direction.OUT, message_id=message_id)
    return message


def send_envelope(peer: ExchangePeer, envelope: dict, pdf: bytes, attachments: list[tuple[str, bytes]],
                  message_id: str) -> dict:
    """Deliver one letter to ``peer``; returns the receiver's acknowledgement (``status`` ``received``).
    Sending the same ``message_id`` again is safe: the receiver answers with the same acknowledgement."""
    if not message_id or len(message_id) > 128:
        raise ExchangeRejected("รหัสข้อความต้องมีความยาว 1–128 ตัวอักษร", code="bad_message_id")
    secrecy = (envelope.get("secrecy") or {}).get("code")
    if secrecy == Secrecy.TOP_SECRET.dga_code:
        from correspondence.services.letters import TOP_SECRET_REFUSAL

        raise ExchangeRejected(TOP_SECRET_REFUSAL, code="top_secret")
    message = _record_outgoing(peer, envelope, message_id)
    payload = {
        "message_id": message_id,
        "envelope": envelope,
        "letter": {"name": "letter.pdf", "content": _b64(pdf)},
        "attachments": [{"name": name, "content": _b64(data)} for name, data in attachments],
    }
    ack = _post(peer, "letters", payload, kind=MessageKind.LETTER, message_id=message_id)
    if ack.get("status") != "received" or ack.get("message_id") != message_id:
        _log(peer, MessageKind.LETTER, message_id, Outcome.FAILED, code="bad_ack", detail=json.dumps(ack)[:2000])
        raise ExchangeTemporaryError(f"{peer.name}ตอบรับไม่ถูกต้องตามรูปแบบ")
    message.ack = ack
    message.save(update_fields=["ack"])
    return ack


def send_ack(peer: ExchangePeer, payload: dict) -> dict:
    """An acknowledgement (registered / rejected) to the sender's portal. Sent only when the answer echoes
    it: a proxy or a wrong host answering 200 must not mark it sent for good."""
    message_id = payload.get("message_id") or ""
    answer = _post(peer, "acks", payload, kind=MessageKind.ACK, message_id=message_id)
    if answer.get("message_id") != message_id or answer.get("status") != payload.get("status"):
        _log(peer, MessageKind.ACK, message_id, Outcome.FAILED, code="bad_answer", detail=json.dumps(answer)[:2000])
        raise ExchangeTemporaryError(f"{peer.name}ตอบรับการแจ้งผลไม่ถูกต้องตามรูปแบบ")
    return answer
