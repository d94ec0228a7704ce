"""The outbox in one process: what the send writes, idempotent in-portal delivery, retries with backoff,
undeliverable and resend, the e-mail channel against a real SMTP server on loopback, circular progress,
the re-dispatch's choice of rows and the beat entry."""
import datetime as dt
from email import message_from_bytes, policy

import pytest
from celery.signals import before_task_publish
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from correspondence.models import (
    IncomingItem,
    ItemState,
    Letter,
    LetterState,
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxState,
    RecipientState,
)
from correspondence.selectors import delivery_progress, delivery_states
from correspondence.services import delivery, letters
from delivery_support import free_port
from eoffice import audit

pytestmark = pytest.mark.django_db

OUTSIDE = {"name": "บริษัท ตัวอย่าง จำกัด", "email": "saraban@example.co.th"}


def _send(letter, users):
    return letters.letter_send(letter, by=users["mfa.clerk"])


def test_send_writes_one_row_per_recipient_in_the_same_transaction(users, units, signed_letter,
                                                                   django_capture_on_commit_callbacks):
    letter = signed_letter([{"agency": units["สลค."].pk}, {"agency": units["ภค."].pk}, OUTSIDE,
                            {"name": "ผู้รับทางไปรษณีย์", "address": "กรุงเทพฯ"}])
    with django_capture_on_commit_callbacks() as callbacks:
        rows = _send(letter, users)
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    # Nothing is delivered inside the send: the tasks are queued only after the commit.
    assert not IncomingItem.objects.filter(letter=letter).exists() and len(callbacks) == 1
    assert [r.channel for r in rows] == [OutboxChannel.PORTAL, OutboxChannel.PORTAL, OutboxChannel.EMAIL]
    assert all(r.state == OutboxState.PENDING and r.attempts == 0 for r in rows)
    assert len({r.message_id for r in rows}) == 3
    # The paper addressee gets no row; its line stays pending.
    paper = letter.recipients.get(name="ผู้รับทางไปรษณีย์")
    assert paper.state == RecipientState.PENDING and not OutboxMessage.objects.filter(recipient=paper).exists()
    # Bulk-written history is linked into the audit chain like any other.
    History = OutboxMessage.history.model
    assert History.objects.filter(id__in=[r.pk for r in rows], history_type="+").count() == 3
    assert audit.verify_chain(History) is None


def test_send_keeps_its_checks(users, units, signed_letter):
    letter = signed_letter([{"agency": units["สลค."].pk}])
    with pytest.raises(PermissionDenied):
        letters.letter_send(letter, by=users["soc.clerk"])
    _send(letter, users)
    with pytest.raises(ValidationError):
        _send(letter, users)  # already sent
    assert OutboxMessage.objects.filter(letter=letter).count() == 1


def test_classified_letter_never_goes_by_email(users, units, signed_letter):
    drafter = users["mfa.drafter"].official
    drafter.clearance = 1
    drafter.save()
    letter = signed_letter([{"agency": units["สลค."].pk}, OUTSIDE], secrecy="confidential")
    rows = _send(letter, users)
    assert [r.channel for r in rows] == [OutboxChannel.PORTAL]
    outside = letter.recipients.get(email=OUTSIDE["email"])
    assert outside.state == RecipientState.PENDING and "ไม่ส่งทางไปรษณีย์อิเล็กทรอนิกส์" in outside.state_reason


def test_in_portal_delivery_is_idempotent_on_the_message_id(users, units, signed_letter):
    letter = signed_letter([{"agency": units["ภค."].pk}])
    (row,) = _send(letter, users)
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED  # a duplicate task message
    row.refresh_from_db()
    assert row.attempts == 1 and row.receipt["status"] == "received"
    item = IncomingItem.objects.get(letter=letter)
    assert (item.unit, item.message_id, item.state) == (units["ภค."], row.message_id, ItemState.RECEIVED)
    assert item.pdf.name == letter.pdf.name  # the one signed file, not a copy
    # A redelivery after a crash that lost the row's state: the receiving side finds the same item.
    OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.PENDING)
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    assert IncomingItem.objects.filter(letter=letter).count() == 1
    assert letter.recipients.get().state == RecipientState.DELIVERED


