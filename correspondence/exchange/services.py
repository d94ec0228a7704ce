"""Writes of the portal-to-portal exchange: keys, letters received from a peer, acknowledgements
received and owed (docs/exchange.md)."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from correspondence import permissions
from correspondence.exchange import client
from correspondence.exchange.envelope import EnvelopeError, envelope_parse, sha256
from correspondence.exchange.selectors import agency_by_exchange_id, hosted_by, peer_for_agency
from correspondence.exchange.signing import generate_keypair
from correspondence.models import (
    AckStatus,
    Channel,
    Direction,
    ExchangeAck,
    ExchangeLog,
    ExchangeMessage,
    ExchangePeer,
    IncomingItem,
    ItemState,
    MessageKind,
    Outcome,
    ReceivedAttachment,
    RecipientState,
)
from signatures import crypto

logger = logging.getLogger("eoffice.exchange")

MAX_ATTACHMENTS = 50
_SAFE_NAME = re.compile(r"[^\w.\-ก-๙ ]+")


class ExchangeRefused(Exception):
    """A request this portal refuses: HTTP ``status`` and a structured body for the sender."""

    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def body(self) -> dict:
        out = {"error": self.code, "message": self.message}
        if self.errors:
            out["errors"] = self.errors
        return out


def log_incoming(*, kind: str, outcome: str, peer=None, key_id: str = "", message_id: str = "", code: str = "",
                 status: int | None = None, detail: str = "", remote_addr: str = "") -> ExchangeLog:
    row = ExchangeLog.objects.create(direction=Direction.IN, kind=kind, peer=peer, key_id=key_id[:128],
                                     message_id=(message_id or "")[:128], outcome=outcome, code=code[:32],
                                     status_code=status, detail=detail[:4000], remote_addr=remote_addr[:64])
    level = logging.WARNING if outcome == Outcome.REFUSED else logging.INFO
    logger.log(level, "exchange in %s %s peer=%s key=%s message=%s code=%s status=%s",
               kind, outcome, peer.pk if peer else None, key_id, message_id, code, status)
    return row


# --- keys ------------------------------------------------------------------------------------------------------


def peer_keys_generate(peer: ExchangePeer, *, by=None) -> ExchangePeer:
    """A new Ed25519 key pair for talking to ``peer``: the private key is stored encrypted, the public
    key is shown to the administrator to hand to the peer's administrator."""
    private, public = generate_keypair()
    peer.our_key_id = peer.our_key_id or f"eoffice-{secrets.token_hex(6)}"
    peer.our_public_key = public
    peer.our_private_key_encrypted = crypto.encrypt(private.encode("ascii"))
    peer._history_user = by
    peer.save()
    return peer


# --- letters received ----------------------------------------------------------------------------------------


def _message_id(payload: dict) -> str:
    message_id = payload.get("message_id")
    if not isinstance(message_id, str) or not 0 < len(message_id) <= 128:
        raise ExchangeRefused(400, "bad_message_id", "รหัสข้อความ (message_id) ต้องเป็นข้อความยาว 1–128 ตัวอักษร")
    return message_id


def _decode(doc, label: str) -> tuple[str, bytes]:
    if not isinstance(doc, dict) or not isinstance(doc.get("content"), str):
        raise ExchangeRefused(400, "invalid_document", f"ไม่มีเนื้อไฟล์{label}")
    try:
        data = base64.b64decode(doc["content"], validate=True)
    except (binascii.Error, ValueError):
        raise ExchangeRefused(400, "invalid_document", f"เนื้อไฟล์{label}ไม่ใช่ base64 ที่ถูกต้อง") from None
    if len(data) > settings.EOFFICE_MAX_UPLOAD_BYTES:
        raise ExchangeRefused(413, "too_large", f"ไฟล์{label}ใหญ่เกินกำหนด")
    name = _SAFE_NAME.sub("_", str(doc.get("name") or "file"))[:200] or "file"
    return name, data


def _existing_ack(peer: ExchangePeer, message_id: str) -> dict | None:
    message = ExchangeMessage.objects.filter(peer=peer, direction=Direction.IN, message_id=message_id).first()
    return message.ack if message else None


