"""By e-mail to an addressee outside any portal: the letter's PDF attached, subject and body in Thai,
through the portal's mail settings (EMAIL_URL). The message id goes in the Message-ID header, so a
repeat after a crash is recognisable as the same message by the addressee's mail system.

Never used for classified letters (the send step gives them no e-mail row).
"""
from __future__ import annotations

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from correspondence.delivery import Delivered, PermanentFailure, TemporaryFailure, pause_hook
from correspondence.models import OutboxMessage
from eoffice import thai
from eoffice.levels import Urgency


def message(row: OutboxMessage) -> EmailMessage:
    letter, rec = row.letter, row.recipient
    if not letter.pdf:
        raise PermanentFailure("หนังสือยังไม่มีไฟล์ PDF ส่งทางไปรษณีย์อิเล็กทรอนิกส์ไม่ได้")
    issuer = (letter.content.get("issuer") or {}).get("name") or letter.issuing_unit.top.name
    urgency = f"[{Urgency(letter.urgency).label}] " if letter.urgency else ""
    dated = thai.format_date(letter.issued_on) if letter.issued_on else "-"
    subject = f"{urgency}หนังสือ{issuer} ที่ {letter.number} เรื่อง {letter.subject}"
    body = "\n".join([
        f"เรียน {rec.name or 'ผู้รับ'}",
        "",
        f"{issuer} ขอส่งหนังสือที่ {letter.number} ลงวันที่ {dated} เรื่อง {letter.subject} "
        "ตามไฟล์ที่แนบมาพร้อมนี้",
        "",
        "ไปรษณีย์อิเล็กทรอนิกส์ฉบับนี้ส่งจากระบบสารบรรณอิเล็กทรอนิกส์ โปรดอย่าตอบกลับ",
        f"รหัสข้อความ: {row.message_id}",
    ])
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or "localhost"
    mail = EmailMessage(subject=" ".join(subject.split()), body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[rec.email], headers={"Message-ID": f"<{row.message_id}@{domain}>",
                                                 "X-Eoffice-Message-Id": row.message_id})
    with letter.pdf.open("rb") as f:
        mail.attach(f"letter-{thai.to_arabic_digits(letter.number).replace(' ', '').replace('/', '-')}.pdf",
                    f.read(), "application/pdf")
    for enc in letter.enclosures.all():
        if enc.file:
            with enc.file.open("rb") as f:
                mail.attach(enc.file.name.rsplit("/", 1)[-1], f.read())
    return mail


def deliver(row: OutboxMessage) -> Delivered:
    mail = message(row)
    pause_hook(row)
    try:
        connection = get_connection(timeout=settings.EOFFICE_OUTBOX_SMTP_TIMEOUT)
        mail.connection = connection
        mail.send()
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        reason = f"เครื่องแม่ข่ายไปรษณีย์ปฏิเสธผู้รับ {row.recipient.email} ({', '.join(map(str, codes))})"
        if all(c >= 500 for c in codes):
            raise PermanentFailure(reason) from exc
        raise TemporaryFailure(reason) from exc
    except smtplib.SMTPResponseException as exc:
        reason = f"เครื่องแม่ข่ายไปรษณีย์ตอบ {exc.smtp_code}"
        if exc.smtp_code >= 500:
            raise PermanentFailure(reason) from exc
        raise TemporaryFailure(reason) from exc
    except (smtplib.SMTPException, OSError, socket.timeout) as exc:
        raise TemporaryFailure(f"ติดต่อเครื่องแม่ข่ายไปรษณีย์ไม่ได้: {exc}") from exc
    return Delivered(status="sent", detail={"to": row.recipient.email})
