"""Acceptance 5: a ด่วนที่สุด item nobody acknowledges is reminded, then escalated, each exactly once,
and nothing follows acknowledgement. Time is controlled by passing ``now`` to the scan."""
import datetime as dt

import pytest
from django.utils import timezone

from correspondence.models import Notification, NotificationKind, Reminder, ReminderKind
from correspondence.services import receiving
from correspondence.services.reminders import reminders_send_due
from eoffice.levels import Secrecy, Urgency

pytestmark = pytest.mark.django_db


def _scan(at, times=3):
    """The beat scan run several times at the same moment (overlapping beats, a retried task)."""
    return sum(reminders_send_due(now=at) for _ in range(times))


def _notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_most_urgent_reminds_after_one_hour_and_escalates_after_four_each_once(users, assigned):
    item, minute = assigned()
    officer, boss = users["soc.officer"], users["soc.exec"]
    t0 = minute.written_at
    rows = {r.kind: r for r in Reminder.objects.filter(minute=minute)}
    assert rows[ReminderKind.REMIND].recipient == officer
    assert rows[ReminderKind.REMIND].due_at == t0 + dt.timedelta(hours=1)
    # The supervisor: ภค. has no executive, so the executive of สลค. above it.
    assert rows[ReminderKind.ESCALATE].recipient == boss
    assert rows[ReminderKind.ESCALATE].due_at == t0 + dt.timedelta(hours=4)
    # The registration reminder (awaiting the minute) was cancelled by the minute.
    assert not Reminder.objects.filter(item=item, minute__isnull=True, cancelled_at__isnull=True).exists()

    assert _scan(t0 + dt.timedelta(minutes=59)) == 0
    assert _notes(officer, NotificationKind.REMINDER) == []

    assert _scan(t0 + dt.timedelta(minutes=61)) == 1
    (note,) = _notes(officer, NotificationKind.REMINDER)
    assert "ด่วนที่สุด" in note.text and item.subject in note.text and note.object_id == item.pk
    assert _notes(boss, NotificationKind.ESCALATION) == []

    assert _scan(t0 + dt.timedelta(hours=3, minutes=59)) == 0
    assert _scan(t0 + dt.timedelta(hours=4, minutes=1)) == 1
    (esc,) = _notes(boss, NotificationKind.ESCALATION)
    assert officer.official.display_name in esc.text and "ยังไม่รับทราบ" in esc.text

    # Days later, scanned again and again: nothing more.
    assert _scan(t0 + dt.timedelta(days=3)) == 0
    assert len(_notes(officer, NotificationKind.REMINDER)) == 1
    assert len(_notes(boss, NotificationKind.ESCALATION)) == 1


def test_nothing_after_acknowledgement(users, assigned):
    item, minute = assigned()
    receiving.minute_acknowledge(minute, by=users["soc.officer"])
    assert _scan(minute.written_at + dt.timedelta(hours=5)) == 0
    assert not Notification.objects.filter(kind__in=[NotificationKind.REMINDER, NotificationKind.ESCALATION]).exists()
    assert all(r.cancelled_at and r.sent_at is None for r in Reminder.objects.filter(minute=minute))


def test_acknowledged_between_reminder_and_escalation_stops_the_escalation(users, assigned):
    item, minute = assigned()
    t0 = minute.written_at
    assert _scan(t0 + dt.timedelta(hours=2)) == 1
    receiving.minute_acknowledge(minute, by=users["soc.officer"])
    assert _scan(t0 + dt.timedelta(hours=5)) == 0
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()


def test_closing_cancels_pending_reminders(users, received):
    item = received()
    assert Reminder.objects.filter(item=item, cancelled_at__isnull=True).exists()
    receiving.item_close(item, by=users["soc.clerk"], filed_at="แฟ้ม ๑")
    assert _scan(item.received_at + dt.timedelta(days=2)) == 0
    assert not Notification.objects.exists()


def test_a_registered_item_awaiting_its_minute_reminds_the_executive(users, received):
    item = received()
    (row,) = Reminder.objects.filter(item=item)  # no executive above สลค.: no escalation row
    assert row.recipient == users["soc.exec"] and row.kind == ReminderKind.REMIND
    assert _scan(item.received_at + dt.timedelta(minutes=61)) == 1
    (note,) = _notes(users["soc.exec"], NotificationKind.REMINDER)
    assert "รอเกษียน" in note.text