def letter_receive(peer: ExchangePeer, payload, *, remote_addr: str = "") -> dict:
    """A letter from ``peer`` (whose signed request was verified): one incoming item in the registry of
    the receiving agency, answered ``received``. A message already received gets its first answer."""
    if not isinstance(payload, dict):
        raise ExchangeRefused(400, "invalid_json", "เนื้อคำขอต้องเป็นออบเจกต์ JSON")
    message_id = _message_id(payload)
    ack = _existing_ack(peer, message_id)
    if ack is not None:
        log_incoming(kind=MessageKind.LETTER, outcome=Outcome.DUPLICATE, peer=peer, key_id=peer.their_key_id,
                     message_id=message_id, status=200, remote_addr=remote_addr)
        return ack
    try:
        env = envelope_parse(payload.get("envelope"))
    except EnvelopeError as exc:
        raise ExchangeRefused(400, exc.code, "ซองหนังสือไม่ถูกต้อง" if exc.code != "top_secret"
                              else exc.errors["secrecy"][0], exc.errors) from None
    _, pdf = _decode(payload.get("letter"), "หนังสือ")
    if not pdf.startswith(b"%PDF-"):
        raise ExchangeRefused(400, "invalid_document", "ไฟล์หนังสือต้องเป็น PDF")
    raw_attachments = payload.get("attachments") or []
    if not isinstance(raw_attachments, list) or len(raw_attachments) > MAX_ATTACHMENTS:
        raise ExchangeRefused(400, "invalid_document", f"สิ่งที่ส่งมาด้วยต้องเป็นรายการไม่เกิน {MAX_ATTACHMENTS} ไฟล์")
    attachments = [_decode(doc, f"สิ่งที่ส่งมาด้วยลำดับที่ {i + 1}") for i, doc in enumerate(raw_attachments)]

    sender = agency_by_exchange_id(env.sender_id, env.sender_name)
    if sender is None or not hosted_by(peer, sender):
        raise ExchangeRefused(403, "sender_not_hosted",
                              f"ส่วนราชการผู้ส่ง ({env.sender_id or env.sender_name}) ไม่ได้กำหนดไว้ว่าใช้{peer.name}")
    receiver = agency_by_exchange_id(env.receiver_id, env.receiver_name)
    if receiver is None or peer_for_agency(receiver) is not None:
        raise ExchangeRefused(422, "unknown_receiver",
                              f"ไม่มีส่วนราชการผู้รับ ({env.receiver_id or env.receiver_name}) ในระบบนี้")
    try:
        unit = permissions.registry_unit(receiver)
    except PermissionDenied as exc:
        raise ExchangeRefused(422, "no_registry", str(exc)) from None

    from correspondence.services.receiving import incoming_receive

    try:
        with transaction.atomic():
            message = ExchangeMessage.objects.create(peer=peer, direction=Direction.IN, message_id=message_id,
                                                     envelope=payload.get("envelope"))
            item = incoming_receive(
                unit=unit, by=None, channel=Channel.PEER, subject=env.subject,
                sender_text=env.issuer or env.sender_name or sender.name, their_number=env.number,
                dated=env.date, sender_agency=sender, addressee=env.addressee, urgency=env.urgency,
                secrecy=env.secrecy, deliver_by=env.deliver_by, pdf=ContentFile(pdf, name="letter.pdf"),
                message_id=f"peer-{peer.pk}:{message_id}"[:128],
            )
            descriptions = {str(e.get("file") or ""): e for e in env.enclosures}
            for order, (name, data) in enumerate(attachments):
                described = descriptions.get(name) or {}
                row = ReceivedAttachment(item=item, order=order, name=name, sha256=sha256(data),
                                         description=str(described.get("description") or "")[:500])
                row.file.save(name, ContentFile(data), save=False)
                row.save()
            ack = {"message_id": message_id, "status": AckStatus.RECEIVED.value,
                   "received_at": item.received_at.isoformat(),
                   "receiver": {"id": env.receiver_id, "name": unit.name}}
            message.item, message.ack = item, ack
            message.save(update_fields=["item", "ack"])
    except IntegrityError:
        # The same message arriving twice at once: the first one's answer, once it committed.
        ack = _existing_ack(peer, message_id)
        if ack is None:
            raise
        log_incoming(kind=MessageKind.LETTER, outcome=Outcome.DUPLICATE, peer=peer, key_id=peer.their_key_id,
                     message_id=message_id, status=200, remote_addr=remote_addr)
        return ack
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"envelope": exc.messages}
        code = "top_secret" if "secrecy" in errors else "invalid_envelope"
        raise ExchangeRefused(400, code, "ซองหนังสือไม่ถูกต้อง", errors) from None
    except DataError:
        # A value the database cannot store (too long, a NUL character): the sender's problem, not a retry.
        raise ExchangeRefused(400, "invalid_envelope", "ซองหนังสือไม่ถูกต้อง",
                              {"envelope": ["มีข้อความยาวเกินกำหนดหรือมีอักขระที่ไม่อนุญาต"]}) from None
    log_incoming(kind=MessageKind.LETTER, outcome=Outcome.ACCEPTED, peer=peer, key_id=peer.their_key_id,
                 message_id=message_id, status=200, remote_addr=remote_addr)
    return ack


