"""Receiving (หมวด ๒): an incoming item is received, registered with the unit's next receipt number,
routed to units below (each may register it again), minuted (เกษียน), acknowledged and closed.

Unclassified items are registered in the unit's ทะเบียนหนังสือรับ; classified ones in its
ทะเบียนควบคุมข้อมูลข่าวสารลับ, which only its registrar sees.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Official, Role
from agencies.selectors import official_for, role_holders
from correspondence import permissions
from correspondence.models import (
    BookKind,
    Channel,
    IncomingItem,
    ItemState,
    Minute,
    RecipientState,
    ReminderKind,
    Routing,
)
from correspondence.rendering.spec import received_date_problem
from correspondence.services import grants, numbering, reminders, uploads
from correspondence.services.letters import TOP_SECRET_REFUSAL, _grant_to_registrars, _number_key
from correspondence.signals import item_registered, item_rejected
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

# เกษียน: the usual instructions; free text must begin with one of them.
MINUTE_ACTIONS = ("เพื่อโปรดทราบ", "เพื่อโปรดพิจารณา", "มอบ", "จัดเข้าวาระ", "เพื่อทราบ", "เพื่อดำเนินการ")

number_key = _number_key


def require_registry(user, unit: Agency, secrecy: int) -> None:
    """Classified items are handled by the unit's secret-document registrar, the rest by its clerks."""
    if secrecy >= Secrecy.CONFIDENTIAL:
        permissions.require(permissions.has_role(user, Role.SECRET_REGISTRAR, unit=unit)
                            and permissions.clearance(user) >= secrecy,
                            f"หนังสือชั้นความลับต้องดำเนินการโดยนายทะเบียนเอกสารลับของ{unit.name}")
    else:
        permissions.require_clerk(user, unit)


def _today() -> dt.date:
    return thai.bangkok_date(timezone.now())


_MONTHS = "|".join(thai.THAI_MONTHS + thai.THAI_MONTHS_SHORT).replace(".", r"\.")
_FULL_MONTHS = "|".join(thai.THAI_MONTHS)
_NUMBER_RE = re.compile(r"ที่\s+([^\s\d๐-๙/]+\s*[\d๐-๙][\d๐-๙.]*\s*/\s*[^\s]*?\s?[\d๐-๙]+)")
# A letter's own date is written in full on a line of its own (๑๗ กันยายน ๒๕๖๓); receipt stamps use short
# months (29 ก.ย. 63), so a full-month line is taken first.
_LETTER_DATE_RE = re.compile(rf"^\s*([\d๐-๙]{{1,2}}\s+(?:{_FULL_MONTHS})\s+(?:พ\.ศ\.\s*)?[\d๐-๙]{{4}})\s*$", re.M)
_DATE_RE = re.compile(rf"([\d๐-๙]{{1,2}}\s*(?:{_MONTHS})\s*(?:พ\.ศ\.\s*)?[\d๐-๙]{{2,4}})")
# เรื่อง at the start of a line (not รหัสเรื่อง : … of a stamp), running on until the salutation or a gap.
_SUBJECT_RE = re.compile(r"^\s*เรื่อง\s+(.+?)(?=\n\s*\n|\n\s*(?:เรียน|กราบเรียน|ถึง|อ้างถึง|สิ่งที่ส่งมาด้วย)\s|\Z)",
                         re.M | re.S)
_AGENCY_START = ("กระทรวง", "กรม", "สำนัก", "ศาล", "มหาวิทยาลัย", "จังหวัด", "องค์การ", "การ", "ทบวง", "สถาบัน",
                 "ศูนย์", "กอง", "คณะ", "ธนาคาร", "ที่ทำการ", "สถานเอกอัครราชทูต")
_ADDRESS_RE = re.compile(r"ถนน|ถ\.\s|ซอย|กรุงเทพ|กทม|จังหวัด|อำเภอ|ตำบล")