def test_automatic_registration_registers_in_the_delivery(users, units, signed_letter, settings):
    settings.EOFFICE_DELIVERY_AUTO_REGISTER = True
    letter = signed_letter([{"agency": units["สลค."].pk}])
    (row,) = _send(letter, users)
    delivery.outbox_deliver(row.pk)
    item = IncomingItem.objects.get(letter=letter)
    row.refresh_from_db()
    rec = letter.recipients.get()
    assert item.state == ItemState.REGISTERED and item.receipt_number == "1"
    assert (rec.state, rec.receipt_number) == (RecipientState.REGISTERED, "1")
    assert row.receipt["status"] == "registered" and row.receipt_number == "1"
    assert item.register_entries.get().book.unit == units["สลค."]


def test_a_recipient_without_a_registry_is_undeliverable_at_once(users, units, signed_letter):
    from agencies.models import Agency, AgencyLevel

    lonely = Agency.objects.create(level=AgencyLevel.MINISTRY, name="กระทรวงทดสอบไม่มีทะเบียน")
    letter = signed_letter([{"agency": lonely.pk}])
    (row,) = _send(letter, users)
    assert delivery.outbox_deliver(row.pk) == OutboxState.UNDELIVERABLE
    rec = letter.recipients.get()
    assert rec.state == RecipientState.UNDELIVERABLE and "ไม่มีทะเบียนหนังสือ" in rec.state_reason
    assert row.__class__.objects.get(pk=row.pk).attempts == 1


def test_backoff_is_exponential_capped_and_jittered(settings):
    settings.EOFFICE_OUTBOX_RETRY_BASE, settings.EOFFICE_OUTBOX_RETRY_MAX = 10, 100
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        values = {delivery.backoff_seconds(attempt) for _ in range(200)}
        assert all(ceiling / 2 <= v <= ceiling for v in values)
        assert len(values) > 150  # jitter: not one fixed delay


def test_a_receivers_retry_after_is_honoured_up_to_the_backoff_cap(users, units, signed_letter, settings,
                                                                    monkeypatch):
    """A receiver that says "not now, in 15 minutes" (429/503 with Retry-After) is not asked again sooner;
    a Retry-After of days is held to the cap."""
    from types import SimpleNamespace

    from correspondence.delivery import TemporaryFailure

    settings.EOFFICE_OUTBOX_RETRY_BASE, settings.EOFFICE_OUTBOX_RETRY_MAX = 30, 3600
    assert all(900 <= delivery.retry_delay(1, 900) <= 3600 for _ in range(50))
    assert delivery.retry_delay(1, 10 * 86400) == 3600 and delivery.retry_delay(1, None) <= 30

    def busy(row):
        raise TemporaryFailure("ระบบปลายทางขอให้รอ", retry_after=900)

    monkeypatch.setattr(delivery, "channel_module", lambda channel: SimpleNamespace(deliver=busy))
    (row,) = _send(signed_letter([{"agency": units["สลค."].pk}]), users)
    before = timezone.now()
    assert delivery.outbox_deliver(row.pk) == OutboxState.RETRYING
    row.refresh_from_db()
    assert row.next_attempt_at >= before + dt.timedelta(seconds=900) and row.last_error == "ระบบปลายทางขอให้รอ"


