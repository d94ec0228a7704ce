"""Nightly and yearly jobs: the overdue report (PDF) to the unit's executives, the new year's register
books, the clean-up of expired sessions; each run through its Celery task as beat would."""
import datetime as dt
import shutil
import subprocess

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from agencies.models import Agency
from correspondence import jobs
from correspondence.models import BookKind, Notification, NotificationKind, RegisterBook
from correspondence.services import numbering
from correspondence.services.reminders import reminders_send_due
from eoffice import jobs as eoffice_jobs
from eoffice.levels import Urgency

from bangkok_time import bkk

pytestmark = pytest.mark.django_db


def test_overdue_report_pdf_goes_to_the_executives(users, assigned, received, smtp):
    item, minute = assigned(urgency=Urgency.MOST_URGENT, subject="ขอข้อมูลประกอบการประชุมด่วนที่สุด")
    received(urgency=Urgency.MOST_URGENT, subject="เรื่องลับที่ไม่มีสิทธิ์เห็น", secrecy=1)
    later = minute.written_at + dt.timedelta(hours=5)
    reminders_send_due(now=later)  # the escalation goes out: the item is now overdue
    result = jobs.overdue_reports_send.apply(kwargs={"now": later.isoformat()}).get()
    assert result["reports"] == 1
    ((_, rcpts, message),) = [m for m in smtp.messages if m[2].get_content_type() == "multipart/mixed"]
    assert rcpts == [users["soc.exec"].email]
    (attachment,) = list(message.iter_attachments())
    pdf = attachment.get_content()
    assert attachment.get_content_type() == "application/pdf" and pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
        assert "ขอข้อมูลประกอบการประชุมด่วนที่สุด" in text and "รายงานหนังสือค้างดำเนินการ" in text
        assert "เรื่องลับที่ไม่มีสิทธิ์เห็น" not in text
    assert Notification.objects.filter(user=users["soc.exec"], kind=NotificationKind.OVERDUE_REPORT).count() == 1
    # Once a day.
    assert jobs.overdue_reports_send.apply(kwargs={"now": later.isoformat()}).get()["reports"] == 0


def test_register_books_of_the_new_year_open_on_the_first_of_january(units):
    soc = units["สลค."]
    numbering.book_open(soc, BookKind.CIRCULAR, "ว", year=2569)
    new_year = bkk(2027, 1, 1, 0, 5)
    result = jobs.books_open_new_year.apply(kwargs={"now": new_year.isoformat()}).get()
    assert result["year"] == 2570
    keeping = Agency.objects.filter(keeps_registers=True)
    for unit in keeping:
        kinds = set(RegisterBook.objects.filter(unit=unit, year=2570).values_list("kind", "prefix"))
        assert {(BookKind.INCOMING, ""), (BookKind.OUTGOING, "")} <= kinds
    assert RegisterBook.objects.filter(unit=soc, year=2570, kind=BookKind.CIRCULAR, prefix="ว").exists()
    assert not RegisterBook.objects.filter(year=2570, unit__keeps_registers=False).exists()
    assert result["opened"] == 2 * keeping.count() + 1
    assert jobs.books_open_new_year.apply(kwargs={"now": new_year.isoformat()}).get()["opened"] == 0


def test_expired_sessions_are_cleared(db):
    now = timezone.now()
    Session.objects.create(session_key="old" * 10, session_data="x", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="new" * 10, session_data="x", expire_date=now + dt.timedelta(days=1))
    eoffice_jobs.sessions_clear.apply().get()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new" * 10]


def test_the_mailed_overdue_report_keeps_classified_subjects_in_the_portal(users, received, smtp):
    """An executive granted a classified item sees it in the portal; the PDF that leaves by e-mail lists
    it by receipt number only."""
    from correspondence.services import receiving

    secret = received(urgency=Urgency.MOST_URGENT, subject="แผนเคลื่อนย้ายกำลังพลลับ", secrecy=1)
    receiving.item_present(secret, by=users["soc.secret"], to=users["soc.exec"].official)
    minute = receiving.minute_write(secret, by=users["soc.exec"], action="มอบ ดำเนินการ",
                                    assignee=users["soc.officer"].official)
    later = minute.written_at + dt.timedelta(hours=5)
    reminders_send_due(now=later)
    assert jobs.overdue_reports_send.apply(kwargs={"now": later.isoformat()}).get()["reports"] == 1
    ((_, _, message),) = [m for m in smtp.messages if m[2].get_content_type() == "multipart/mixed"]
    (attachment,) = list(message.iter_attachments())
    text = subprocess.run(["pdftotext", "-", "-"], input=attachment.get_content(), capture_output=True).stdout.decode()
    assert "แผนเคลื่อนย้ายกำลังพลลับ" not in text and "ไม่แสดงเรื่อง" in text
    from correspondence.services.overdue import overdue_report_pdf

    pdf, count = overdue_report_pdf(users["soc.exec"], secret.unit, on=later.date())
    in_portal = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    assert count == 1 and "แผนเคลื่อนย้ายกำลังพลลับ" in in_portal


def test_an_overdue_report_the_mail_server_refused_is_mailed_by_the_next_run_once(users, assigned, smtp, settings):
    import socket

    _, minute = assigned(urgency=Urgency.MOST_URGENT, subject="ขอข้อมูลประกอบการประชุมด่วนที่สุด")
    later = minute.written_at + dt.timedelta(hours=5)
    reminders_send_due(now=later)
    with socket.socket() as s:  # a port with nobody listening: the mail server is down
        s.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = s.getsockname()[1]
    first = jobs.overdue_reports_send.apply(kwargs={"now": later.isoformat()}).get()
    assert first["reports"] == 1 and first["mail_failed"] == 1
    assert not [m for m in smtp.messages if m[2].get_content_type() == "multipart/mixed"]
    settings.EMAIL_PORT = smtp.port
    second = jobs.overdue_reports_send.apply(kwargs={"now": (later + dt.timedelta(minutes=30)).isoformat()}).get()
    assert second == {"units": 1, "reports": 0, "mail_failed": 0}
    assert len([m for m in smtp.messages if m[2].get_content_type() == "multipart/mixed"]) == 1
    jobs.overdue_reports_send.apply(kwargs={"now": (later + dt.timedelta(hours=1)).isoformat()}).get()
    assert len([m for m in smtp.messages if m[2].get_content_type() == "multipart/mixed"]) == 1
    assert Notification.objects.filter(user=users["soc.exec"], kind=NotificationKind.OVERDUE_REPORT).count() == 1


def test_a_classified_item_presented_to_an_executive_is_followed_up(users, received):
    from correspondence.models import Reminder
    from correspondence.services import receiving

    secret = received(urgency=Urgency.MOST_URGENT, subject="เรื่องลับด่วนที่สุด", secrecy=1)
    # Only the registrar held a grant at registration: they alone are reminded (to present it); their cleared
    # supervisor is told later if it is still unpresented, by receipt number (test_reminder_escalation.py).
    assert sorted(Reminder.objects.filter(item=secret).values_list("recipient__username", "kind")) == [
        ("soc.exec", "escalate"), ("soc.secret", "present")]
    receiving.item_present(secret, by=users["soc.secret"], to=users["soc.exec"].official)
    (row,) = Reminder.objects.filter(item=secret, cancelled_at__isnull=True)
    assert row.recipient == users["soc.exec"] and row.kind == "remind" and row.minute is None
