"""The e-mail intake: the real SMTP server (aiosmtpd) on a free loopback port, messages sent to it with
smtplib, items written to the test database by the server's own threads (hence transactional tests)."""
from __future__ import annotations

import datetime as dt
import io
import json
import smtplib
import socket
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection
from pypdf import PdfWriter

from correspondence import mail_intake
from correspondence.models import (
    Channel,
    IncomingItem,
    IntakeAddress,
    ItemState,
    ReceivedAttachment,
    ReceivedMail,
)
from correspondence.services import uploads
from correspondence.services.digest import REASON_REGISTER, waiting_items
from eoffice.levels import Urgency

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "saraban@soc.go.th"


def _pdf(pages: int = 1, spec: dict | None = None) -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if spec is not None:
        writer.add_attachment("letter.json", json.dumps(spec, ensure_ascii=False).encode("utf-8"))
    writer.write(out)
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def intake(units):
    """The intake server on loopback, with สลค.'s intake address."""
    IntakeAddress.objects.create(address="Saraban@SOC.go.th", unit=units["สลค."])
    server = mail_intake.controller("127.0.0.1", _free_port())
    server.start()
    yield server
    server.stop()


def _message(subject="ขอเชิญประชุมคณะกรรมการ", attachments=(), message_id="<m1@moi.go.th>", text="เรียน สลค."):
    msg = EmailMessage()
    msg["From"] = "สารบรรณ มท. <saraban@moi.go.th>"
    msg["To"] = ADDRESS
    msg["Subject"] = subject
    msg["Date"] = "Tue, 12 May 2020 10:30:00 +0700"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(text)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def _send(server, msg, to=ADDRESS):
    with smtplib.SMTP(server.hostname, server.port, timeout=30) as client:
        return client.send_message(msg, from_addr="saraban@moi.go.th", to_addrs=[to])