def test_retries_then_undeliverable_alerts_the_sender_then_resend_delivers(users, units, signed_letter,
                                                                           settings, smtp):
    settings.EOFFICE_OUTBOX_MAX_ATTEMPTS = 3
    settings.EOFFICE_OUTBOX_RETRY_BASE = 60
    up_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the SMTP server is "down"
    letter = signed_letter([OUTSIDE])
    (row,) = _send(letter, users)
    now = timezone.now()

    assert delivery.outbox_deliver(row.pk, now=now) == OutboxState.RETRYING
    row.refresh_from_db()
    assert row.attempts == 1 and "ติดต่อเครื่องแม่ข่ายไปรษณีย์ไม่ได้" in row.last_error
    first_wait = (row.next_attempt_at - now).total_seconds()
    assert 30 <= first_wait <= 60
    # Not due yet: a task message arriving early changes nothing.
    assert delivery.outbox_deliver(row.pk, now=now + dt.timedelta(seconds=10)) == OutboxState.RETRYING
    assert OutboxMessage.objects.get(pk=row.pk).attempts == 1

    later = row.next_attempt_at
    assert delivery.outbox_deliver(row.pk, now=later) == OutboxState.RETRYING
    row.refresh_from_db()
    assert row.attempts == 2 and 60 <= (row.next_attempt_at - later).total_seconds() <= 120
    assert delivery.outbox_deliver(row.pk, now=row.next_attempt_at) == OutboxState.UNDELIVERABLE
    rec = letter.recipients.get()
    assert rec.state == RecipientState.UNDELIVERABLE and "ติดต่อเครื่องแม่ข่ายไปรษณีย์ไม่ได้" in rec.state_reason
    # The drafter and the issuing unit's clerk are told, in the portal.
    told = set(Notification.objects.filter(kind="delivery", object_id=letter.pk).values_list("user__username", flat=True))
    assert told == {"mfa.drafter", "mfa.clerk"}
    assert "ส่งไม่สำเร็จ" in Notification.objects.filter(kind="delivery").first().text
    assert smtp.messages == []

    # Resend, once the server is back: the same message id, delivered.
    with pytest.raises(PermissionDenied):
        delivery.recipient_resend(rec, by=users["mfa.drafter"])  # sees the letter, is no clerk
    with pytest.raises(Letter.DoesNotExist):
        delivery.recipient_resend(rec, by=users["soc.clerk"])  # does not even see it
    settings.EMAIL_PORT = up_port
    again = delivery.recipient_resend(rec, by=users["mfa.clerk"])
    assert (again.pk, again.message_id, again.state, again.attempts) == (row.pk, row.message_id, OutboxState.PENDING, 0)
    assert letter.recipients.get().state == RecipientState.PENDING
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    assert len(smtp.messages) == 1 and letter.recipients.get().state == RecipientState.DELIVERED
    with pytest.raises(ValidationError):
        delivery.recipient_resend(rec, by=users["mfa.clerk"])  # nothing to resend


def test_email_channel_sends_the_pdf_in_thai_through_smtp(users, signed_letter, smtp):
    letter = signed_letter([OUTSIDE])
    (row,) = _send(letter, users)
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    (env,) = smtp.messages
    assert env.rcpt_tos == [OUTSIDE["email"]]
    msg = message_from_bytes(env.original_content, policy=policy.default)
    assert msg["Subject"].strip().startswith("[ด่วนที่สุด] หนังสือ") and letter.number in msg["Subject"]
    assert letter.subject.split()[0] in msg["Subject"]
    assert row.message_id in msg["Message-ID"] and msg["X-Eoffice-Message-Id"] == row.message_id
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "เรียน บริษัท ตัวอย่าง จำกัด" in body and "ตามไฟล์ที่แนบมาพร้อมนี้" in body
    (attachment,) = [p for p in msg.iter_attachments()]
    assert attachment.get_content_type() == "application/pdf"
    with letter.pdf.open("rb") as f:
        assert attachment.get_content() == f.read()
    row.refresh_from_db()
    assert row.receipt == {"status": "sent", "receipt_number": "", "to": OUTSIDE["email"]}
    # Delivered is final: a duplicate task does not mail twice.
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED and len(smtp.messages) == 1