def text_prefill(text: str) -> dict:
    """Fields read from a letter's text (pdftotext -layout of page 1): number, date, sender, subject."""
    out = {"source": "text"}
    if m := _NUMBER_RE.search(text):
        out["their_number"] = " ".join(m.group(1).split())
        # -layout puts the issuer on the number's line, far to the right
        rest = text[m.end():text.find("\n", m.end()) if "\n" in text[m.end():] else len(text)]
        if re.match(r"\s{2,}\S", rest) and rest.strip().startswith(_AGENCY_START):
            out["sender_text"] = " ".join(rest.split())
    m = _LETTER_DATE_RE.search(text) or _DATE_RE.search(text)
    if m:
        try:
            out["dated"] = thai.parse_date(m.group(1).strip()).isoformat()
        except thai.ThaiFormatError:
            pass
    if m := _SUBJECT_RE.search(text):
        out["subject"] = " ".join(m.group(1).split())
    if "sender_text" not in out:
        lines = [line.strip() for line in text.splitlines()]
        for i, line in enumerate(lines):
            following = next((x for x in lines[i + 1:] if x), "")
            if line.startswith(_AGENCY_START) and _ADDRESS_RE.search(following):
                out["sender_text"] = " ".join(line.split())
                break
    return out


def pdf_prefill(f) -> dict:
    """Fields for the clerk to confirm: from the attached ``letter.json`` our renderer embeds, else
    from the text of page 1 (poppler's pdftotext, which honours ActualText)."""
    from pypdf import PdfReader

    f.seek(0)
    try:
        reader = PdfReader(f)
        attachments = reader.attachments
    except Exception:  # a damaged PDF still goes to the clerk, with nothing filled in
        return {}
    finally:
        f.seek(0)
    data = attachments.get("letter.json")
    if data:
        try:
            spec = json.loads(data[0])
        except ValueError:
            spec = None
        if isinstance(spec, dict):
            out = {"their_number": spec.get("number") or "", "dated": spec.get("date"),
                   "sender_text": (spec.get("issuer") or {}).get("name") or "", "subject": spec.get("subject") or "",
                   "addressee": spec.get("recipient") or "", "source": "letter.json"}
            for key, enum in (("urgency", Urgency), ("secrecy", Secrecy)):
                try:
                    out[key] = int(enum.from_spec(spec.get(key) or "normal"))
                except KeyError:
                    pass
            return out
    return text_prefill(_page_text(f))


def _page_text(f) -> str:
    exe = shutil.which("pdftotext")
    f.seek(0)
    data = f.read()
    f.seek(0)
    if exe:
        done = subprocess.run([exe, "-l", "1", "-layout", "-", "-"], input=data, capture_output=True, timeout=30)
        if done.returncode == 0:
            return done.stdout.decode("utf-8", "replace")
    return ""


# --- receiving ------------------------------------------------------------------------------------------------

# ที่ of a letter without a number: the register writes "-" (ทะเบียนหนังสือรับ), so a dash typed there is no number.
NO_NUMBER = ("-", "—", "–")


def their_number_clean(text: str | None) -> str:
    """The sender's number as stored: trimmed, and empty for a letter without one (``-``). One rule for the
    page, the API and the exchange."""
    number = (text or "").strip()
    return "" if number in NO_NUMBER else number


def _details_problems(*, by, channel: str, subject: str, sender_text: str, their_number: str,
                      dated: dt.date | None, urgency: int, secrecy: int, with_pdf: bool) -> dict:
    """What is wrong with a received letter's details, by field (empty: nothing). One set of rules for
    receiving an item and for correcting it before it is registered. ``by`` None: a delivery nobody typed
    (another portal, the mail intake), whose secrecy no clearance limits."""
    errors = {}
    if channel not in (Channel.SCAN, Channel.EMAIL, Channel.PEER):
        errors["channel"] = "ช่องทางต้องเป็น สแกนจากกระดาษ ไปรษณีย์อิเล็กทรอนิกส์ หรือระบบสารบรรณอิเล็กทรอนิกส์อื่น"
    if not (subject or "").strip():
        errors["subject"] = "กรุณาระบุเรื่อง"
    if not (sender_text or "").strip():
        errors["sender_text"] = "กรุณาระบุผู้ส่ง"
    if problem := received_date_problem(dated, _today()):
        errors["dated"] = problem
    if secrecy not in Secrecy.values:
        errors["secrecy"] = "ชั้นความลับไม่ถูกต้อง"
    if urgency not in Urgency.values:
        errors["urgency"] = "ชั้นความเร็วไม่ถูกต้อง"
    if secrecy == Secrecy.TOP_SECRET and (channel in (Channel.EMAIL, Channel.PEER) or with_pdf):
        errors["secrecy"] = TOP_SECRET_REFUSAL
    elif (secrecy in Secrecy.values and secrecy >= Secrecy.CONFIDENTIAL and by is not None
          and permissions.clearance(by) < secrecy):
        errors["secrecy"] = "ท่านได้รับอนุญาตชั้นความลับไม่ถึงชั้นของหนังสือนี้ ให้นายทะเบียนเอกสารลับเป็นผู้รับ"
    if their_number:
        try:
            thai.parse_letter_number(their_number)
        except thai.ThaiFormatError:
            try:
                thai.parse_yearly_number(their_number)
            except thai.ThaiFormatError as exc:
                errors["their_number"] = str(exc)
    return errors


