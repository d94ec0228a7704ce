"""Delivery of sent letters through the outbox (กล่องส่งออก).

* ``outbox_write`` (inside ``letter_send``'s transaction): one row per recipient, with a channel and a
  message id that never changes; the task messages are queued only after the commit.
* ``outbox_deliver`` (the task): takes the row, delivers it, records the answer.
  - Inside the portal, the row stays locked (``SELECT … FOR UPDATE SKIP LOCKED``) while the incoming item
    is created, and both commit together: a worker killed half-way leaves nothing behind, and a second
    worker skips a row that is being delivered.
  - To another portal or by e-mail, the work happens outside the database: the row is claimed first
    (state ``sending`` with a lease), and the receiver recognises a repeat by the message id.
* ``outbox_redispatch`` (beat, every minute): queues again rows whose task message was lost (broker
  restarted, worker killed) or whose retry is due.
* Failures: exponential backoff with jitter; after EOFFICE_OUTBOX_MAX_ATTEMPTS, or at once when the
  failure is permanent, the recipient is undeliverable (or rejected) with the reason, and the sender
  is told. ``recipient_resend`` tries again.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from agencies.models import Role, RoleAssignment
from correspondence import permissions
from correspondence.delivery import PermanentFailure, TemporaryFailure, channel_module, peer
from correspondence.models import (
    Letter,
    LetterRecipient,
    OutboxChannel,
    OutboxMessage,
    OutboxState,
    RecipientState,
)
from eoffice import audit
from eoffice.levels import Secrecy

logger = logging.getLogger(__name__)

DUE = (OutboxState.PENDING, OutboxState.RETRYING)
# A task message sent with a countdown may arrive a moment early.
EARLY = dt.timedelta(seconds=2)
EMAIL_REFUSED_CLASSIFIED = "หนังสือชั้นความลับไม่ส่งทางไปรษณีย์อิเล็กทรอนิกส์ ให้ส่งเป็นเอกสาร"
# Recipient states that say more than "delivered": never step back from them.
# A receiver's answer can overtake the outbox's own commit: never step back from what it said.
_BEYOND_DELIVERED = (RecipientState.REGISTERED, RecipientState.ACKNOWLEDGED, RecipientState.REJECTED)


def new_message_id() -> str:
    return str(uuid.uuid4())


def _any_peer() -> bool:
    try:
        from correspondence.models import ExchangePeer
    except ImportError:
        return False
    # Disabled peers count: their agencies are still not on this portal (a peer unticked for maintenance
    # must make its letters wait and retry, not land in a local registry that merely shares its codes).
    return ExchangePeer.objects.exists()


def channel_for(recipient: LetterRecipient, letter: Letter, *, peers: bool | None = None) -> str | None:
    """An agency on another portal → peer; on this portal → portal; an outside addressee with an
    e-mail address → e-mail (unclassified letters only); anyone else gets the letter on paper.
    ``peers=False`` says no peer portal is configured (one query for a whole circular, not one each)."""
    if recipient.agency_id:
        if peers is False:
            return OutboxChannel.PORTAL
        return OutboxChannel.PEER if peer.peer_for(recipient.agency) is not None else OutboxChannel.PORTAL
    if recipient.email and letter.secrecy < Secrecy.CONFIDENTIAL:
        return OutboxChannel.EMAIL
    return None


def _history_bulk(rows: list[OutboxMessage], by) -> None:
    """History rows for a bulk insert, linked into the audit chain like single saves are
    (django-simple-history's own bulk helper sends no signal, so it would leave them unlinked)."""
    History = OutboxMessage.history.model
    now = timezone.now()
    out = [History(history_date=now, history_type="+", history_user=by, history_change_reason=None,
                   **{f.attname: getattr(row, f.attname) for f in History.tracked_fields}) for row in rows]
    audit.link_bulk(History, out)
    History.objects.bulk_create(out)


def outbox_write(letter: Letter, *, by, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """The outbox rows of a letter being sent, in the caller's transaction; queued after the commit."""
    now = now or timezone.now()
    rows = []
    recipients = letter.recipients.select_related("agency").select_for_update(of=("self",)).order_by("pk")
    peers = _any_peer()
    for rec in recipients:
        channel = channel_for(rec, letter, peers=peers)
        if channel is None:
            if rec.email and letter.secrecy >= Secrecy.CONFIDENTIAL:
                rec.state_reason = EMAIL_REFUSED_CLASSIFIED
                rec._history_user = by
                rec.save(update_fields=["state_reason", "updated_at"])
            continue
        rows.append(OutboxMessage(letter=letter, recipient=rec, channel=channel, message_id=new_message_id(),
                                  next_attempt_at=now, dispatched_at=now))
    if rows:
        OutboxMessage.objects.bulk_create(rows)
        _history_bulk(rows, by)
        ids = [r.pk for r in rows]
        transaction.on_commit(lambda: outbox_dispatch(ids))
    return rows


def outbox_dispatch(row_ids, *, countdown: float | None = None) -> int:
    """Queue one task per row. A broker that is down is not the sender's problem: the rows are
    committed, and the re-dispatch queues them again once it is back."""
    from correspondence.tasks import outbox_deliver

    queued = 0
    try:
        for pk in row_ids:
            outbox_deliver.apply_async((pk,), countdown=countdown, retry=False)
            queued += 1
    except (OperationalError, OSError) as exc:
        logger.warning("outbox: %d of %d task messages not queued (%s); the re-dispatch will queue them",
                       len(row_ids) - queued, len(row_ids), exc)
    return queued


# --- delivering one row -------------------------------------------------------------------------------------


def _due(row: OutboxMessage, now: dt.datetime) -> bool:
    if row.state in DUE:
        return row.next_attempt_at <= now + EARLY
    if row.state == OutboxState.SENDING:
        return row.lease_until is None or row.lease_until <= now
    return False


def _locked(row_id: int) -> OutboxMessage | None:
    """The row, locked; None when another transaction holds it (it is being delivered right now)."""
    return (OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("letter__issuing_unit", "recipient__agency").filter(pk=row_id).first())


def outbox_deliver(row_id: int, *, now: dt.datetime | None = None) -> str:
    """Deliver one row if it is due; returns the row's state afterwards ("busy" if another worker
    holds it, "missing" if there is no such row)."""
    given = now
    with transaction.atomic():
        row = _locked(row_id)
        if row is None:
            return "busy" if OutboxMessage.objects.filter(pk=row_id).exists() else "missing"
        now = now or timezone.now()
        if not _due(row, now):
            return row.state
        row.attempts += 1
        if row.channel == OutboxChannel.PORTAL:
            # Inside the portal: deliver while holding the lock; item and row commit together.
            try:
                with transaction.atomic():
                    result = channel_module(row.channel).deliver(row)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
                _failed(row, exc, now)
            else:
                _delivered(row, result, now)
            return row.state
        # Elsewhere: claim the row (with a lease) and commit before the slow, external part.
        row.state = OutboxState.SENDING
        row.lease_until = now + dt.timedelta(seconds=settings.EOFFICE_OUTBOX_LEASE_SECONDS)
        row.save(update_fields=["state", "attempts", "lease_until"])
    return _deliver_claimed(row, given)


def _deliver_claimed(row: OutboxMessage, now: dt.datetime | None) -> str:
    claim = row.attempts
    result = error = None
    try:
        result = channel_module(row.channel).deliver(row)
    except Exception as exc:  # noqa: BLE001
        error = exc
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update(of=("self",)).select_related(
            "letter__issuing_unit", "recipient__agency").get(pk=row.pk)
        now = timezone.now() if now is None else now
        if error is None:
            # It did arrive: record it even if the lease ran out meanwhile (the receiver dedups).
            if row.state != OutboxState.DELIVERED:
                _delivered(row, result, now)
        elif row.state == OutboxState.SENDING and row.attempts == claim:
            _failed(row, error, now)
        return row.state


def backoff_seconds(attempt: int) -> float:
    """Exponential, capped, with jitter (half fixed, half random) so retries of a circular spread out."""
    base, cap = settings.EOFFICE_OUTBOX_RETRY_BASE, settings.EOFFICE_OUTBOX_RETRY_MAX
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: the backoff, or longer when the receiver asked for it (Retry-After),
    though never past the backoff's cap (a receiver cannot park a message for days)."""
    delay = backoff_seconds(attempt)
    if retry_after:
        delay = max(delay, min(retry_after, settings.EOFFICE_OUTBOX_RETRY_MAX))
    return delay


def _delivered(row: OutboxMessage, result, now: dt.datetime) -> None:
    row.state, row.delivered_at, row.lease_until, row.last_error = OutboxState.DELIVERED, now, None, ""
    row.receipt, row.receipt_number = result.as_receipt(), result.receipt_number[:64]
    row.save()
    if result.recipient_done:
        return  # the channel registered the item, which recorded it on the recipient line
    rec = LetterRecipient.objects.select_for_update().get(pk=row.recipient_id)
    if rec.state in _BEYOND_DELIVERED:
        return
    if result.status == "registered":
        rec.state, rec.receipt_number = RecipientState.REGISTERED, result.receipt_number[:64]
    else:
        rec.state = RecipientState.DELIVERED
    rec.state_reason = ""
    rec.save(update_fields=["state", "receipt_number", "state_reason", "updated_at"])


def _failed(row: OutboxMessage, exc: Exception, now: dt.datetime) -> None:
    permanent = isinstance(exc, PermanentFailure)
    reason = (exc.reason if permanent else str(exc)) or exc.__class__.__name__
    if not isinstance(exc, (PermanentFailure, TemporaryFailure)):
        logger.error("outbox row %s: unexpected failure", row.pk, exc_info=exc)
    row.last_error, row.lease_until = reason[:2000], None
    if permanent or row.attempts >= settings.EOFFICE_OUTBOX_MAX_ATTEMPTS:
        row.state, row.dispatched_at = OutboxState.UNDELIVERABLE, None
        row.save()
        rejected = permanent and exc.rejected
        rec = LetterRecipient.objects.select_for_update().get(pk=row.recipient_id)
        rec.state = RecipientState.REJECTED if rejected else RecipientState.UNDELIVERABLE
        rec.state_reason = reason[:500]
        rec.save(update_fields=["state", "state_reason", "updated_at"])
        _alert_sender(row, rec, reason, rejected=rejected)
        return
    delay = retry_delay(row.attempts, getattr(exc, "retry_after", None))
    row.state, row.next_attempt_at = OutboxState.RETRYING, now + dt.timedelta(seconds=delay)
    # A short wait rides on the task message; a long one is left to the re-dispatch (no long ETAs
    # in Redis, whose visibility timeout would deliver them twice).
    short = delay <= settings.EOFFICE_OUTBOX_COUNTDOWN_MAX
    row.dispatched_at = row.next_attempt_at if short else None
    row.save()
    if short:
        pk = row.pk
        transaction.on_commit(lambda: outbox_dispatch([pk], countdown=delay))


# --- telling the sender -------------------------------------------------------------------------------------


def _sender_users(letter: Letter) -> list:
    """The drafter and the registry clerks of the issuing unit (each told only if they may see it)."""
    today = dt.date.today()
    clerks = (RoleAssignment.objects.valid_on(today).filter(role=Role.REGISTRY_CLERK)
              .filter(Q(unit=letter.issuing_unit) | Q(unit__isnull=True, official__unit=letter.issuing_unit))
              .select_related("official__user"))
    users = {letter.created_by_id: letter.created_by}
    for row in clerks:
        users.setdefault(row.official.user_id, row.official.user)
    return list(users.values())


def _alert_sender(row: OutboxMessage, rec: LetterRecipient, reason: str, *, rejected: bool) -> None:
    letter = row.letter
    what = "ปฏิเสธการรับ" if rejected else "ส่งไม่สำเร็จ"
    text = (f"หนังสือที่ {letter.number} เรื่อง {letter.subject} ถึง {rec.name or rec.agency} "
            f"{what}: {reason}")
    try:
        from correspondence.services.notifications import notify
    except ImportError:
        notify = None
    for user in _sender_users(letter):
        if notify is not None:
            notify(user, "delivery", text, obj=letter, urgency=letter.urgency)
        elif user.email and permissions.can_see_letter(user, letter):
            _mail_alert(user.email, letter, text)


def _mail_alert(address: str, letter: Letter, text: str) -> None:
    from django.core.mail import send_mail

    if letter.secrecy >= Secrecy.CONFIDENTIAL:
        text = f"หนังสือชั้นความลับที่ {letter.number} ส่งไม่สำเร็จ โปรดตรวจสอบในระบบ"
    transaction.on_commit(
        lambda: send_mail("แจ้งการส่งหนังสือไม่สำเร็จ", text, None, [address], fail_silently=True))


# --- beat and resend ----------------------------------------------------------------------------------------


def outbox_redispatch(*, now: dt.datetime | None = None, grace: float | None = None,
                      limit: int = 5000) -> int:
    """Queue again every row that is due and whose task message is presumed lost: queued more than
    ``grace`` seconds ago (EOFFICE_OUTBOX_REDISPATCH_GRACE), never queued, or held by a worker whose
    lease ran out. Returns how many were queued."""
    now = now or timezone.now()
    grace = settings.EOFFICE_OUTBOX_REDISPATCH_GRACE if grace is None else grace
    stale = now - dt.timedelta(seconds=grace)
    waiting = Q(state__in=DUE, next_attempt_at__lte=now)
    abandoned = Q(state=OutboxState.SENDING, lease_until__lte=now)
    not_queued_lately = Q(dispatched_at__isnull=True) | Q(dispatched_at__lte=stale)
    due = OutboxMessage.objects.filter(waiting | abandoned, not_queued_lately).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    # Bookkeeping only (not a state change), so no history row per minute per row.
    OutboxMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
    outbox_dispatch(ids)
    return len(ids)


@transaction.atomic
def recipient_resend(recipient: LetterRecipient, *, by) -> OutboxMessage:
    """ส่งใหม่: a recipient that was undeliverable (same message id: it may have arrived after all) or
    that rejected the letter (a new message id: a new submission) is sent to again."""
    rec = (LetterRecipient.objects.select_for_update(of=("self",)).select_related("letter", "agency")
           .get(pk=recipient.pk))
    letter = rec.letter
    if not permissions.can_see_letter(by, letter):
        raise Letter.DoesNotExist
    permissions.require_clerk(by, letter.issuing_unit)
    if rec.state not in (RecipientState.UNDELIVERABLE, RecipientState.REJECTED):
        raise ValidationError({"state": "ส่งใหม่ได้เฉพาะผู้รับที่ส่งไม่สำเร็จหรือปฏิเสธการรับ"})
    channel = channel_for(rec, letter)
    if channel is None:
        raise ValidationError({"recipient": "ผู้รับนี้ไม่มีช่องทางส่งทางอิเล็กทรอนิกส์ ให้ส่งเป็นเอกสาร"})
    now = timezone.now()
    row = OutboxMessage.objects.select_for_update().filter(recipient=rec).first()
    if row is None:
        row = OutboxMessage(letter=letter, recipient=rec, message_id=new_message_id())
    elif rec.state == RecipientState.REJECTED:
        row.message_id = new_message_id()
    row.channel, row.state, row.attempts, row.last_error = channel, OutboxState.PENDING, 0, ""
    row.next_attempt_at = row.dispatched_at = now
    row.lease_until = row.delivered_at = None
    row.receipt, row.receipt_number = {}, ""
    row._history_user = by
    row.save()
    rec.state, rec.state_reason, rec.receipt_number = RecipientState.PENDING, "", ""
    rec._history_user = by
    rec.save(update_fields=["state", "state_reason", "receipt_number", "updated_at"])
    pk = row.pk
    transaction.on_commit(lambda: outbox_dispatch([pk]))
    return row


__all__ = [
    "backoff_seconds", "channel_for", "retry_delay", "new_message_id", "outbox_deliver", "outbox_dispatch",
    "outbox_redispatch", "outbox_write", "recipient_resend",
]
