"""The exchange envelope (docs/exchange.md): the fields of domain notes §8 for one letter to one
recipient, built from an outgoing letter and checked, field by field, when it arrives.

Codes follow DGA's tables: urgency and secrecy ``001``–``004``. Dates are ISO 8601 (Gregorian); the
letter number is sent as written on the letter (Thai digits as issued).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from correspondence.exchange.selectors import agency_exchange_id
from correspondence.models import Letter, LetterRecipient
from correspondence.services.letters import TOP_SECRET_REFUSAL
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

VERSION = "1"
MAX_TEXT = {"subject": 1000, "number": 128, "addressee": 500}
MAX_NAME = 500  # a sender's or receiver's name and the issuer line: as long as the item's sender column


class EnvelopeError(Exception):
    """An envelope that cannot be accepted: ``errors`` maps a field path to Thai messages; ``code``
    says why for the sender's software (``invalid_envelope`` or ``top_secret``)."""

    def __init__(self, errors: dict[str, list[str]], code: str = "invalid_envelope"):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors
        self.code = code


TOP_SECRET_MESSAGE = TOP_SECRET_REFUSAL


def _level(levels, value) -> dict:
    member = levels(value)
    return {"code": member.dga_code, "name": member.label}


def _party(agency, name: str = "") -> dict:
    return {"id": agency_exchange_id(agency) if agency else "", "name": name or (agency.name if agency else "")}


def envelope_build(letter: Letter, recipient: LetterRecipient) -> dict:
    """The envelope of ``letter`` for one recipient. ลับที่สุด never leaves electronically."""
    if letter.secrecy >= Secrecy.TOP_SECRET:
        raise ValidationError({"secrecy": TOP_SECRET_MESSAGE})
    if not letter.number or not letter.issued_on:
        raise ValidationError({"number": "ส่งได้เฉพาะหนังสือที่ออกเลขแล้ว"})
    content = letter.content or {}
    issuer = (content.get("issuer") or {}).get("name") or letter.issuing_unit.top.name
    recipients = [
        {**_party(r.agency, r.name), "copy": r.is_copy}
        for r in letter.recipients.select_related("agency").order_by("is_copy", "pk")
    ]
    references = [
        {"text": ref.text or (ref.entry.their_number if ref.entry_id else "")}
        for ref in letter.references.select_related("entry").order_by("order")
    ]
    enclosures = [
        {"order": e.order, "description": e.description, "quantity": e.quantity,
         "file": e.file.name.rsplit("/", 1)[-1] if e.file else ""}
        for e in letter.enclosures.order_by("order")
    ]
    return {
        "version": VERSION,
        "sender": {**_party(letter.issuing_unit), "issuer": issuer},
        "receiver": _party(recipient.agency, recipient.name if not recipient.agency else ""),
        "number": letter.number,
        "date": letter.issued_on.isoformat(),
        "subject": letter.subject,
        "addressee": content.get("recipient") or "",
        "urgency": _level(Urgency, letter.urgency),
        "deliver_by": letter.deliver_by.isoformat() if letter.deliver_by else None,
        "secrecy": _level(Secrecy, letter.secrecy),
        "recipients": recipients,
        "references": references,
        "enclosures": enclosures,
        "sender_ref": {"letter": letter.pk, "recipient": recipient.pk},
    }