@transaction.atomic
def incoming_receive(*, unit: Agency, by, channel: str, subject: str, sender_text: str, their_number: str = "",
                     dated: dt.date | None = None, sender_agency: Agency | None = None, addressee: str = "",
                     urgency: int = Urgency.NORMAL, secrecy: int = Secrecy.NORMAL, deliver_by=None, pdf=None,
                     at: dt.datetime | None = None, message_id: str = "") -> IncomingItem:
    """A letter that reached the unit outside the portal: a clerk's scan, an e-mail, another portal.

    ``by`` is None only for channel ``peer`` (the other portal proved who it is with its signed request,
    correspondence.exchange) and ``email`` (the mail intake, correspondence.services.mail_intake): the item
    waits in the unit's queue for a clerk to check and register."""
    peer_delivery = by is None and channel in (Channel.PEER, Channel.EMAIL)
    if not peer_delivery:
        require_registry(by, unit, secrecy if secrecy in Secrecy.values else Secrecy.NORMAL)
    their_number = their_number_clean(their_number)
    errors = _details_problems(by=by, channel=channel, subject=subject,
                               sender_text=sender_text, their_number=their_number, dated=dated, urgency=urgency,
                               secrecy=secrecy, with_pdf=bool(pdf))
    if pdf is not None and "pdf" not in errors:
        try:
            uploads.pdf_check(pdf)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    item = IncomingItem(
        unit=unit, channel=channel, state=ItemState.RECEIVED, their_number=their_number,
        their_number_key=_number_key(their_number), dated=dated, sender_agency=sender_agency,
        sender_text=sender_text.strip(), addressee=addressee, subject=subject.strip(), urgency=urgency,
        secrecy=secrecy, deliver_by=deliver_by, received_at=at or timezone.now(), received_by=by,
        message_id=(message_id or "")[:128],
    )
    item._history_user = by
    if pdf is not None:
        item.pdf.save(uploads.stored_name(), pdf, save=False)
    try:
        item.save()
    except Exception:
        # The row was refused (the same message id again, a value too long): no file without its item.
        uploads.discard_written(item.pdf)
        raise
    if secrecy >= Secrecy.CONFIDENTIAL:
        if by is not None:
            grants.grant_view(item, by)
        _grant_to_registrars(item)
    return item


def duplicate_find(user, *, unit, their_number: str, dated: dt.date | None,
                   sender_agency: Agency | None = None, sender_text: str = "",
                   exclude_pk: int | None = None, verified: bool = True) -> IncomingItem | None:
    """The first item registered in ``unit`` with the same sender number (digits and spaces normalised),
    date and sender. Only among items ``user`` may see: a warning must not reveal an ungranted classified
    item; ``verified=False`` (no second factor in this session): among unclassified items only."""
    key = _number_key(their_number_clean(their_number))
    if not key or not dated:
        return None
    if sender_agency:
        same_sender = Q(sender_agency=sender_agency)
    else:
        same_sender = Q(sender_text=(sender_text or "").strip())
    qs = permissions.visible_items(user).filter(same_sender, unit=unit, their_number_key=key, dated=dated,
                                                registered_at__isnull=False)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if not verified:
        qs = qs.filter(secrecy=Secrecy.NORMAL)
    return qs.order_by("registered_at").first()


def item_duplicate(item: IncomingItem, user, *, verified: bool = True) -> IncomingItem | None:
    """What registering ``item`` would link it to as ``duplicate_of`` (for ``user``'s eyes)."""
    return duplicate_find(user, unit=item.unit, their_number=item.their_number, dated=item.dated,
                          sender_agency=item.sender_agency, sender_text=item.sender_text, exclude_pk=item.pk,
                          verified=verified)