def test_the_beat_task_mails_the_reminder_once_through_smtp(users, assigned, smtp):
    from correspondence.jobs import reminders_scan

    item, minute = assigned()
    at = (minute.written_at + dt.timedelta(minutes=61)).isoformat()
    assert reminders_scan.apply(kwargs={"now": at}).get() == {"sent": 1, "emailed": 1}
    assert reminders_scan.apply(kwargs={"now": at}).get() == {"sent": 0, "emailed": 0}
    ((_, rcpts, message),) = smtp.messages
    assert rcpts == [users["soc.officer"].email]
    subject = " ".join(str(message["Subject"]).split())
    assert subject.startswith("[ด่วนที่สุด]") and item.subject in subject
    assert f"/incoming/{item.pk}/" in message.get_content()


def test_the_secret_registrar_is_reminded_to_present_a_classified_item_until_it_is_presented(users, received):
    """A classified ด่วนที่สุด item: nobody but the secret-document registrar sees it until it is presented
    (เสนอ), so the registrar is reminded to present it; presenting it cancels that and plans the
    executive's reminder to minute it."""
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, subject="แผนรักษาความปลอดภัยลับ", secrecy=Secrecy.SECRET, at=at)
    (row,) = Reminder.objects.filter(item=secret, kind=ReminderKind.PRESENT)
    assert (row.recipient, row.kind, row.minute) == (users["soc.secret"], ReminderKind.PRESENT, None)
    assert row.due_at == at + dt.timedelta(minutes=60)  # the ด่วนที่สุด policy: an hour after receipt

    receiving.item_present(secret, by=users["soc.secret"], to=users["soc.exec"].official)
    row.refresh_from_db()
    assert row.cancelled_at is not None and row.cancel_reason == "เสนอแล้ว" and row.sent_at is None
    (pending,) = Reminder.objects.filter(item=secret, cancelled_at__isnull=True)
    assert (pending.recipient, pending.kind) == (users["soc.exec"], ReminderKind.REMIND)
    assert reminders_send_due(now=at + dt.timedelta(minutes=61)) == 1
    assert not Notification.objects.filter(user=users["soc.secret"], kind=NotificationKind.REMINDER).exists()


def test_the_registrars_reminder_asks_to_present_the_item_and_names_it_by_receipt_number_only(users, received):
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, subject="แผนรักษาความปลอดภัยลับ", secrecy=Secrecy.SECRET, at=at)
    assert reminders_send_due(now=at + dt.timedelta(minutes=60)) == 1
    (note,) = Notification.objects.filter(user=users["soc.secret"], kind=NotificationKind.REMINDER)
    assert note.text.startswith("หนังสือรอเสนอผู้บังคับบัญชา: ด่วนที่สุด หนังสือชั้นความลับ เลขรับ ")
    assert "แผนรักษาความปลอดภัยลับ" not in note.text and note.secrecy == Secrecy.SECRET
    # Nobody else was reminded of it: the executive holds no grant before it is presented.
    assert Notification.objects.filter(content_type__model="incomingitem", object_id=secret.pk).count() == 1


def _unpresented_notices(user):
    return list(Notification.objects.filter(user=user, kind=NotificationKind.ESCALATION))


def test_a_classified_item_left_unpresented_is_escalated_to_the_cleared_supervisor_without_its_subject(
        users, received):
    """The registrar's supervisor (soc.exec, executive of สลค., cleared ลับที่สุด) is one the item would be
    presented to: at the escalation time they learn that it waits and its receipt number, not its subject,
    and get no link (no grant until it is presented)."""
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, subject="แผนรักษาความปลอดภัยลับ", secrecy=Secrecy.SECRET, at=at)
    (row,) = Reminder.objects.filter(item=secret, kind=ReminderKind.ESCALATE)
    assert (row.recipient, row.minute, row.due_at) == (users["soc.exec"], None, at + dt.timedelta(hours=4))
    assert reminders_send_due(now=at + dt.timedelta(hours=3, minutes=59)) == 1  # the registrar's reminder only
    assert _unpresented_notices(users["soc.exec"]) == []
    assert _scan(at + dt.timedelta(hours=4, minutes=1)) == 1
    (note,) = _unpresented_notices(users["soc.exec"])
    assert note.text.startswith("หนังสือชั้นความลับยังไม่ได้เสนอผู้บังคับบัญชา: ด่วนที่สุด หนังสือชั้นความลับ เลขรับ ")
    assert "นายทะเบียนหนังสือลับ" in note.text and "แผนรักษาความปลอดภัยลับ" not in note.text
    assert note.secrecy == Secrecy.SECRET and note.link == "" and note.object_id is None
    # Telling them granted nothing: the item stays the registrar's until presented.
    from correspondence import permissions
    assert not permissions.can_see_item(users["soc.exec"], secret)


