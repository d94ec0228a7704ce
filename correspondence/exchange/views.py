"""The exchange endpoints other portals call (docs/exchange.md). Thin: verify the signed request,
parse JSON, hand over to the services, answer JSON. Every refusal is logged (ExchangeLog)."""
from __future__ import annotations

import json

from django.conf import settings
from django.core.cache import caches
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from correspondence.exchange import services
from correspondence.exchange.selectors import peer_by_key_id
from correspondence.exchange.signing import ExchangeAuthError, _claimed_key_id, SignedMessage, cache_nonce_check, verify_request
from correspondence.models import MessageKind, Outcome


def _max_body() -> int:
    # base64 grows files by a third; the letter and its attachments each stay under the upload limit.
    return getattr(settings, "EOFFICE_EXCHANGE_MAX_BYTES", 4 * settings.EOFFICE_MAX_UPLOAD_BYTES)


def _read_body(request) -> bytes:
    # request.read() rather than request.body: the body may exceed DATA_UPLOAD_MAX_MEMORY_SIZE.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise services.ExchangeRefused(400, "malformed", "ความยาวของคำขอไม่ถูกต้อง") from None
    if length < 0:
        raise services.ExchangeRefused(400, "malformed", "ความยาวของคำขอไม่ถูกต้อง")
    if length > _max_body():
        raise services.ExchangeRefused(413, "too_large", "คำขอใหญ่เกินกำหนด")
    return request.read(length) if length else b""


def _headers(request) -> dict[str, str]:
    return dict(request.headers)


def _claimed_message_id(body: bytes) -> str:
    """For the log only, before anything is verified: the message id the body claims."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return ""
    value = payload.get("message_id") if isinstance(payload, dict) else None
    return value[:128] if isinstance(value, str) else ""


def _handle(request, kind: str, handler):
    remote = request.META.get("REMOTE_ADDR", "")
    key_id = _claimed_key_id(SignedMessage("POST", "", _headers(request))) or ""
    peer = None
    message_id = ""
    try:
        if not key_id or peer_by_key_id(key_id) is None:
            # Nobody we exchange with: refused before the body (up to hundreds of MB) is read or parsed.
            raise services.ExchangeRefused(401, "unknown_peer",
                                           "ไม่รู้จักระบบที่ส่งคำขอนี้ (ไม่มีกุญแจของหน่วยงานผู้ส่งในระบบ)")
        body = _read_body(request)
        message_id = _claimed_message_id(body)
        try:
            peer_key = verify_request(
                request.method, request.build_absolute_uri(), _headers(request), body,
                public_key_for=lambda kid: (p.their_public_key if (p := peer_by_key_id(kid)) else None),
                nonce_is_new=cache_nonce_check(caches["default"]),
            )
        except ExchangeAuthError as exc:
            status = 400 if exc.code == "malformed" else 401
            raise services.ExchangeRefused(status, exc.code, exc.message) from None
        peer = peer_by_key_id(peer_key)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise services.ExchangeRefused(400, "invalid_json", "เนื้อคำขอไม่ใช่ JSON ที่ถูกต้อง") from None
        return JsonResponse(handler(peer, payload, remote_addr=remote), status=200,
                            json_dumps_params={"ensure_ascii": False})
    except services.ExchangeRefused as exc:
        services.log_incoming(kind=kind, outcome=Outcome.REFUSED, peer=peer, key_id=key_id, message_id=message_id,
                              code=exc.code, status=exc.status, detail=exc.message, remote_addr=remote)
        return JsonResponse(exc.body(), status=exc.status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def letters(request):
    """POST /exchange/v1/letters: one letter (envelope + PDF + attachments) from a peer portal."""
    return _handle(request, MessageKind.LETTER, services.letter_receive)


@csrf_exempt
@require_POST
def acks(request):
    """POST /exchange/v1/acks: registered / rejected for a letter this portal sent."""
    return _handle(request, MessageKind.ACK, services.ack_receive)