def duplicate_question(duplicate: IncomingItem) -> str:
    """The question put to the clerk before a second receipt number is taken for the same letter."""
    at = duplicate.registered_at
    return (f"มีหนังสือที่ {duplicate.their_number} ลงวันที่ {thai.format_date(duplicate.dated)} "
            f"จาก{duplicate.sender_text} รับไว้แล้ว เมื่อ {thai.format_date(at, 'short_year4')} "
            f"{thai.format_time(at)} เลขรับ {thai.to_thai_digits(duplicate.receipt_number)} "
            "— ยืนยันการลงรับซ้ำหรือไม่")


class DuplicateNotConfirmed(ValidationError):
    """Registering would take a second receipt number for a letter already registered: asked first."""

    def __init__(self, duplicate: IncomingItem):
        self.duplicate = duplicate
        self.question = duplicate_question(duplicate)
        super().__init__({"duplicate": self.question})


# Items whose details a clerk typed or a machine read from outside; a letter from this portal and a copy
# routed from the unit above carry the details of records already in the portal.
CORRECTABLE_CHANNELS = (Channel.SCAN, Channel.EMAIL, Channel.PEER)


def require_correctable(item: IncomingItem, by) -> None:
    """Who may correct an item's details, and when: those who may register it (PermissionDenied), and only
    before it is registered, for the register line is the record from then on (ValidationError)."""
    require_registry(by, item.unit, item.secrecy)
    if item.state == ItemState.REJECTED:
        raise ValidationError({"state": "หนังสือนี้ปฏิเสธการรับไปแล้ว จึงแก้ไขรายละเอียดไม่ได้"})
    if item.state != ItemState.RECEIVED:
        raise ValidationError({"state": "หนังสือนี้ลงทะเบียนรับแล้ว จึงแก้ไขรายละเอียดไม่ได้ "
                                        "รายการในทะเบียนหนังสือรับเป็นหลักฐานแล้ว"})
    if item.channel not in CORRECTABLE_CHANNELS:
        raise ValidationError({"channel": "รายละเอียดของหนังสือนี้มาจากหนังสือในระบบ จึงแก้ไขไม่ได้ "
                                          "หากไม่ถูกต้องให้ปฏิเสธการรับพร้อมเหตุผล"})


# What แก้ไขรายละเอียด may change: the letter's own details, not how or where it came (unit, channel, sender
# agency, file).
CORRECTABLE_FIELDS = ("their_number", "dated", "sender_text", "addressee", "subject", "urgency", "secrecy",
                      "deliver_by")


def item_details(item: IncomingItem) -> dict:
    """The item's details as incoming_correct takes them: what a correction leaves out stays as it is."""
    return {name: getattr(item, name) for name in CORRECTABLE_FIELDS}


