"""To another portal: the envelope of the domain notes §8, the signed PDF and the attachments, sent by
``correspondence.exchange.client.send_envelope`` with the row's message id (the receiver answers a
repeat with the acknowledgement it gave the first time).

A small adapter: the exchange modules are imported lazily, so a portal without them (or without a
peer for the agency) delivers inside the portal instead.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError

from correspondence.delivery import Delivered, PermanentFailure, TemporaryFailure, pause_hook
from correspondence.models import OutboxMessage


def peer_for(agency):
    """The peer portal hosting ``agency``'s registry, or None (this portal, or no exchange configured)."""
    if agency is None:
        return None
    try:
        from correspondence.exchange.selectors import peer_for_agency
    except ImportError:
        return None
    return peer_for_agency(agency)


def deliver(row: OutboxMessage) -> Delivered:
    try:
        from correspondence.exchange import client
        from correspondence.exchange.envelope import envelope_build, envelope_documents
    except ImportError as exc:
        raise TemporaryFailure("ส่วนแลกเปลี่ยนหนังสือระหว่างระบบยังไม่พร้อมใช้งาน") from exc
    peer = peer_for(row.recipient.agency)
    if peer is None:
        raise PermanentFailure("ไม่พบระบบสารบรรณปลายทางของส่วนราชการผู้รับ")
    try:
        envelope = envelope_build(row.letter, row.recipient)
        pdf, attachments = envelope_documents(row.letter)
    except ValidationError as exc:
        raise PermanentFailure(" ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
    pause_hook(row)
    try:
        ack = client.send_envelope(peer, envelope, pdf, attachments, row.message_id) or {}
    except client.ExchangeRejected as exc:
        raise PermanentFailure(getattr(exc, "reason", "") or str(exc), rejected=True) from exc
    except client.ExchangeTemporaryError as exc:
        raise TemporaryFailure(str(exc) or "ระบบปลายทางไม่ตอบสนอง", retry_after=exc.retry_after) from exc
    return Delivered(status=ack.get("status") or "received",
                     receipt_number=str(ack.get("receipt_number") or ""), detail={"peer": peer.pk})