def _media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_letter_by_email_waits_unregistered_in_the_units_queue(intake, users, units, client):
    letter = _pdf()
    _send(intake, _message(attachments=[("หนังสือ.pdf", letter, "application/pdf")]))

    item = IncomingItem.objects.get()
    assert item.unit == units["สลค."] and item.channel == Channel.EMAIL
    assert item.state == ItemState.RECEIVED and item.receipt_number == "" and item.registered_at is None
    assert item.subject == "ขอเชิญประชุมคณะกรรมการ"
    assert item.sender_text == "สารบรรณ มท. <saraban@moi.go.th>"
    assert item.secrecy == 0 and item.received_by is None
    with item.pdf.open("rb") as f:
        assert f.read() == letter
    mail = ReceivedMail.objects.get(item=item)
    assert mail.message_id == "<m1@moi.go.th>"
    assert mail.sent_at == dt.datetime(2020, 5, 12, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert mail.address == ADDRESS and mail.body == "เรียน สลค."

    clerk = users["soc.clerk"]
    # The clerks hear of it as of every arrival: the unit's queue and the morning digest.
    assert (item, REASON_REGISTER) in waiting_items(clerk)
    client.force_login(clerk)
    assert f'data-item="{item.pk}"' in client.get("/incoming/").content.decode()
    page = client.get(f"/incoming/{item.pk}/").content.decode()
    assert "รับทางไปรษณีย์อิเล็กทรอนิกส์ (ยังไม่ได้ยืนยันผู้ส่ง)" in page
    assert 'id="do-register"' in page


def test_an_address_that_is_no_units_intake_is_refused(intake, settings):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        _send(intake, _message(attachments=[("a.pdf", _pdf(), "application/pdf")]), to="nobody@soc.go.th")
    ((code, reason),) = refused.value.recipients.values()
    assert code == 550 and "ไม่มีหน่วยงานที่รับหนังสือ" in reason.decode("utf-8")
    assert not IncomingItem.objects.exists() and not _media_files(settings)


def test_a_unit_without_registers_has_no_intake(intake, units):
    section = units["ส่วนนโยบายและยุทธศาสตร์"]
    assert not section.keeps_registers
    IntakeAddress.objects.create(address="policy@mfa.go.th", unit=section)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(intake, _message(attachments=[("a.pdf", _pdf(), "application/pdf")]), to="policy@mfa.go.th")
    assert not IncomingItem.objects.exists()


def test_a_message_without_a_pdf_is_refused_with_the_reason(intake, settings):
    msg = _message(attachments=[("notes.docx", b"PK\x03\x04 not a letter", "application/octet-stream")])
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(intake, msg)
    assert refused.value.smtp_code == 550
    assert "ไม่มีแฟ้ม PDF" in refused.value.smtp_error.decode("utf-8")
    assert not IncomingItem.objects.exists() and not _media_files(settings)


def test_a_file_named_pdf_that_is_not_one_is_refused_with_the_thai_reason(intake, settings):
    msg = _message(attachments=[("หนังสือ.pdf", b"<html>not a pdf</html>", "application/pdf")])
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(intake, msg)
    assert refused.value.smtp_code == 550
    assert uploads.NOT_PDF in refused.value.smtp_error.decode("utf-8")
    assert not IncomingItem.objects.exists() and not _media_files(settings)


def test_the_same_message_id_twice_makes_one_item(intake):
    msg = _message(attachments=[("a.pdf", _pdf(), "application/pdf")])
    _send(intake, msg)
    _send(intake, msg)  # the sending server retries after a lost answer
    assert IncomingItem.objects.count() == 1 and ReceivedMail.objects.count() == 1


def test_without_a_message_id_the_same_bytes_make_one_item(intake):
    raw = _message(attachments=[("a.pdf", _pdf(), "application/pdf")], message_id=None).as_bytes(policy=policy.SMTP)
    for _ in range(2):  # a retry sends the queued bytes again
        with smtplib.SMTP(intake.hostname, intake.port, timeout=30) as client:
            client.sendmail("saraban@moi.go.th", [ADDRESS], raw)
    assert IncomingItem.objects.get().message_id.startswith("email:sha256:")


def test_a_message_over_the_size_limit_is_refused_552(settings, units):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 20_000
    IntakeAddress.objects.create(address=ADDRESS, unit=units["สลค."])
    server = mail_intake.controller("127.0.0.1", _free_port())
    server.start()
    try:
        big = _message(attachments=[("a.pdf", _pdf() + b"%" * (mail_intake.message_size_limit() + 10),
                                     "application/pdf")])
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
            _send(server, big)
    finally:
        server.stop()
    assert refused.value.smtp_code == 552
    assert not IncomingItem.objects.exists()


def test_a_pdf_over_the_upload_limit_inside_a_message_is_refused_552(settings, intake):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 20_000  # the message limit was set when the server started
    with pytest.raises(smtplib.SMTPDataError) as refused:
        _send(intake, _message(attachments=[("a.pdf", _pdf() + b"%" * 30_000, "application/pdf")]))
    assert refused.value.smtp_code == 552 and "ใหญ่เกินกำหนด" in refused.value.smtp_error.decode("utf-8")
    assert not IncomingItem.objects.exists()


def test_several_pdfs_the_first_is_the_letter_the_rest_enclosures(intake, users, client):
    letter, enclosure = _pdf(1), _pdf(2)
    _send(intake, _message(attachments=[("letter.pdf", letter, "application/pdf"),
                                        ("photo.jpg", b"\xff\xd8\xff", "image/jpeg"),
                                        ("รายชื่อ.pdf", enclosure, "application/octet-stream")]))
    item = IncomingItem.objects.get()
    with item.pdf.open("rb") as f:
        assert f.read() == letter
    (attachment,) = ReceivedAttachment.objects.filter(item=item)
    assert attachment.name == "รายชื่อ.pdf"
    with attachment.file.open("rb") as f:
        assert f.read() == enclosure
    assert item.received_mail.skipped == "photo.jpg"  # not kept, named for the clerk

    client.force_login(users["soc.clerk"])
    page = client.get(f"/incoming/{item.pk}/").content.decode()
    assert "photo.jpg" in page and "รายชื่อ.pdf" in page
    download = client.get(f"/incoming/{item.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == enclosure
    client.force_login(users["mfa.clerk"])  # another agency's clerk does not see the item
    assert client.get(f"/incoming/{item.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_portal_letter_fills_in_its_own_number_and_subject(intake):
    spec = {"number": "มท ๐๒๑๘/๗", "date": "2020-05-12", "subject": "การประชุมเชิงปฏิบัติการ",
            "issuer": {"name": "กระทรวงมหาดไทย"}, "recipient": "เลขาธิการคณะรัฐมนตรี", "urgency": "urgent",
            "secrecy": "confidential"}
    _send(intake, _message(subject="Fwd: ส่งหนังสือ", attachments=[("a.pdf", _pdf(spec=spec), "application/pdf")]))
    item = IncomingItem.objects.get()
    assert (item.their_number, item.dated.isoformat(), item.subject, item.sender_text) == (
        "มท ๐๒๑๘/๗", "2020-05-12", "การประชุมเชิงปฏิบัติการ", "กระทรวงมหาดไทย")
    assert item.urgency == Urgency.URGENT
    assert item.secrecy == 0  # a clerk's decision, never the e-mail's
    assert item.received_mail.subject == "Fwd: ส่งหนังสือ"


def test_a_database_failure_answers_451_keeps_nothing_and_the_retry_succeeds(intake, settings):
    """The last write of the receipt fails in PostgreSQL itself: the item and its file go too; the
    sending server's retry then makes the one item."""
    with connection.cursor() as cur:
        cur.execute("CREATE FUNCTION intake_test_fail() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql")
        cur.execute("CREATE TRIGGER intake_test_fail BEFORE INSERT ON correspondence_receivedmail "
                    "FOR EACH ROW EXECUTE FUNCTION intake_test_fail()")
    msg = _message(attachments=[("a.pdf", _pdf(), "application/pdf"), ("b.pdf", _pdf(2), "application/pdf")])
    try:
        with pytest.raises(smtplib.SMTPDataError) as failed:
            _send(intake, msg)
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP TRIGGER intake_test_fail ON correspondence_receivedmail")
            cur.execute("DROP FUNCTION intake_test_fail()")
    assert failed.value.smtp_code == 451
    assert not IncomingItem.objects.exists() and not ReceivedAttachment.objects.exists()
    assert not _media_files(settings)  # no orphan letter or enclosure file

    _send(intake, msg)
    assert IncomingItem.objects.count() == 1 and ReceivedAttachment.objects.count() == 1


def test_the_command_reads_its_bind_address():
    assert mail_intake.parse_bind("127.0.0.1:2525") == ("127.0.0.1", 2525)
    assert mail_intake.parse_bind("[::1]:25") == ("::1", 25)
    with pytest.raises(ValueError):
        mail_intake.parse_bind("localhost")