def details_version(item: IncomingItem) -> str:
    """A short fingerprint of the item's details: a correction made from what the clerk saw gives it back as
    ``seen``, and is refused if someone else corrected the item in between (the later save would silently
    undo the earlier one)."""
    import hashlib

    text = json.dumps(item_details(item), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


CORRECTED_MEANWHILE = ("ระหว่างที่ท่านแก้ไข มีผู้บันทึกการแก้ไขรายละเอียดของหนังสือนี้แล้ว สิ่งที่ท่านแก้ไขยังไม่ได้บันทึก "
                       "กรุณาตรวจสอบรายละเอียดปัจจุบันแล้วแก้ไขอีกครั้ง")


@transaction.atomic
def incoming_correct(item: IncomingItem, *, by, subject: str, sender_text: str, their_number: str = "",
                     dated: dt.date | None = None, addressee: str = "", urgency: int = Urgency.NORMAL,
                     secrecy: int = Secrecy.NORMAL, deliver_by=None, verified: bool = True,
                     seen: str | None = None) -> tuple[IncomingItem, IncomingItem | None]:
    """แก้ไขรายละเอียด of an item not yet registered (ที่, ลงวันที่, จาก, ถึง, เรื่อง, urgency, secrecy), by the
    rules of receiving. ``seen``: the ``details_version`` the correction was made from, if known. Returns the
    item and the registered letter it now repeats (for ``by``'s eyes), the question registering it will ask."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_correctable(item, by)
    if seen is not None and seen != details_version(item):
        raise ValidationError({"seen": CORRECTED_MEANWHILE})
    their_number = their_number_clean(their_number)
    errors = _details_problems(by=by, channel=item.channel, subject=subject, sender_text=sender_text,
                               their_number=their_number, dated=dated, urgency=urgency, secrecy=secrecy,
                               with_pdf=bool(item.pdf))
    if secrecy != item.secrecy and "secrecy" not in errors:
        try:  # the item stays with someone who may register it at its new level
            require_registry(by, item.unit, secrecy)
        except PermissionDenied as exc:
            errors["secrecy"] = str(exc)
    if errors:
        raise ValidationError(errors)
    newly_classified = item.secrecy < Secrecy.CONFIDENTIAL <= secrecy
    item.their_number, item.their_number_key = their_number, _number_key(their_number)
    item.dated, item.sender_text, item.addressee = dated, sender_text.strip(), (addressee or "").strip()
    item.subject, item.urgency, item.secrecy, item.deliver_by = subject.strip(), urgency, secrecy, deliver_by
    item._history_user = by
    item.save(update_fields=["their_number", "their_number_key", "dated", "sender_text", "addressee", "subject",
                             "urgency", "secrecy", "deliver_by"])
    if newly_classified:  # as received classified: the registrars see it, and so does the one who marked it
        grants.grant_view(item, by)
        _grant_to_registrars(item)
    return item, item_duplicate(item, by, verified=verified)


def _note_on_line(item: IncomingItem, *, by, action: str = "", remark: str = "") -> None:
    """Write what was done with the item into its register line's การปฏิบัติ / หมายเหตุ columns (ระเบียบ
    ข้อ ๓๘ ข): routing, minutes, where it is filed, a duplicate. Appended; the line keeps the rest."""
    from correspondence.models import EntryStatus, RegisterEntry

    line = (RegisterEntry.objects.select_for_update().filter(item=item, status=EntryStatus.ACTIVE)
            .order_by("-registered_at").first())
    if line is None:
        return
    fields = []
    if action:
        line.action_taken = "; ".join(x for x in (line.action_taken, action) if x)[:500]
        fields.append("action_taken")
    if remark:
        line.remarks = "; ".join(x for x in (line.remarks, remark) if x)[:1000]
        fields.append("remarks")
    if fields:
        line._history_user = by
        line.save(update_fields=fields)


def _root(item: IncomingItem) -> IncomingItem:
    while item.parent_id:
        item = item.parent
    return item


@transaction.atomic
def incoming_register(item: IncomingItem, *, by, at: dt.datetime | None = None,
                      duplicate_confirmed: bool = True, verified: bool = True) -> tuple[IncomingItem, str | None]:
    """ลงทะเบียนรับ: the unit's next receipt number, the date and the time. Returns the item and a
    warning when the same sender number and date from the same sender were already registered here
    (the two are linked through ``duplicate_of``). With ``duplicate_confirmed=False`` (the pages) such an
    item is not registered: DuplicateNotConfirmed asks the clerk first, and no number is taken."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    if item.state == ItemState.REJECTED:
        raise ValidationError({"state": "หนังสือนี้ปฏิเสธการรับไปแล้ว จึงลงทะเบียนรับไม่ได้"})
    if item.state != ItemState.RECEIVED:
        raise ValidationError({"state": "หนังสือนี้ลงทะเบียนรับแล้ว"})
    duplicate = item_duplicate(item, by, verified=verified)
    if duplicate is not None and not duplicate_confirmed:
        raise DuplicateNotConfirmed(duplicate)
    at = at or timezone.now()
    book = BookKind.SECRET if item.secrecy >= Secrecy.CONFIDENTIAL else BookKind.INCOMING
    entry = numbering.entry_register(
        unit=item.unit, kind=book, at=at, by=by, item=item, their_number=item.their_number or "-",
        dated=item.dated, from_text=item.sender_text[:500], to_text=(item.addressee or item.unit.name)[:500],
        subject=item.subject[:1000], secrecy=item.secrecy, urgency=item.urgency,
    )
    item.receipt_number = str(entry.number)
    item.registered_at = at
    item.state = ItemState.REGISTERED
    item.duplicate_of = duplicate
    item._history_user = by
    item.save()
    reminders.reminders_schedule(item, now=at)
    if item.recipient_id and not item.parent_id:
        rec = item.recipient
        rec.state, rec.receipt_number = RecipientState.REGISTERED, item.receipt_number
        rec._history_user = by
        rec.save(update_fields=["state", "receipt_number", "updated_at"])
    transaction.on_commit(lambda: item_registered.send(sender=IncomingItem, item=item))
    warning = None
    if duplicate is not None:
        _note_on_line(item, by=by, remark=f"ซ้ำกับเลขรับ {thai.to_thai_digits(duplicate.receipt_number)}")
        warning = (f"หนังสือที่ {duplicate.their_number} ลงวันที่ {thai.format_date(duplicate.dated)} "
                   f"จาก{duplicate.sender_text} ลงทะเบียนรับไว้แล้ว เลขรับ {thai.to_thai_digits(duplicate.receipt_number)}")
    return item, warning