def envelope_documents(letter: Letter) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The signed PDF and the enclosure files, as ``send_envelope`` takes them."""
    if not letter.pdf:
        raise ValidationError({"pdf": "หนังสือยังไม่มีไฟล์ PDF ที่ลงนามแล้ว"})
    with letter.pdf.open("rb") as f:
        pdf = f.read()
    attachments = []
    for e in letter.enclosures.order_by("order"):
        if e.file:
            with e.file.open("rb") as f:
                attachments.append((e.file.name.rsplit("/", 1)[-1], f.read()))
    return pdf, attachments


# --- receiving side ----------------------------------------------------------------------------------------


@dataclass
class Envelope:
    """An envelope that passed every check."""

    sender_id: str
    sender_name: str
    issuer: str
    receiver_id: str
    receiver_name: str
    number: str
    date: dt.date
    subject: str
    addressee: str
    urgency: int
    secrecy: int
    deliver_by: dt.datetime | None
    recipients: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    enclosures: list[dict] = field(default_factory=list)
    sender_ref: dict = field(default_factory=dict)


def _text(data: dict, key: str, errors: dict, label: str, required: bool = True) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(key, []).append(f"{label}ต้องเป็นข้อความ")
        return ""
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL stores no NUL character: refused here, not as a server error at the insert.
        errors.setdefault(key, []).append(f"{label}มีอักขระที่ไม่อนุญาต")
        return ""
    if required and not value:
        errors.setdefault(key, []).append(f"ไม่มี{label}")
    limit = MAX_TEXT.get(key)
    if limit and len(value) > limit:
        errors.setdefault(key, []).append(f"{label}ยาวเกิน {limit} ตัวอักษร")
    return value


def _code(data: dict, key: str, levels, errors: dict, label: str) -> int:
    value = data.get(key)
    code = value.get("code") if isinstance(value, dict) else value
    valid = {m.dga_code: int(m) for m in levels}
    if not isinstance(code, str) or code not in valid:
        errors.setdefault(f"{key}.code", []).append(f"รหัส{label}ต้องเป็น {', '.join(valid)}")
        return 0
    return valid[code]


def _party_in(data: dict, key: str, errors: dict, label: str) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, dict):
        errors.setdefault(key, []).append(f"ไม่มีข้อมูล{label}")
        return "", ""
    pid, name = value.get("id") or "", value.get("name") or ""
    if not isinstance(pid, str) or not isinstance(name, str) or not (pid.strip() or name.strip()):
        errors.setdefault(f"{key}.id", []).append(f"ไม่มีรหัสหรือชื่อ{label}")
        return "", ""
    if len(pid) > MAX_NAME or len(name) > MAX_NAME or "\x00" in pid + name:
        errors.setdefault(f"{key}.name", []).append(f"รหัสหรือชื่อ{label}ยาวเกิน {MAX_NAME} ตัวอักษรหรือมีอักขระที่ไม่อนุญาต")
        return "", ""
    return pid.strip(), name.strip()


def _list_of_dicts(data: dict, key: str, errors: dict, label: str) -> list[dict]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.setdefault(key, []).append(f"{label}ต้องเป็นรายการ")
        return []
    return value


def envelope_parse(data) -> Envelope:
    """Every problem of an incoming envelope at once (EnvelopeError), or the checked envelope."""
    if not isinstance(data, dict):
        raise EnvelopeError({"envelope": ["ซองหนังสือต้องเป็นออบเจกต์ JSON"]})
    errors: dict[str, list[str]] = {}
    if str(data.get("version", "")) != VERSION:
        errors["version"] = [f"รุ่นของซองหนังสือต้องเป็น {VERSION}"]
    secrecy = _code(data, "secrecy", Secrecy, errors, "ชั้นความลับ")
    if secrecy == Secrecy.TOP_SECRET:
        # Refused before anything else is read: nothing of it is kept.
        raise EnvelopeError({"secrecy": [TOP_SECRET_MESSAGE]}, code="top_secret")
    urgency = _code(data, "urgency", Urgency, errors, "ชั้นความเร็ว")
    sender_id, sender_name = _party_in(data, "sender", errors, "ส่วนราชการผู้ส่ง")
    receiver_id, receiver_name = _party_in(data, "receiver", errors, "ส่วนราชการผู้รับ")
    issuer = ""
    if isinstance(data.get("sender"), dict):
        issuer = _text(data["sender"], "issuer", errors, "ชื่อส่วนราชการเจ้าของหนังสือ", required=False)
        if len(issuer) > MAX_NAME:
            errors.setdefault("sender.issuer", []).append(
                f"ชื่อส่วนราชการเจ้าของหนังสือยาวเกิน {MAX_NAME} ตัวอักษร")
    number = _text(data, "number", errors, "เลขที่หนังสือ")
    if number:
        try:
            thai.parse_letter_number(number)
        except thai.ThaiFormatError:
            try:
                thai.parse_yearly_number(number)
            except thai.ThaiFormatError as exc:
                errors.setdefault("number", []).append(str(exc))
    subject = _text(data, "subject", errors, "เรื่อง")
    addressee = _text(data, "addressee", errors, "คำขึ้นต้นถึง", required=False)
    date = None
    try:
        date = dt.date.fromisoformat(str(data.get("date") or ""))
    except ValueError:
        errors.setdefault("date", []).append("วันที่ของหนังสือต้องเป็นรูปแบบ YYYY-MM-DD")
    deliver_by = None
    if data.get("deliver_by"):
        try:
            deliver_by = dt.datetime.fromisoformat(str(data["deliver_by"]))
            if deliver_by.tzinfo is None:
                raise ValueError
        except ValueError:
            errors.setdefault("deliver_by", []).append("กำหนดด่วนภายในต้องเป็นวันเวลา ISO 8601 พร้อมเขตเวลา")
    recipients = _list_of_dicts(data, "recipients", errors, "รายชื่อผู้รับ")
    references = _list_of_dicts(data, "references", errors, "รายการอ้างถึง")
    enclosures = _list_of_dicts(data, "enclosures", errors, "รายการสิ่งที่ส่งมาด้วย")
    sender_ref = data.get("sender_ref") if isinstance(data.get("sender_ref"), dict) else {}
    if errors:
        raise EnvelopeError(errors)
    return Envelope(
        sender_id=sender_id, sender_name=sender_name, issuer=issuer, receiver_id=receiver_id,
        receiver_name=receiver_name, number=number, date=date, subject=subject, addressee=addressee,
        urgency=urgency, secrecy=secrecy, deliver_by=deliver_by, recipients=recipients, references=references,
        enclosures=enclosures, sender_ref=sender_ref,
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