def test_a_refused_mailbox_is_undeliverable_without_retrying(users, signed_letter, smtp):
    smtp.refuse.add(OUTSIDE["email"])
    letter = signed_letter([OUTSIDE])
    (row,) = _send(letter, users)
    assert delivery.outbox_deliver(row.pk) == OutboxState.UNDELIVERABLE
    rec = letter.recipients.get()
    assert rec.state == RecipientState.UNDELIVERABLE and "550" in rec.state_reason


def test_two_claims_of_one_email_row_send_it_once(users, signed_letter, smtp):
    """The row is claimed (state sending, with a lease) before the mail goes out: a second task for
    the same row while the first holds it does nothing; after the lease it may take it over."""
    letter = signed_letter([OUTSIDE])
    (row,) = _send(letter, users)
    now = timezone.now()
    OutboxMessage.objects.filter(pk=row.pk).update(state=OutboxState.SENDING, attempts=1,
                                                   lease_until=now + dt.timedelta(minutes=5))
    assert delivery.outbox_deliver(row.pk, now=now) == OutboxState.SENDING
    assert smtp.messages == []
    assert delivery.outbox_deliver(row.pk, now=now + dt.timedelta(minutes=6)) == OutboxState.DELIVERED
    assert len(smtp.messages) == 1 and OutboxMessage.objects.get(pk=row.pk).attempts == 2


def test_circular_progress_and_per_recipient_states(users, units, signed_letter):
    names = ["สลค.", "ภค.", "กจค.", "สป.มท."]
    letter = signed_letter([{"agency": units[n].pk} for n in names], circular=True)
    assert "/ว" in letter.number
    rows = _send(letter, users)
    assert delivery_progress(letter) == (0, 4)
    for row in rows[:3]:
        delivery.outbox_deliver(row.pk)
    assert delivery_progress(letter) == (3, 4)
    states = delivery_states(letter)
    assert [s["recipient"] for s in states] == [units[n].name for n in names]
    assert [s["state"] for s in states] == ["delivered"] * 3 + ["pending"]
    # Rendered and signed once: every registry received the same file.
    assert set(IncomingItem.objects.filter(letter=letter).values_list("pdf", flat=True)) == {letter.pdf.name}


def test_redispatch_takes_only_rows_whose_message_is_presumed_lost(users, units, signed_letter):
    letter = signed_letter([{"agency": units[n].pk} for n in ("สลค.", "ภค.", "กจค.", "สป.มท.")])
    fresh, lost, abandoned, done = _send(letter, users)
    now = timezone.now()
    OutboxMessage.objects.filter(pk=lost.pk).update(dispatched_at=now - dt.timedelta(minutes=5))
    # Claimed by a worker that died: its lease ran out a second ago.
    OutboxMessage.objects.filter(pk=abandoned.pk).update(state=OutboxState.SENDING, dispatched_at=now - dt.timedelta(
        minutes=6), lease_until=now - dt.timedelta(seconds=1))
    delivery.outbox_deliver(done.pk)
    queued = []

    def record(sender=None, body=None, **kw):
        queued.append(body[0][0])

    # The real publish to Redis, recorded on the way out.
    before_task_publish.connect(record, sender="correspondence.tasks.outbox_deliver", weak=False)
    try:
        assert delivery.outbox_redispatch(now=now) == 2
        assert sorted(queued) == sorted([lost.pk, abandoned.pk])
        # Queued again just now: the next minute's run leaves them alone.
        assert delivery.outbox_redispatch(now=now + dt.timedelta(seconds=30)) == 0
        assert delivery.outbox_redispatch(now=now + dt.timedelta(minutes=2)) == 3  # the fresh one too by then
        assert fresh.pk in queued and done.pk not in queued
    finally:
        before_task_publish.disconnect(record, sender="correspondence.tasks.outbox_deliver")


def test_the_redispatch_runs_every_minute_from_beat():
    task = PeriodicTask.objects.get(task="correspondence.tasks.outbox_redispatch")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"