def _registrar_units(secrecy: int, units) -> set[int]:
    """Of ``units``, those with a secret-document registrar cleared for ``secrecy``."""
    rows = role_holders([Role.SECRET_REGISTRAR], [u.pk for u in units], clearance=secrecy)
    return {unit_id or official_unit for unit_id, official_unit in rows.values_list("unit_id", "official__unit_id")}


def route_targets(item: IncomingItem) -> list[Agency]:
    """Units item_route accepts for ``item``: below its unit, not routed to yet, and, for a classified
    item, with a secret-document registrar cleared for it (else the copy would reach nobody)."""
    below = permissions.units_below(item.unit_id) - {item.unit_id}
    routed = set(Routing.objects.filter(item=item).values_list("to_unit_id", flat=True))
    units = list(Agency.objects.filter(pk__in=below - routed).order_by("unit_number", "name"))
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        keep = _registrar_units(item.secrecy, units)
        units = [u for u in units if u.pk in keep]
    return units


@transaction.atomic
def item_route(item: IncomingItem, *, by, to_units, note: str = "") -> list[Routing]:
    """ส่งต่อ: a copy of the item to each unit below, which may register it again in its own book.
    A unit gets one copy: routing it again is refused (its copy is already in its queue)."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    if item.state not in (ItemState.REGISTERED, ItemState.ROUTED):
        raise ValidationError({"state": "ส่งต่อได้เฉพาะหนังสือที่ลงทะเบียนรับแล้วและยังไม่ปิดเรื่อง"})
    if item.secrecy >= Secrecy.TOP_SECRET:
        raise ValidationError({"secrecy": TOP_SECRET_REFUSAL})
    units = [u if isinstance(u, Agency) else Agency.objects.filter(pk=u).first() for u in to_units or []]
    if not units:
        raise ValidationError({"to_units": "กรุณาเลือกหน่วยงานที่จะส่งต่ออย่างน้อยหนึ่งหน่วยงาน"})
    below = permissions.units_below(item.unit_id) - {item.unit_id}
    if any(u is None or u.pk not in below for u in units):
        raise ValidationError({"to_units": "ส่งต่อได้เฉพาะหน่วยงานในสังกัด"})
    routed = set(Routing.objects.filter(item=item).values_list("to_unit_id", flat=True))
    again = [u.name for u in units if u.pk in routed]
    if again:
        raise ValidationError({"to_units": "ส่งต่อถึง " + ", ".join(again) + " แล้ว หนังสือรออยู่ในรายการของหน่วยงานนั้น"})
    units = list({u.pk: u for u in units}.values())  # a unit ticked twice gets one copy
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        cleared = _registrar_units(item.secrecy, units)
        missing = [u.name for u in units if u.pk not in cleared]
        if missing:
            raise ValidationError({"to_units": ", ".join(missing) + " ไม่มีนายทะเบียนเอกสารลับที่ได้รับอนุญาตชั้นความลับ"
                                   + item.get_secrecy_display() + " จึงส่งต่อหนังสือนี้ไม่ได้"})
    now = timezone.now()
    routings = []
    for unit in units:
        copy = IncomingItem.objects.create(
            unit=unit, channel=Channel.ROUTED, state=ItemState.RECEIVED, their_number=item.their_number,
            their_number_key=item.their_number_key, dated=item.dated, sender_agency=item.sender_agency,
            sender_text=item.sender_text, addressee=item.addressee, subject=item.subject, urgency=item.urgency,
            deliver_by=item.deliver_by, secrecy=item.secrecy, pdf=item.pdf.name if item.pdf else "",
            letter=item.letter, parent=item, received_at=now,
        )
        if copy.secrecy >= Secrecy.CONFIDENTIAL:
            _grant_to_registrars(copy)
        routings.append(Routing.objects.create(item=item, to_unit=unit, copy=copy, note=note[:500], routed_by=by,
                                               routed_at=now))
    item.state = ItemState.ROUTED
    item._history_user = by
    item.save(update_fields=["state"])
    reminders.reminders_cancel(item=item, awaiting_minute_only=True, reason="ส่งต่อแล้ว")
    names = ", ".join(u.short_name or u.name for u in units)
    _note_on_line(item, by=by, action=f"ส่ง {names} ({thai.format_date(_today(), 'short')})"
                  + (f" {' '.join(note.split())}" if note else ""))
    return routings


def presentable_executives(item: IncomingItem) -> list[Official]:
    """Executives who may minute ``item`` (its unit or a unit above) and are cleared for it: whom the
    secret-document registrar may present a classified item to."""
    rows = role_holders([Role.EXECUTIVE], permissions.units_above(item.unit_id), clearance=item.secrecy,
                        on=_today()).filter(official__user__is_active=True)
    return list(Official.objects.filter(pk__in=rows.values("official_id")).select_related("unit", "user")
                .order_by("unit_id", "first_name"))


@transaction.atomic
def item_present(item: IncomingItem, *, by, to: Official) -> Official:
    """เสนอ: the secret-document registrar puts a registered classified item before an executive, who
    gets a grant on it (and a notification) so they can read and minute it. Unclassified items are
    seen by the executives of the unit and above without this."""
    from correspondence.models import NotificationKind
    from correspondence.services import notifications

    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    if item.secrecy < Secrecy.CONFIDENTIAL:
        raise ValidationError({"to": "หนังสือที่ไม่มีชั้นความลับ ผู้บังคับบัญชาเห็นได้โดยไม่ต้องเสนอ"})
    require_registry(by, item.unit, item.secrecy)
    if item.state not in (ItemState.REGISTERED, ItemState.ROUTED):
        raise ValidationError({"state": "เสนอได้เฉพาะหนังสือที่ลงทะเบียนรับแล้วและยังไม่ปิดเรื่อง"})
    if to is None or to.pk not in {o.pk for o in presentable_executives(item)}:
        raise ValidationError({"to": "เสนอได้เฉพาะผู้บังคับบัญชาของหน่วยงานนี้หรือหน่วยงานเหนือขึ้นไป "
                                     "ที่ได้รับอนุญาตชั้นความลับถึงชั้นของหนังสือ"})
    grants.grant_view(item, to.user)
    item._history_user = by
    item._change_reason = f"เสนอ {to}"[:100]
    item.save(update_fields=["state"])  # a history row: who presented it to whom
    reminders.reminders_cancel(item=item, kind=ReminderKind.PRESENT, reason="เสนอแล้ว")
    # The supervisors' notice that it waits unpresented (the only escalations planned before a grant).
    reminders.reminders_cancel(item=item, awaiting_minute_only=True, kind=ReminderKind.ESCALATE, reason="เสนอแล้ว")
    if not item.minutes.exists():
        reminders.reminders_schedule_presented(item, to)
    transaction.on_commit(lambda: notifications.notify(
        to.user, NotificationKind.OTHER, f"มีหนังสือชั้นความลับเสนอท่าน เลขรับ {thai.to_thai_digits(item.receipt_number)}",
        obj=item, urgency=item.urgency))
    return to


def _can_assign(official: Official, item: IncomingItem) -> bool:
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        return official.clearance >= item.secrecy
    return official.unit_id in permissions.units_above(item.unit_id)


@transaction.atomic
def minute_write(item: IncomingItem, *, by, action: str, text: str = "", assignee: Official | None = None,
                 due: dt.date | None = None) -> Minute:
    """เกษียนหนังสือ by an executive of the item's unit or a unit above it."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    permissions.require_executive(by, item.unit)
    errors = {}
    action = " ".join((action or "").split())
    if item.state not in (ItemState.REGISTERED, ItemState.ROUTED):
        errors["state"] = "เกษียนได้เฉพาะหนังสือที่ลงทะเบียนรับแล้วและยังไม่ปิดเรื่อง"
    if not action.startswith(MINUTE_ACTIONS):
        errors["action"] = "การสั่งการต้องขึ้นต้นด้วย " + " / ".join(MINUTE_ACTIONS[:4])
    if action.startswith("มอบ") and assignee is None:
        errors["assignee"] = "การมอบหมายต้องระบุผู้รับผิดชอบ"
    if assignee is not None and not _can_assign(assignee, item):
        errors["assignee"] = "ผู้รับผิดชอบไม่มีสิทธิ์เห็นหนังสือนี้"
    if due and due < _today():
        errors["due"] = "กำหนดเสร็จต้องไม่ก่อนวันนี้"
    if errors:
        raise ValidationError(errors)
    minute = Minute(item=item, author=official_for(by), action=action[:255], text=text or "", assignee=assignee,
                    due=due, written_at=timezone.now())
    minute._history_user = by
    minute.save()
    _note_on_line(item, by=by, action=f"เกษียน: {minute.action}"
                  + (f" ({assignee.display_name})" if assignee is not None else ""))
    if assignee is not None and item.secrecy >= Secrecy.CONFIDENTIAL:
        grants.grant_view(item, assignee.user)
    reminders.reminders_cancel(item=item, awaiting_minute_only=True, reason="เกษียนสั่งการแล้ว")
    reminders.reminders_schedule_minute(minute)
    if assignee is not None:
        from correspondence.models import NotificationKind
        from correspondence.services import notifications

        due_text = f" กำหนดเสร็จ {thai.format_date(due, 'short')}" if due else ""
        transaction.on_commit(lambda: notifications.notify(
            assignee.user, NotificationKind.OTHER, f"ท่านได้รับมอบหมาย: {minute.action}{due_text}", obj=item,
            urgency=item.urgency))
    return minute