# --- acknowledgements received (we are the sender) ------------------------------------------------------------

_APPLIES_FROM = (RecipientState.PENDING, RecipientState.DELIVERED, RecipientState.UNDELIVERABLE)


def ack_receive(peer: ExchangePeer, payload, *, remote_addr: str = "") -> dict:
    """``registered`` (with the receiver's receipt number) or ``rejected`` (with its reason) for a
    letter we sent: the recipient line shows it. Receiving the same answer again changes nothing."""
    if not isinstance(payload, dict):
        raise ExchangeRefused(400, "invalid_json", "เนื้อคำขอต้องเป็นออบเจกต์ JSON")
    message_id = _message_id(payload)
    status = payload.get("status")
    receipt = str(payload.get("receipt_number") or "").strip()[:64]
    reason = str(payload.get("reason") or "").strip()[:500]
    errors = {}
    if status not in (AckStatus.REGISTERED, AckStatus.REJECTED):
        errors["status"] = ["การตอบรับต้องเป็น registered หรือ rejected"]
    elif status == AckStatus.REGISTERED and not receipt:
        errors["receipt_number"] = ["การตอบรับว่าลงทะเบียนแล้วต้องมีเลขรับ"]
    elif status == AckStatus.REJECTED and not reason:
        errors["reason"] = ["การปฏิเสธต้องมีเหตุผล"]
    if errors:
        raise ExchangeRefused(400, "invalid_ack", "การตอบรับไม่ถูกต้อง", errors)
    message = ExchangeMessage.objects.filter(peer=peer, direction=Direction.OUT, message_id=message_id).first()
    if message is None or message.recipient_id is None:
        raise ExchangeRefused(404, "unknown_message", "ไม่พบหนังสือที่ส่งด้วยรหัสข้อความนี้")
    with transaction.atomic():
        rec = type(message.recipient).objects.select_for_update().get(pk=message.recipient_id)
        applied = rec.state in _APPLIES_FROM
        if applied and status == AckStatus.REGISTERED:
            rec.state, rec.receipt_number, rec.state_reason = RecipientState.REGISTERED, receipt, ""
        elif applied:
            rec.state, rec.state_reason = RecipientState.REJECTED, reason
        if applied:
            rec._history_user = None
            rec.save(update_fields=["state", "receipt_number", "state_reason", "updated_at"])
    log_incoming(kind=MessageKind.ACK, outcome=Outcome.ACCEPTED if applied else Outcome.DUPLICATE, peer=peer,
                 key_id=peer.their_key_id, message_id=message_id, code=status, status=200, remote_addr=remote_addr)
    return {"message_id": message_id, "status": status, "recipient_state": rec.state}


# --- acknowledgements owed (we are the receiver) ---------------------------------------------------------------


def ack_enqueue(item: IncomingItem, status: str) -> ExchangeAck | None:
    """An acknowledgement row for an item that came from a peer, sent after commit; None for others."""
    message = ExchangeMessage.objects.filter(direction=Direction.IN, item=item).select_related("peer").first()
    if message is None:
        return None
    ack, created = ExchangeAck.objects.get_or_create(
        message=message, status=status,
        defaults={"receipt_number": item.receipt_number if status == AckStatus.REGISTERED else "",
                  "reason": item.rejected_reason if status == AckStatus.REJECTED else "",
                  "next_attempt_at": timezone.now()},
    )
    if created:
        from correspondence.exchange.tasks import send_ack_job

        transaction.on_commit(lambda: send_ack_job.delay(ack.pk))
    return ack


def _next_attempt(attempts: int, retry_after: float | None) -> dt.datetime:
    # The outbox's retry policy (backoff with jitter, the peer's Retry-After honoured up to its cap).
    from correspondence.services.delivery import retry_delay

    return timezone.now() + dt.timedelta(seconds=retry_delay(attempts, retry_after))


def _given_up(attempts: int, exc: Exception) -> str:
    return f"เลิกส่งหลังพยายาม {attempts} ครั้ง (ส่งอีกครั้งได้จากหน้าผู้ดูแลระบบ): {exc}"[:2000]


# The sender's portal already holds an acknowledgement for this letter: sending again changes nothing.
ACK_ALREADY_HELD = 409


