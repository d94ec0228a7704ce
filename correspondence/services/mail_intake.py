"""The e-mail intake (รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์): a message sent to a unit's intake address
becomes an incoming item, received and not registered, in that unit's queue for a clerk to check and
register (docs/mail-intake.md). The SMTP side is correspondence/mail_intake.py.

What a message must carry: at least one PDF attachment (by content type or a ``.pdf`` name), each passing
the portal's upload checks. The first PDF is the letter; the others are kept as its สิ่งที่ส่งมาด้วย
(ReceivedAttachment); other attachments are not kept, their names are noted for the clerk. The sender is
not authenticated: the item is marked so, and nothing is ever registered or classified automatically.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction

from correspondence.models import Channel, IncomingItem, ReceivedAttachment, ReceivedMail
from correspondence.services import receiving, uploads
from eoffice.levels import Secrecy, Urgency

logger = logging.getLogger("eoffice.mail_intake")

NO_SUBJECT = "ไม่ระบุเรื่อง (รับทางไปรษณีย์อิเล็กทรอนิกส์)"
NO_PDF = "ไม่มีแฟ้ม PDF แนบมา ระบบรับเฉพาะหนังสือที่แนบเป็นแฟ้ม PDF"
UNKNOWN_ADDRESS = "ไม่มีหน่วยงานที่รับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์ที่ที่อยู่นี้"
UNSTORABLE = "ข้อความมีอักขระที่ไม่อนุญาตหรือยาวเกินกำหนด"
TRY_LATER = "ระบบรับหนังสือขัดข้องชั่วคราว กรุณาส่งใหม่ภายหลัง"
BODY_KEPT = 4000  # characters of the message text kept for the clerk
_KEY_PREFIX = "email:"


class MailRefused(Exception):
    """A message (or recipient) the intake answers with an SMTP error: ``code`` 5xx for good, 4xx for later."""

    def __init__(self, code: int, status: str, english: str, thai: str):
        super().__init__(thai)
        self.code, self.status, self.english, self.thai = code, status, english, thai

    def reply(self) -> str:
        return smtp_reply(self.code, self.status, self.english, self.thai)


def smtp_reply(code: int, status: str, english: str, thai: str) -> str:
    """One reply line, English then Thai, within SMTP's 512 octets (Thai letters take three each)."""
    head = f"{code} {status} {english}: "
    room = 500 - len(head.encode("utf-8"))
    text = " ".join(thai.split())
    while len(text.encode("utf-8")) > room:
        text = text[:-1]
    return head + text