def test_presenting_the_item_cancels_the_supervisors_notice(users, received):
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, secrecy=Secrecy.SECRET, at=at)
    receiving.item_present(secret, by=users["soc.secret"], to=users["soc.exec"].official)
    (row,) = Reminder.objects.filter(item=secret, kind=ReminderKind.ESCALATE)
    assert row.cancelled_at is not None and row.cancel_reason == "เสนอแล้ว"
    _scan(at + dt.timedelta(hours=5))
    assert _unpresented_notices(users["soc.exec"]) == []


def test_a_supervisor_not_cleared_for_the_level_is_not_told(users, received):
    """An executive cleared below the item's level could never be presented it: not even its existence."""
    official = users["soc.exec"].official
    official.clearance = Secrecy.CONFIDENTIAL
    official.save(update_fields=["clearance"])
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, secrecy=Secrecy.SECRET, at=at)
    assert not Reminder.objects.filter(item=secret, kind=ReminderKind.ESCALATE).exists()
    _scan(at + dt.timedelta(hours=5))
    assert _unpresented_notices(users["soc.exec"]) == []


def test_a_supervisor_whose_clearance_was_lowered_meanwhile_is_not_told(users, received):
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, secrecy=Secrecy.SECRET, at=at)
    official = users["soc.exec"].official
    official.clearance = Secrecy.CONFIDENTIAL
    official.save(update_fields=["clearance"])
    _scan(at + dt.timedelta(hours=5))
    assert _unpresented_notices(users["soc.exec"]) == []
    (row,) = Reminder.objects.filter(item=secret, kind=ReminderKind.ESCALATE)
    assert row.sent_at is None and row.cancel_reason == "ผู้รับไม่มีสิทธิ์เห็นหนังสือนี้"


def test_the_unpresented_notice_is_mailed_without_subject(users, received, smtp):
    from correspondence.services.notifications import CLASSIFIED_EMAIL_SUBJECT, notifications_email_pending

    at = timezone.now()
    received(urgency=Urgency.MOST_URGENT, subject="แผนรักษาความปลอดภัยลับ", secrecy=Secrecy.SECRET, at=at)
    _scan(at + dt.timedelta(hours=4, minutes=1))
    notifications_email_pending(now=at + dt.timedelta(hours=4, minutes=2))
    mails = [m for _, rcpts, m in smtp.messages if rcpts == [users["soc.exec"].email]]
    assert mails and all(CLASSIFIED_EMAIL_SUBJECT in " ".join(str(m["Subject"]).split()) for m in mails)
    assert all("แผนรักษาความปลอดภัยลับ" not in m.get_content() for m in mails)


def test_a_classified_registration_looks_up_its_policy_and_holidays_once(users, received, monkeypatch):
    """The registrar's reminder to present, the executives' reminder and the unpresented escalation all
    count from the receipt: one policy and holiday look-up for all of them, and each row on its time."""
    from correspondence.services import reminders

    calls = []
    real = reminders.reminder_times

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(reminders, "reminder_times", counted)
    at = timezone.now()
    secret = received(urgency=Urgency.MOST_URGENT, subject="แผนรักษาความปลอดภัยลับ", secrecy=Secrecy.SECRET, at=at)
    assert len(calls) == 1
    remind_at, escalate_at = real(secret.unit, secret.urgency, secret.received_at, secret.deliver_by)
    rows = list(Reminder.objects.filter(item=secret))
    assert {r.kind for r in rows} >= {ReminderKind.PRESENT, ReminderKind.ESCALATE}
    for row in rows:
        assert row.due_at == (escalate_at if row.kind == ReminderKind.ESCALATE else remind_at), row.kind
