"""The morning digest: what waits for each official, ด่วนที่สุด first, only what they may see; e-mails
through a real SMTP server never carry a classified item's subject."""
import datetime as dt

import pytest

from correspondence.models import Notification, NotificationKind
from correspondence.services import digest, receiving
from correspondence.services.notifications import CLASSIFIED_EMAIL_SUBJECT, notification_email, notify
from correspondence.services.notifications import notification_read
from eoffice.levels import Urgency

from smtp_sink import text_of

pytestmark = pytest.mark.django_db

SECRET_SUBJECT = "แผนเคลื่อนย้ายกำลังพลลับเฉพาะ"


def _subject(message) -> str:
    return " ".join(str(message["Subject"]).split())  # unfolded


@pytest.fixture
def waiting(users, units, received, assigned):
    normal, _ = assigned(urgency=Urgency.NORMAL, subject="เรื่องปกติรอดำเนินการ")
    most, _ = assigned(urgency=Urgency.MOST_URGENT, subject="เรื่องด่วนที่สุดรอดำเนินการ")
    urgent, _ = assigned(urgency=Urgency.URGENT, subject="เรื่องด่วนรอดำเนินการ")
    # Classified, registered by the secret-document registrar: soc.exec holds no grant on it.
    hidden = received(urgency=Urgency.MOST_URGENT, subject=SECRET_SUBJECT, secrecy=1)
    # Classified and assigned to soc.officer (the minute grants it to them).
    granted = received(urgency=Urgency.VERY_URGENT, subject=SECRET_SUBJECT + " ชุดสอง", secrecy=1)
    receiving.minute_write(granted, by=users["soc.exec"], action="มอบ ดำเนินการ",
                           assignee=users["soc.officer"].official)
    unminuted = received(urgency=Urgency.VERY_URGENT, subject="เรื่องรอเกษียน")
    return dict(normal=normal, most=most, urgent=urgent, hidden=hidden, granted=granted, unminuted=unminuted)


def test_digest_orders_most_urgent_first_and_lists_only_what_the_official_may_see(users, waiting):
    pairs = digest.waiting_items(users["soc.officer"])
    assert [item.pk for item, _ in pairs] == [waiting[k].pk for k in ("most", "granted", "urgent", "normal")]
    assert {reason for _, reason in pairs} == {digest.REASON_ASSIGNED}
    # The executive waits to minute the items of สลค., but never sees the ungranted classified one.
    exec_ids = [item.pk for item, _ in digest.waiting_items(users["soc.exec"])]
    assert waiting["unminuted"].pk in exec_ids and waiting["hidden"].pk not in exec_ids


def test_digest_mail_through_smtp_is_ordered_and_has_no_classified_subject(users, waiting, smtp):
    now = dt.datetime.now(dt.timezone.utc)
    result = digest.digests_send(now=now)
    assert result["digests"] >= 2
    mails = {rcpts[0]: message for _, rcpts, message in smtp.messages}
    officer = mails[users["soc.officer"].email]
    assert _subject(officer) == "หนังสือรอท่านดำเนินการ ๔ เรื่อง (ด่วนที่สุด ๑ เรื่อง)"
    body = text_of(officer)
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert "ด่วนที่สุด" in lines[0] and "เรื่องด่วนที่สุดรอดำเนินการ" in lines[0]
    assert "[ด่วน]" in lines[1] and "เรื่องปกติรอดำเนินการ" in lines[2]
    assert lines[3] == "- หนังสือชั้นความลับ ๑ เรื่อง: โปรดดูรายละเอียดในระบบ"
    for _, _, message in smtp.messages:
        assert SECRET_SUBJECT not in _subject(message) and SECRET_SUBJECT not in text_of(message)
    boss = text_of(mails[users["soc.exec"].email])
    assert "เรื่องรอเกษียน" in boss and "ชั้นความลับ" not in boss  # not even counted
    # In the portal too, and once a day only.
    assert Notification.objects.filter(user=users["soc.officer"], kind=NotificationKind.DIGEST).count() == 1
    digest.digests_send(now=now)
    assert len(smtp.messages) == result["digests"]


def test_no_notification_about_an_item_the_user_cannot_see(users, waiting):
    assert notify(users["soc.clerk"], NotificationKind.OTHER, "ดูเรื่องนี้", obj=waiting["hidden"]) is None
    assert not Notification.objects.filter(user=users["soc.clerk"]).exists()


def test_a_classified_notification_is_mailed_without_its_text(users, waiting, smtp):
    n = notify(users["soc.officer"], NotificationKind.REMINDER, f"โปรดดำเนินการ: {SECRET_SUBJECT}",
               obj=waiting["granted"], urgency=Urgency.VERY_URGENT)
    assert n is not None and n.secrecy == 1
    assert notification_email(n.pk) is True
    assert notification_email(n.pk) is False  # claimed once: never a second e-mail
    ((_, rcpts, message),) = smtp.messages
    assert _subject(message) == CLASSIFIED_EMAIL_SUBJECT and SECRET_SUBJECT not in text_of(message)


def test_only_the_recipient_marks_a_notification_read(users):
    from django.core.exceptions import PermissionDenied

    n = notify(users["soc.officer"], NotificationKind.OTHER, "ทดสอบ")
    with pytest.raises(PermissionDenied):
        notification_read(n, by=users["soc.clerk"])
    assert notification_read(n, by=users["soc.officer"]).read_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_one_digest(users, waiting):
    """The second run waits for the first (the official's row is held) and then finds today's digest."""
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested: PostgreSQL only")
    officer = users["soc.officer"]
    holding, results = threading.Event(), []

    def first_run():
        try:
            with transaction.atomic():
                get_user_model().objects.select_for_update().get(pk=officer.pk)
                holding.set()
                # the digest being written by the first run, not committed yet
                notify(officer, NotificationKind.DIGEST, "สรุปหนังสือรอดำเนินการ")
                threading.Event().wait(0.5)
        finally:
            connections.close_all()

    t = threading.Thread(target=first_run)
    t.start()
    holding.wait()
    results.append(digest.digest_for(officer))
    t.join()
    assert results == [None]
    assert Notification.objects.filter(user=officer, kind=NotificationKind.DIGEST).count() == 1