@dataclass
class ParsedMail:
    """What the intake keeps of one message."""

    subject: str
    sender: str
    sent_at: dt.datetime | None
    message_id: str
    key: str  # what makes the item once per unit (IncomingItem.message_id)
    pdfs: list[tuple[str, bytes]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    body: str = ""


def _clean(text, limit: int) -> str:
    # NUL and line breaks are no part of a header value the register stores.
    return " ".join(str(text or "").replace("\x00", " ").split())[:limit]


def _sender(message: EmailMessage, envelope_sender: str) -> str:
    try:
        pairs = getaddresses([str(message.get("from") or "")])
    except Exception:  # a malformed From is the sender's problem: fall back to the envelope
        pairs = []
    for name, address in pairs:
        if address:
            return _clean(f"{name} <{address}>" if name else address, 500)
    return _clean(envelope_sender, 500) or "ไม่ระบุผู้ส่ง"


def _sent_at(message: EmailMessage) -> dt.datetime | None:
    try:
        value = message.get("date")
        when = getattr(value, "datetime", None)
    except Exception:
        return None
    return when if when is not None and when.tzinfo is not None else None


def _is_pdf(part) -> bool:
    name = (part.get_filename() or "").lower()
    return part.get_content_type() == "application/pdf" or name.endswith(".pdf")


def _body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
    except Exception:
        return ""
    return str(text).replace("\x00", "").strip()[:BODY_KEPT]


def _key(message_id: str, raw: bytes) -> str:
    """The item's message id: the e-mail's own Message-ID (a retry by the sending server keeps it), or the
    digest of the whole message when there is none (a retry sends the same bytes)."""
    if message_id and len(_KEY_PREFIX + message_id) <= 128:
        return _KEY_PREFIX + message_id
    basis = message_id.encode("utf-8", "replace") if message_id else raw
    return f"{_KEY_PREFIX}sha256:{hashlib.sha256(basis).hexdigest()}"


def mail_parse(raw: bytes, *, envelope_sender: str = "") -> ParsedMail:
    """The message as the intake sees it (the stdlib ``email`` package, policy ``default``)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        subject = _clean(message.get("subject"), 1000)
    except Exception:
        subject = ""
    message_id = _clean(message.get("message-id"), 500)
    mail = ParsedMail(subject=subject, sender=_sender(message, envelope_sender), sent_at=_sent_at(message),
                      message_id=message_id, key=_key(message_id, raw), body=_body(message))
    body_part = None
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        pass
    for part in message.walk():
        if part.is_multipart() or part is body_part:
            continue
        name = _clean(part.get_filename(), 200)
        if _is_pdf(part):
            mail.pdfs.append((name or f"attachment-{len(mail.pdfs) + 1}.pdf", part.get_payload(decode=True) or b""))
        elif name or part.get_content_disposition() == "attachment":
            mail.skipped.append(name or part.get_content_type())
    return mail


def _check_pdfs(mail: ParsedMail) -> None:
    """Every PDF through the upload checks: one that fails refuses the whole message, with the reason."""
    if not mail.pdfs:
        raise MailRefused(550, "5.7.1", "no PDF attachment", NO_PDF)
    for name, data in mail.pdfs:
        try:
            uploads.pdf_check(ContentFile(data))
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            if len(data) > _max_bytes():
                raise MailRefused(552, "5.3.4", "attachment too large", f"{name}: {reason}") from None
            raise MailRefused(550, "5.7.1", "attachment refused", f"{name}: {reason}") from None


def _max_bytes() -> int:
    from django.conf import settings

    return settings.EOFFICE_MAX_UPLOAD_BYTES


def _fields(mail: ParsedMail, letter: bytes) -> tuple[dict, dict]:
    """The item's fields as the e-mail gives them, and those read from the PDF (which give way if the
    service refuses them). The portal's own letters carry ``letter.json``: taken as written, except
    secrecy (a clerk's decision). From the page text only the number and date, which the service checks;
    subject and sender stay what the e-mail says unless it says nothing."""
    found = receiving.pdf_prefill(ContentFile(letter))
    given = {"subject": mail.subject or NO_SUBJECT, "sender_text": mail.sender}
    wanted = {"their_number", "dated"}
    if found.get("source") == "letter.json":
        wanted |= {"subject", "sender_text", "addressee", "urgency"}
    elif not mail.subject:
        wanted.add("subject")
    read = {}
    for key in wanted:
        value = found.get(key)
        if key == "dated" and value:
            try:
                value = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                value = None
        if value not in (None, ""):
            read[key] = value
    return given, read


def _receive(unit, given: dict, read: dict, letter: bytes, key: str) -> IncomingItem:
    """incoming_receive, with what was read from the PDF dropped where it refuses it (the e-mail's own
    values stand); anything else it refuses refuses the message."""
    while True:
        fields = {**given, **read}
        try:
            return receiving.incoming_receive(
                unit=unit, by=None, channel=Channel.EMAIL, secrecy=Secrecy.NORMAL,
                urgency=fields.get("urgency", Urgency.NORMAL), subject=str(fields["subject"])[:1000],
                sender_text=str(fields["sender_text"])[:500], their_number=str(fields.get("their_number", "")),
                dated=fields.get("dated"), addressee=str(fields.get("addressee", ""))[:500],
                pdf=ContentFile(letter, name="letter.pdf"), message_id=key)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            if not set(errors) <= set(read):
                reason = " ".join(m for ms in errors.values() for m in ms)
                raise MailRefused(550, "5.7.1", "letter refused", reason) from None
            for name in errors:
                del read[name]


def mail_receive(unit, mail: ParsedMail, *, address: str, envelope_sender: str = "") -> tuple[IncomingItem, bool]:
    """One incoming item in ``unit``'s queue for the message, or the item it already made (the same
    Message-ID again: a retry, or the message sent twice). Returns (item, created).

    Raises MailRefused for a message the portal will never take (no PDF, a PDF refused by the checks).
    Any other error propagates after the transaction is rolled back and the files written are removed:
    the caller answers 451 and the sending server tries again."""
    existing = IncomingItem.objects.filter(unit=unit, message_id=mail.key).first()
    if existing is not None:
        return existing, False
    _check_pdfs(mail)
    (_, letter), *enclosures = mail.pdfs
    given, read = _fields(mail, letter)
    written: list = []  # files stored so far, removed if the message is not kept
    try:
        with transaction.atomic():
            item = _receive(unit, given, read, letter, mail.key)
            written.append(item.pdf)
            for order, (name, data) in enumerate(enclosures):
                row = ReceivedAttachment(item=item, order=order, name=name[:255],
                                         sha256=hashlib.sha256(data).hexdigest())
                row.file.save(uploads.stored_name(), ContentFile(data), save=False)
                written.append(row.file)
                row.save()
            ReceivedMail.objects.create(
                item=item, address=address[:254], sender=mail.sender, envelope_sender=_clean(envelope_sender, 500),
                subject=mail.subject, sent_at=mail.sent_at, message_id=mail.message_id, body=mail.body,
                skipped="\n".join(mail.skipped))
    except IntegrityError:
        uploads.discard_written(*written)
        # The same message to the same unit at the same moment: the first one's item, once committed.
        existing = IncomingItem.objects.filter(unit=unit, message_id=mail.key).first()
        if existing is None:
            raise
        return existing, False
    except DataError:
        uploads.discard_written(*written)
        raise MailRefused(550, "5.6.0", "message not storable", UNSTORABLE) from None
    except BaseException:
        uploads.discard_written(*written)
        raise
    logger.info("mail intake: item %s in unit %s from %s (%s)", item.pk, unit.pk, mail.sender, mail.message_id)
    return item, True