def ack_send(ack_id: int) -> str:
    """Send one owed acknowledgement: ``sent``, ``retry`` (a later attempt is scheduled: no answer, 5xx,
    or a "not now" 4xx, see ``client.TEMPORARY_STATUSES``), ``refused`` (the sender's portal refused it for
    good, e.g. 400 invalid, 404 unknown message: it waits for an administrator's "send again"),
    ``given_up`` (a temporary failure on the last of ``EOFFICE_OUTBOX_MAX_ATTEMPTS`` attempts: it waits
    the same way) or ``skipped`` (sent, being sent, given up, or not due: a task retry and beat's
    re-dispatch may both ask). A 409 (already acknowledged there) counts as sent, its answer kept in
    ``last_error``."""
    with transaction.atomic():
        # of=self: the peer row is shared by every ack to that portal and must not be locked with it.
        ack = (ExchangeAck.objects.select_for_update(skip_locked=True, of=("self",)).select_related("message__peer")
               .filter(pk=ack_id, sent_at__isnull=True,
                       next_attempt_at__lte=timezone.now() + dt.timedelta(seconds=2)).first())
        if ack is None:
            return "skipped"
        message = ack.message
        payload = {"message_id": message.message_id, "status": ack.status, "receipt_number": ack.receipt_number,
                   "reason": ack.reason, "at": ack.created_at.isoformat()}
        ack.attempts += 1
        try:
            client.send_ack(message.peer, payload)
        except client.ExchangeTemporaryError as exc:
            if ack.attempts >= settings.EOFFICE_OUTBOX_MAX_ATTEMPTS:
                # As a letter in the outbox: the peer has been unreachable for hours, an administrator looks.
                ack.last_error, ack.next_attempt_at = _given_up(ack.attempts, exc), None
                logger.warning("exchange ack %s given up after %s attempts: %s", ack.pk, ack.attempts, exc)
                outcome = "given_up"
            else:
                ack.last_error = str(exc)[:2000]
                ack.next_attempt_at = _next_attempt(ack.attempts, exc.retry_after)
                outcome = "retry"
        except client.ExchangeRejected as exc:
            if exc.status == ACK_ALREADY_HELD:
                ack.sent_at, ack.next_attempt_at = timezone.now(), None
                outcome = "sent"
            else:
                ack.next_attempt_at = None
                outcome = "refused"
            ack.last_error = f"{f'HTTP {exc.status} ' if exc.status else ''}{exc.code}: {exc.reason}"[:2000]
        else:
            ack.sent_at, ack.last_error, ack.next_attempt_at = timezone.now(), "", None
            outcome = "sent"
        ack._history_user = None
        ack.save(update_fields=["attempts", "last_error", "next_attempt_at", "sent_at"])
    return outcome


def acks_send_again(acks) -> int:
    """Due now again, for the beat's dispatch (and queued at once): unsent acknowledgements only, each with
    its attempts counted afresh (as ``delivery.recipient_resend`` does), so one given up gets them all again."""
    ids = list(acks.filter(sent_at__isnull=True).values_list("pk", flat=True))
    ExchangeAck.objects.filter(pk__in=ids, sent_at__isnull=True).update(next_attempt_at=timezone.now(), attempts=0)
    from correspondence.exchange.tasks import send_ack_job

    for pk in ids:
        transaction.on_commit(lambda pk=pk: send_ack_job.delay(pk))
    return len(ids)


def acks_reconcile() -> int:
    """Rows for registered or rejected items whose acknowledgement was never queued (a crash between the
    commit and the signal): the database, not the signal, is what makes acknowledgements reliable."""
    made = 0
    pending = ExchangeMessage.objects.filter(direction=Direction.IN, item__isnull=False).select_related("item")
    for message in pending.exclude(item__receipt_number="").exclude(acks__status=AckStatus.REGISTERED):
        made += ack_enqueue(message.item, AckStatus.REGISTERED) is not None
    for message in pending.filter(item__state=ItemState.REJECTED).exclude(acks__status=AckStatus.REJECTED):
        made += ack_enqueue(message.item, AckStatus.REJECTED) is not None
    return made


def acks_dispatch() -> dict:
    """Beat: queue every acknowledgement that is due (first attempt lost, or its backoff has passed)."""
    from correspondence.exchange.tasks import send_ack_job

    made = acks_reconcile()
    due = list(ExchangeAck.objects.filter(sent_at__isnull=True, next_attempt_at__lte=timezone.now())
               .values_list("pk", flat=True)[:1000])
    for pk in due:
        send_ack_job.delay(pk)
    return {"created": made, "dispatched": len(due)}