@transaction.atomic
def minute_acknowledge(minute: Minute, *, by) -> Minute:
    """รับทราบ by the assignee; the sender's recipient line of a portal letter becomes acknowledged."""
    minute = Minute.objects.select_for_update().select_related("item").get(pk=minute.pk)
    official = official_for(by)
    permissions.require(official is not None and minute.assignee_id == official.pk, "เฉพาะผู้รับผิดชอบที่ได้รับมอบหมาย")
    if minute.acknowledged_at:
        raise ValidationError({"minute": "รับทราบไปแล้ว"})
    minute.acknowledged_at = timezone.now()
    minute._history_user = by
    minute.save(update_fields=["acknowledged_at"])
    reminders.reminders_cancel(minute=minute, reason="รับทราบแล้ว")
    root = _root(minute.item)
    if root.recipient_id and root.recipient.state == RecipientState.REGISTERED:
        rec = root.recipient
        rec.state = RecipientState.ACKNOWLEDGED
        rec._history_user = by
        rec.save(update_fields=["state", "updated_at"])
    return minute


@transaction.atomic
def item_close(item: IncomingItem, *, by, filed_at: str) -> IncomingItem:
    """ปิดเรื่อง, with where it is filed (เก็บที่)."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    filed_at = (filed_at or "").strip()
    if not filed_at:
        raise ValidationError({"filed_at": "กรุณาระบุที่เก็บหนังสือ"})
    if item.state in (ItemState.RECEIVED, ItemState.CLOSED):
        raise ValidationError({"state": "ปิดเรื่องได้เฉพาะหนังสือที่ลงทะเบียนรับแล้วและยังไม่ปิด"})
    item.state, item.filed_at, item.closed_at = ItemState.CLOSED, filed_at[:500], timezone.now()
    item._history_user = by
    item.save(update_fields=["state", "filed_at", "closed_at"])
    _note_on_line(item, by=by, remark=f"เก็บที่ {item.filed_at}")
    reminders.reminders_cancel(item=item, reason="ปิดเรื่องแล้ว")
    return item


@transaction.atomic
def incoming_reject(item: IncomingItem, by, reason: str) -> IncomingItem:
    """ปฏิเสธการรับ: a clerk refuses an item not yet registered (wrong addressee, incomplete), with the
    reason; the sender sees it on its recipient line (in this portal directly, from another portal
    through the exchange's acknowledgement)."""
    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "กรุณาระบุเหตุที่ปฏิเสธการรับ"})
    if item.state != ItemState.RECEIVED:
        raise ValidationError({"state": "ปฏิเสธได้เฉพาะหนังสือที่ยังไม่ได้ลงทะเบียนรับ"})
    item.state, item.rejected_reason = ItemState.REJECTED, reason[:500]
    item._history_user = by
    item.save(update_fields=["state", "rejected_reason"])
    if item.recipient_id and not item.parent_id:
        rec = item.recipient
        rec.state, rec.state_reason = RecipientState.REJECTED, item.rejected_reason
        rec._history_user = by
        rec.save(update_fields=["state", "state_reason", "updated_at"])
    transaction.on_commit(lambda: item_rejected.send(sender=IncomingItem, item=item))
    return item
