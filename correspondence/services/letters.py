"""The life of an outgoing letter: draft → in review → approved → issued → signed → sent.

These functions are the only writers of ``Letter.state``. Each checks the state it starts from, the
acting user's role and visibility (``correspondence.permissions``), and runs in one transaction.
``Letter.content`` is the letter spec (docs/letter-spec.md), validated with the renderer's own
``validate_spec``: a draft as it would be issued (number and date filled in for the check), an issued
letter as it is.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Official, Role
from agencies.selectors import has_role, official_for, role_holders, signer_block
from correspondence import permissions
from correspondence.models import (
    BookKind,
    Enclosure,
    EntryStatus,
    IncomingItem,
    Letter,
    LetterKind,
    LetterRecipient,
    LetterReference,
    LetterState,
    NotificationKind,
    RegisterEntry,
    ReviewDecision,
    ReviewStep,
)
from correspondence.rendering.spec import kind_problem, validate_spec
from correspondence.services import grants, notifications, numbering
from correspondence.signals import letter_issued
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

TOP_SECRET_REFUSAL = (
    "หนังสือชั้นลับที่สุดส่งหรือรับผ่านช่องทางอิเล็กทรอนิกส์ไม่ได้ "
    "ให้ส่งเป็นเอกสารโดยเจ้าหน้าที่นำสารตามระเบียบว่าด้วยการรักษาความลับของทางราชการ"
)

# คำสั่ง, ประกาศ and หนังสือรับรอง have their own yearly series (the regulation); the other kinds take the
# outgoing register unless EOFFICE_KIND_BOOKS files them elsewhere (practice: see kind_book).
KIND_BOOK = {LetterKind.ORDER: BookKind.ORDER, LetterKind.ANNOUNCEMENT: BookKind.ANNOUNCEMENT,
             LetterKind.CERTIFICATE: BookKind.CERTIFICATE}
# The books a kind without a series of its own may be configured into.
CONFIGURABLE_BOOKS = (BookKind.OUTGOING, BookKind.ORDER, BookKind.ANNOUNCEMENT, BookKind.CERTIFICATE)
_NEEDS_ISSUER = {"external", "stamped", "order", "announcement", "statement", "news", "certificate"}
_NEEDS_SIGNER = {"external", "memo", "order", "regulation", "bylaw", "announcement", "certificate", "record"}
_SPEC_COLUMNS = ("kind", "subject", "urgency", "secrecy", "deliver_by")
# Keys the portal writes into the spec from its own rows: a client cannot set them directly.
_PORTAL_KEYS = ("number", "date")


class SpecErrors(ValidationError):
    """Problems of the letter spec (``Letter.content``). As a ValidationError they are keyed by the
    top-level element (``$.signer.position`` → ``signer``), which the drafting form shows by its field;
    ``by_path()`` keeps where in the spec each one is, for the API."""

    def __init__(self, problems):
        self.problems = list(problems)
        out: dict[str, list[str]] = {}
        for p in self.problems:
            key = p.path[2:].split(".")[0].split("[")[0] if p.path.startswith("$.") else "content"
            out.setdefault(key or "content", []).append(p.message_th)
        super().__init__(out)

    def by_path(self) -> dict[str, list[str]]:
        """Path inside the spec (``signer.position``, ``body[2]``; ``$`` the spec as a whole) → Thai messages."""
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.path[2:] if p.path.startswith("$.") else p.path, []).append(p.message_th)
        return out


def _stamp_now():
    return timezone.now()


def _today() -> dt.date:
    return thai.bangkok_date(timezone.now())


# --- references ----------------------------------------------------------------------------------------


def reference_text(entry: RegisterEntry) -> str:
    """อ้างถึง of a registered letter: ``หนังสือ<agency> <urgency> ที่ <number> ลงวันที่ <date>``."""
    parts = [f"หนังสือ{entry.from_text}"]
    if entry.urgency != Urgency.NORMAL:
        parts.append(Urgency(entry.urgency).label)
    parts.append(f"ที่ {entry.their_number or '-'}")
    if entry.dated:
        parts.append(f"ลงวันที่ {thai.format_date(entry.dated)}")
    return " ".join(parts)


def _set_references(letter: Letter, references, user) -> list[str]:
    """Replace the letter's references; linked ones must be citable by the user (``permissions.entry_citable``)."""
    letter.references.all().delete()
    texts = []
    for order, ref in enumerate(references or []):
        if isinstance(ref, str):
            ref = {"text": ref}
        entry_id, text = ref.get("entry"), (ref.get("text") or "").strip()
        if entry_id:
            entry = RegisterEntry.objects.filter(pk=entry_id, status=EntryStatus.ACTIVE).select_related("book").first()
            if entry is None or not permissions.entry_citable(user, entry):
                # The same answer whether the line does not exist or is hidden from this user.
                raise ValidationError({"references": f"ไม่พบหนังสือที่อ้างถึงในทะเบียน (รายการที่ {order + 1})"})
            LetterReference.objects.create(letter=letter, order=order, entry=entry)
            texts.append(reference_text(entry))
        elif text:
            LetterReference.objects.create(letter=letter, order=order, text=text)
            texts.append(text)
        else:
            raise ValidationError({"references": f"อ้างถึงรายการที่ {order + 1} ต้องเป็นหนังสือในทะเบียนหรือข้อความ"})
    return texts


def _set_enclosures(letter: Letter, enclosures) -> list[str]:
    letter.enclosures.all().delete()
    texts = []
    for order, enc in enumerate(enclosures or []):
        if isinstance(enc, str):
            enc = {"description": enc}
        description = (enc.get("description") or "").strip()
        if not description:
            raise ValidationError({"enclosures": f"สิ่งที่ส่งมาด้วยรายการที่ {order + 1} ต้องมีรายการ"})
        quantity = (enc.get("quantity") or "").strip()
        Enclosure.objects.create(letter=letter, order=order, description=description, quantity=quantity)
        texts.append(f"{description} จำนวน {quantity}" if quantity else description)
    return texts


def _set_recipients(letter: Letter, recipients) -> list[str]:
    letter.recipients.all().delete()
    copies = []
    for n, rec in enumerate(recipients or [], start=1):
        agency = rec.get("agency")
        if agency is not None and not isinstance(agency, Agency):
            agency = Agency.objects.filter(pk=agency).first()
            if agency is None:
                raise ValidationError({"recipients": f"ไม่พบส่วนราชการผู้รับรายการที่ {n}"})
        name = (rec.get("name") or "").strip()
        if agency is None and not name:
            raise ValidationError({"recipients": f"ผู้รับรายการที่ {n} ต้องเป็นส่วนราชการในระบบหรือมีชื่อผู้รับ"})
        row = LetterRecipient(letter=letter, agency=agency, name=name, address=rec.get("address") or "",
                              email=rec.get("email") or "", is_copy=bool(rec.get("is_copy")))
        row.full_clean(exclude=["letter"])
        row.save()
        if row.is_copy:
            copies.append(name or agency.name)
    return copies


# --- content ---------------------------------------------------------------------------------------------


def _columns_from_spec(letter: Letter, content: dict) -> None:
    kind = content.get("kind")
    problem = kind_problem(kind)
    if problem is not None:
        raise SpecErrors([problem])
    letter.kind = kind
    subject = content.get("subject") or content.get("title") or ""
    subject = subject.strip() if isinstance(subject, str) else ""  # a wrong type: validate_spec says so
    if not subject and kind in _NO_SUBJECT:
        subject = _summary(content, kind)
    letter.subject = subject
    try:
        letter.urgency = Urgency.from_spec(content.get("urgency") or "normal")
        letter.secrecy = Secrecy.from_spec(content.get("secrecy") or "normal")
    except KeyError:
        pass  # validate_spec names the bad value
    deliver_by = content.get("deliver_by")
    letter.deliver_by = None
    if deliver_by:
        try:
            value = dt.datetime.fromisoformat(deliver_by)
        except (TypeError, ValueError):
            value = None
        if value is not None:
            letter.deliver_by = value if value.tzinfo else value.replace(tzinfo=thai.BANGKOK)


# Kinds without เรื่อง (หนังสือประทับตรา, หนังสือรับรอง): the register's เรื่อง column is the kind and
# the opening of the text, as a clerk would write it.
_NO_SUBJECT = {"stamped", "certificate"}


def _summary(content: dict, kind: str) -> str:
    from correspondence.rendering.spec import KIND_TH

    body = content.get("body") or []
    first = body[0] if body else ""
    first = first.get("text", "") if isinstance(first, dict) else first
    first = " ".join(first.split()) if isinstance(first, str) else ""
    label = KIND_TH.get(kind, kind)
    return f"{label}: {first[:200]}" if first else label


def signed_kind(kind: str) -> bool:
    """Whether a letter of this kind is signed before it is sent (หนังสือประทับตรา, แถลงการณ์, ข่าว and
    รายงานการประชุม carry no signature: they go out once issued)."""
    return kind in _NEEDS_SIGNER


def enclosure_lines(letter: Letter) -> list[str]:
    """The สิ่งที่ส่งมาด้วย lines of the letter's attached enclosures, in their order."""
    return [f"{e.description} จำนวน {e.quantity}" if e.quantity else e.description
            for e in letter.enclosures.order_by("order")]


def ready_to_send_state(kind: str) -> str:
    """The state a letter of this kind is sent from: signed, or issued for kinds that carry no signature."""
    return LetterState.SIGNED if signed_kind(kind) else LetterState.ISSUED


def ready_to_send():
    """``ready_to_send_state`` as a query condition (lists of letters waiting to be sent)."""
    from django.db.models import Q

    return Q(state=LetterState.SIGNED) | Q(state=LetterState.ISSUED) & ~Q(kind__in=_NEEDS_SIGNER)


# Why an action is refused in a state: the state the letter is in, said as the official sees it
# (a second submit hears "already in review", not the rule about drafts).
_STATE_REASON = {
    LetterState.DRAFT: "หนังสือนี้ยังเป็นร่าง (ยังไม่ได้ส่งตรวจทาน หรือถูกส่งคืนผู้ร่างแก้ไข)",
    LetterState.IN_REVIEW: "หนังสือนี้ส่งตรวจทานแล้ว อยู่ระหว่างตรวจทาน",
    LetterState.APPROVED: "หนังสือนี้ผ่านการตรวจทานแล้ว รอออกเลข",
    LetterState.ISSUED: "หนังสือนี้ออกเลขแล้ว",
    LetterState.SIGNED: "หนังสือนี้ลงนามแล้ว",
    LetterState.SENT: "หนังสือนี้ส่งแล้ว",
    LetterState.CANCELLED: "หนังสือนี้ยกเลิกแล้ว",
}
_NUMBERED = (LetterState.ISSUED, LetterState.SIGNED, LetterState.SENT)


def state_refusal_th(letter: Letter, action: str, *, done_in=()) -> str:
    """``"<what the letter is> จึง<action>ไม่ได้"``; ``done_in``: states in which the action has already
    been done ("…จึงออกเลขอีกไม่ได้"). Also the signing service's refusal, so both say it alike."""
    reason = _STATE_REASON.get(letter.state, f"หนังสือนี้อยู่ในสถานะ{letter.get_state_display()}")
    if letter.state in _NUMBERED and letter.number:
        reason += f" (ที่ {letter.number})"
    again = "อีก" if letter.state in done_in else ""
    return f"{reason} จึง{action}{again}ไม่ได้"


def _refused_in_state(letter: Letter, action: str, *, done_in=()) -> ValidationError:
    """``{"state": state_refusal_th(…)}``."""
    return ValidationError({"state": state_refusal_th(letter, action, done_in=done_in)})


def _require_ready_to_send(letter: Letter) -> None:
    ready = ready_to_send_state(letter.kind)
    if letter.state == ready:
        return
    if letter.state == LetterState.ISSUED:  # numbered, but its signature is still to come
        raise ValidationError({"state": "ส่งได้เฉพาะหนังสือที่ลงนามแล้ว"})
    raise _refused_in_state(letter, "ส่ง", done_in=(LetterState.SENT,))


def _fill_defaults(letter: Letter, content: dict) -> dict:
    """Parts the portal knows: issuer, owner unit and contact, signer block."""
    content = dict(content)
    kind = content.get("kind")
    unit = letter.issuing_unit
    if kind in _NEEDS_ISSUER and not content.get("issuer"):
        content["issuer"] = {"name": unit.top.name, "address": unit.address or unit.top.address}
    if kind in ("external", "memo", "stamped") and not content.get("owner_unit"):
        content["owner_unit"] = [a.name for a in letter.owner_unit.path()[1:]] or [letter.owner_unit.name]
    for key in ("phone", "fax", "email"):
        if kind in ("external", "stamped") and not content.get(key) and getattr(letter.owner_unit, key):
            content[key] = getattr(letter.owner_unit, key)
    # บันทึกข้อความ: "ส่วนราชการ <owner unit> โทร. <phone>" in its head.
    if kind == "memo" and not content.get("phone") and letter.owner_unit.phone:
        content["phone"] = letter.owner_unit.phone
    if letter.signer_id and kind in _NEEDS_SIGNER:
        content["signer"] = signer_block(letter.signer, letter.issued_on or _today())
    return content


def _validate_draft(content: dict) -> None:
    probe = dict(content)
    # A draft has no number or date yet: check everything else as it will be issued.
    probe.setdefault("number", "กต ๐๒๐๓/๑")
    probe.setdefault("date", _today().isoformat())
    problems = validate_spec(probe)
    if problems:
        raise SpecErrors(problems)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _write_content(letter: Letter, user, content: dict, references, enclosures, recipients) -> None:
    if not isinstance(content, dict):
        raise ValidationError({"content": "ข้อมูลหนังสือต้องเป็นชุดข้อมูล JSON (object)"})
    if _has_nul(content):
        # PostgreSQL cannot store NUL in text or jsonb: refuse it here as the bad input it is.
        raise ValidationError({"content": "ข้อมูลหนังสือมีอักขระควบคุม NUL (\\x00) ซึ่งไม่อนุญาต"})
    content = {k: v for k, v in content.items() if k not in _PORTAL_KEYS}
    _columns_from_spec(letter, content)
    if references is not None:
        content["references"] = _set_references(letter, references, user)
    elif letter.references.exists():
        # Keep the links (their text follows the register line), whatever text the content carries.
        content["references"] = [reference_text(r.entry) if r.entry_id else r.text
                                 for r in letter.references.select_related("entry")]
    elif content.get("references"):
        content["references"] = _set_references(letter, content["references"], user)
    if enclosures is not None:
        content["enclosures"] = _set_enclosures(letter, enclosures)
    elif letter.pk and letter.enclosures.exists():
        # The attached enclosures are the list, whatever the content carries (a PATCH without them kept
        # the rows and files but dropped the สิ่งที่ส่งมาด้วย line).
        content["enclosures"] = enclosure_lines(letter)
    if recipients is not None:
        copies = _set_recipients(letter, recipients)
        if copies:
            content["copies_to"] = copies
    elif letter.pk and "copies_to" not in content:
        copies = [r.name or r.agency.name for r in letter.recipients.filter(is_copy=True).select_related("agency")]
        if copies:
            content["copies_to"] = copies
    content = _fill_defaults(letter, content)
    _validate_draft(content)
    letter.content = content
    letter.full_clean(exclude=["created_by", "issuing_unit", "owner_unit", "signer", "pdf"])
    letter.save()


# --- drafting --------------------------------------------------------------------------------------------------


@transaction.atomic
def letter_create(*, by, content: dict, owner_unit: Agency | None = None, signer: Official | None = None,
                  references=None, enclosures=None, recipients=None, reviewers=None, is_circular: bool = False,
                  series_prefix: str = "") -> Letter:
    """A new draft. ``references``: ``{"entry": id}`` (a visible register line) or ``{"text": …}``;
    ``recipients``: ``{"agency": id}`` or ``{"name", "address", "email"}``, ``is_copy`` for สำเนาส่ง."""
    official = official_for(by)
    permissions.require(official is not None and has_role(by, Role.DRAFTER), "เฉพาะผู้ร่างหนังสือเท่านั้น")
    owner_unit = owner_unit or official.unit
    if owner_unit.pk not in permissions.scope_ids(by):
        raise ValidationError({"owner_unit": "เลือกได้เฉพาะหน่วยงานของท่านหรือหน่วยงานในสังกัด"})
    letter = Letter(state=LetterState.DRAFT, owner_unit=owner_unit, issuing_unit=permissions.registry_unit(owner_unit),
                    signer=signer, created_by=by, is_circular=is_circular,
                    series_prefix=series_prefix or ("ว" if is_circular else ""), subject="-", kind="external")
    letter._history_user = by
    _check_signer(letter, signer)
    _check_series(letter.series_prefix)
    letter.save()
    _write_content(letter, by, content, references, enclosures, recipients)
    if reviewers is not None:
        review_chain_set(letter, reviewers, by=by)
    if letter.secrecy > official.clearance:
        raise ValidationError({"secrecy": "ท่านได้รับอนุญาตชั้นความลับไม่ถึงชั้นของหนังสือนี้"})
    if letter.secrecy >= Secrecy.CONFIDENTIAL:
        # The drafter of a classified letter must keep seeing it.
        grants.grant_view(letter, by)
    return letter


def _check_signer(letter: Letter, signer: Official | None) -> None:
    """The signer holds the signer role in the letter's own ministry (the list the drafting page offers)."""
    if signer is None:
        return
    if not has_role(signer.user, Role.SIGNER) or signer.unit.top.pk != letter.owner_unit.top.pk:
        raise ValidationError({"signer": f"{signer} ไม่ใช่ผู้ลงนามของ{letter.owner_unit.top.name}"})


def _check_series(prefix: str) -> None:
    """A series prefix numbers can be printed with (checked now, not when the clerk issues the number)."""
    if not prefix:
        return
    try:
        thai.LetterNumber(code="กต", unit="๐๒๐๓", series=prefix, series_sep=" " if prefix.startswith("ว") else "",
                          running=1)
    except thai.ThaiFormatError as exc:
        raise ValidationError({"series_prefix": f"{exc} (ตัวอย่างเลขที่: กต ๐๒๐๓/ต.ก.๕๕ มีชุดเลข ต.ก.)"}) from None


def _require_draft_owner(letter: Letter, by, action: str = "แก้ไข") -> None:
    """Drafts change only by their drafter; ``action`` names what was refused (แก้ไข, ลบ, ส่งตรวจทาน)."""
    if letter.state != LetterState.DRAFT:
        raise _refused_in_state(letter, action)
    permissions.require(letter.created_by_id == by.pk, f"{action}ได้เฉพาะผู้ร่างหนังสือ")


@transaction.atomic
def letter_update(letter: Letter, *, by, content: dict | None = None, signer: Official | None = None,
                  references=None, enclosures=None, recipients=None, reviewers=None, is_circular: bool | None = None,
                  series_prefix: str | None = None) -> Letter:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _require_draft_owner(letter, by)
    if is_circular is not None:
        letter.is_circular = is_circular
    if series_prefix is not None or is_circular is not None:
        prefix = letter.series_prefix if series_prefix is None else series_prefix
        if letter.is_circular and not prefix:
            prefix = "ว"
        elif not letter.is_circular and prefix == "ว" and series_prefix is None:
            prefix = ""
        _check_series(prefix)
        letter.series_prefix = prefix
    if signer is not None:
        _check_signer(letter, signer)
        letter.signer = signer
    letter._history_user = by
    _write_content(letter, by, content if content is not None else letter.content, references, enclosures, recipients)
    if reviewers is not None:
        review_chain_set(letter, reviewers, by=by)
    return letter


@transaction.atomic
def letter_delete(letter: Letter, *, by) -> None:
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _require_draft_owner(letter, by, "ลบ")
    if letter.review_steps.exclude(decision=ReviewDecision.PENDING).exists():
        raise ValidationError({"state": "หนังสือที่ผ่านการตรวจทานแล้วลบไม่ได้ ให้ยกเลิกแทน"})
    letter.delete()


def review_chain_set(letter: Letter, reviewers, *, by) -> list[ReviewStep]:
    """The reviewers of the next round, in order. Replaces a pending chain that has not started."""
    if letter.state != LetterState.DRAFT:
        raise ValidationError({"reviewers": "กำหนดผู้ตรวจทานได้เฉพาะหนังสือในสถานะร่าง"})
    officials = []
    for n, r in enumerate(reviewers, start=1):
        official = r if isinstance(r, Official) else Official.objects.filter(pk=r).first()
        if official is None or not has_role(official.user, Role.REVIEWER):
            raise ValidationError({"reviewers": f"ผู้ตรวจทานลำดับที่ {thai.to_thai_digits(str(n))} ไม่มีบทบาทผู้ตรวจทาน"})
        if official in officials:
            raise ValidationError({"reviewers": f"{official} อยู่ในลำดับผู้ตรวจทานแล้ว (ลำดับละหนึ่งคน ไม่ซ้ำกัน)"})
        officials.append(official)
    round_ = _next_round(letter)
    letter.review_steps.filter(round=round_).delete()
    return [ReviewStep.objects.create(letter=letter, order=i, reviewer=o, round=round_) for i, o in enumerate(officials)]


def _next_round(letter: Letter) -> int:
    """Rounds that already have a decision are history; a new chain goes into the next one."""
    decided = letter.review_steps.exclude(decision=ReviewDecision.PENDING).values_list("round", flat=True)
    return max(decided, default=0) + 1


# --- review ------------------------------------------------------------------------------------------------------


@transaction.atomic
def letter_submit(letter: Letter, *, by) -> Letter:
    """ส่งตรวจทาน: draft → in review, to the first reviewer of the chain."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    _require_draft_owner(letter, by, "ส่งตรวจทาน")
    round_ = _next_round(letter)
    if not letter.review_steps.filter(round=round_).exists():
        previous = list(letter.review_steps.filter(round=round_ - 1).order_by("order"))
        if not previous:
            raise ValidationError({"reviewers": "กรุณากำหนดผู้ตรวจทานอย่างน้อย ๑ คน"})
        # A returned letter goes back through the same chain.
        for step in previous:
            ReviewStep.objects.create(letter=letter, order=step.order, reviewer=step.reviewer, round=round_)
    _validate_draft(letter.content)
    if letter.secrecy >= Secrecy.CONFIDENTIAL:
        # A classified letter is seen only through grants: its reviewers and signer get one here
        # (refused when their clearance is too low).
        people = [step.reviewer for step in letter.review_steps.filter(round=round_).select_related("reviewer__user")]
        for official in people + ([letter.signer] if letter.signer_id else []):
            grants.grant_view(letter, official.user)
    letter.state = LetterState.IN_REVIEW
    letter._history_user = by
    letter.save(update_fields=["state"])
    _notify_reviewer(letter)
    return letter


def current_step(letter: Letter) -> ReviewStep | None:
    if letter.state != LetterState.IN_REVIEW:
        return None
    last_round = letter.review_steps.order_by("-round").values_list("round", flat=True).first()
    return letter.review_steps.filter(round=last_round, decision=ReviewDecision.PENDING).order_by("order").first()


@transaction.atomic
def letter_review(letter: Letter, *, by, approve: bool, comment: str = "") -> ReviewStep:
    """The current reviewer approves (on to the next, or the letter is approved) or returns it with a comment."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.state != LetterState.IN_REVIEW:
        raise _refused_in_state(letter, "ตรวจทาน", done_in=(LetterState.APPROVED, *_NUMBERED))
    step = current_step(letter)
    _require_turn(letter, step, official_for(by))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": "กรุณาระบุความเห็นเมื่อส่งคืนแก้ไข"})
    step.decision = ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED
    step.comment, step.decided_at = comment, _stamp_now()
    step._history_user = by
    step.save()
    if not approve:
        letter.state = LetterState.DRAFT
        _notify(letter.created_by, f"ร่างหนังสือเรื่อง {letter.subject} ถูกส่งคืนแก้ไขโดย "
                                   f"{step.reviewer.display_name}: {comment}", letter)
    elif current_step(letter) is None:
        letter.state = LetterState.APPROVED
        clerks = _issuing_clerks(letter)
        if letter.secrecy >= Secrecy.CONFIDENTIAL:
            # As its reviewers and signer were when it was submitted: granted so they can number and send it.
            for user in clerks:
                grants.grant_view(letter, user)
        _notify(letter.created_by, f"ร่างหนังสือเรื่อง {letter.subject} ผ่านการตรวจทานแล้ว "
                                   f"(เห็นชอบโดย {step.reviewer.display_name}) รอออกเลข", letter)
        for user in clerks - {letter.created_by}:
            _notify(user, f"หนังสือเรื่อง {letter.subject} ผ่านการตรวจทานแล้ว รอออกเลขและส่ง", letter)
    else:
        _notify_reviewer(letter)
    letter._history_user = by
    letter.save(update_fields=["state"])
    return step


def _notify(user, text: str, letter: Letter) -> None:
    """A notification about the review, written after the commit: a step that rolls back tells no one."""
    transaction.on_commit(lambda: notifications.notify(user, NotificationKind.REVIEW, text, obj=letter,
                                                       urgency=letter.urgency))


def _notify_reviewer(letter: Letter) -> None:
    """The reviewer whose turn it now is (the first on submit, the next after an approval)."""
    step = current_step(letter)
    if step is not None:
        drafter = official_for(letter.created_by)
        by_whom = f" (ผู้ร่าง {drafter.display_name})" if drafter is not None else ""
        _notify(step.reviewer.user, f"ร่างหนังสือรอท่านตรวจทาน เรื่อง {letter.subject}{by_whom}", letter)


def _require_turn(letter: Letter, step: ReviewStep | None, official: Official | None) -> None:
    """The acting official is the current reviewer; otherwise say why not: already reviewed (a second
    click), a later step of the chain, or not in the chain at all."""
    if step is not None and official is not None and step.reviewer_id == official.pk:
        return
    mine = (letter.review_steps.filter(round=step.round, reviewer=official).first()
            if step is not None and official is not None else None)
    if mine is None:
        raise PermissionDenied("ท่านไม่ได้อยู่ในลำดับผู้ตรวจทานของหนังสือนี้")
    if mine.decision != ReviewDecision.PENDING:
        raise ValidationError({"state": f"ท่านตรวจทานหนังสือนี้แล้ว ({mine.get_decision_display()}) "
                                        f"ขณะนี้รอ {step.reviewer.display_name} ตรวจทาน"})
    raise PermissionDenied(f"ยังไม่ถึงลำดับการตรวจทานของท่าน ขณะนี้รอ {step.reviewer.display_name} ตรวจทานก่อน")


def _issuing_clerks(letter: Letter) -> set:
    """The users who number and send an approved letter: the issuing unit's registry clerks and, for a
    classified letter, its secret-document registrars, each cleared for the letter's level."""
    roles = [Role.REGISTRY_CLERK, Role.SECRET_REGISTRAR] if letter.secrecy >= Secrecy.CONFIDENTIAL \
        else [Role.REGISTRY_CLERK]
    rows = role_holders(roles, [letter.issuing_unit_id], clearance=letter.secrecy, on=_today()) \
        .select_related("official__user")
    return {row.official.user for row in rows}


# --- issue, sign, send, cancel ----------------------------------------------------------------------------------


def kind_book(kind: str) -> str:
    """The register book a letter of this kind is numbered in. Which book keeps ระเบียบ, ข้อบังคับ, แถลงการณ์,
    ข่าว, บันทึก and รายงานการประชุม is the agency's practice (the regulation gives series only to คำสั่ง, ประกาศ and
    หนังสือรับรอง): ``EOFFICE_KIND_BOOKS`` (``regulation=order,news=announcement``) sets it, checked at start-up
    by ``correspondence.checks``; by default they take the outgoing register."""
    if kind in KIND_BOOK:
        return KIND_BOOK[kind]
    return settings.EOFFICE_KIND_BOOKS.get(kind, BookKind.OUTGOING)


def _book_for(letter: Letter) -> tuple[str, str]:
    book = kind_book(letter.kind)
    if book != BookKind.OUTGOING:
        return book, ""
    if letter.is_circular:
        return BookKind.CIRCULAR, letter.series_prefix or "ว"
    return BookKind.OUTGOING, letter.series_prefix


@transaction.atomic
def letter_issue(letter: Letter, *, by, at: dt.datetime | None = None) -> Letter:
    """ออกเลข: the issuing unit's register gives the number in the same transaction as its line.
    If the issued spec does not validate, everything rolls back and the number returns to the book."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.state != LetterState.APPROVED:
        raise _refused_in_state(letter, "ออกเลข", done_in=_NUMBERED)
    permissions.require_clerk(by, letter.issuing_unit)
    at = at or timezone.now()
    kind, prefix = _book_for(letter)
    content = dict(letter.content)
    issuer = (content.get("issuer") or {}).get("name") or letter.issuing_unit.top.name
    recipients = [r.name or r.agency.name for r in letter.recipients.filter(is_copy=False).select_related("agency")]
    entry = numbering.entry_register(
        unit=letter.issuing_unit, kind=kind, prefix=prefix, at=at, by=by, letter=letter,
        dated=thai.bangkok_date(at), from_text=issuer[:500], to_text=", ".join(recipients)[:500],
        subject=letter.subject[:1000], secrecy=letter.secrecy, urgency=letter.urgency,
    )
    try:
        entry.their_number = numbering.formatted_number(entry, digits=content.get("digits") or "thai")
    except thai.ThaiFormatError:
        # Rolled back with the line: the number goes back to the book.
        raise ValidationError({"number": f"{letter.issuing_unit.name}ไม่มีรหัสตัวพยัญชนะหรือเลขประจำส่วนราชการ"
                                         "ที่ใช้ได้ในวันนี้ จึงออกเลขไม่ได้ กรุณาแจ้งผู้ดูแลระบบ"}) from None
    entry.save(update_fields=["their_number"])
    letter.number, letter.issued_on = entry.their_number, entry.dated
    content["number"], content["date"] = letter.number, letter.issued_on.isoformat()
    content = _fill_defaults(letter, content)
    problems = validate_spec(content)
    if problems:
        raise SpecErrors(problems)
    letter.content = content
    letter.state = LetterState.ISSUED
    letter._history_user = by
    letter.save()
    transaction.on_commit(lambda: letter_issued.send(sender=Letter, letter=letter))
    return letter


@transaction.atomic
def letter_sign(letter: Letter, *, by) -> Letter:
    """ลงนาม as a state step only, for letters whose signature is made outside the portal (and tests):
    the portal's pages and API sign through ``signatures.services``, which sets the same state with
    the PAdES signature in the PDF."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if not signed_kind(letter.kind):
        raise ValidationError({"state": f"{letter.get_kind_display()}ไม่มีการลงนาม ส่งได้เมื่อออกเลขแล้ว"})
    if letter.state != LetterState.ISSUED:
        raise _refused_in_state(letter, "ลงนาม", done_in=(LetterState.SIGNED, LetterState.SENT))
    if not letter.pdf:
        raise ValidationError({"pdf": "ต้องสร้างแฟ้มหนังสือ (PDF) ก่อนลงนาม"})
    official = official_for(by)
    permissions.require(official is not None and letter.signer_id == official.pk, "เฉพาะผู้ลงนามที่กำหนดไว้เท่านั้น")
    letter.state = LetterState.SIGNED
    letter._history_user = by
    letter.save(update_fields=["state"])
    return letter


def _number_key(text: str) -> str:
    """The number as compared for duplicates: digits as Arabic, spaces out, and the printed ``ที่``
    before it dropped (a clerk types what the letter shows: ``ที่ กต ๐๒๐๓/๖๓๘๑``)."""
    text = (text or "").strip()
    if text.startswith("ที่") and text[3:4].isspace():
        text = text[3:]
    return "".join(thai.to_arabic_digits(text).split())


def _grant_to_registrars(item: IncomingItem) -> None:
    """A classified item arriving in a unit is granted to that unit's secret-document registrars."""
    for row in role_holders([Role.SECRET_REGISTRAR], [item.unit_id], clearance=item.secrecy).select_related(
            "official__user"):
        grants.grant_view(item, row.official.user)


@transaction.atomic
def letter_send(letter: Letter, *, by) -> list:
    """ส่ง: the letter becomes sent and, in the same transaction, the outbox gets one row per recipient
    (correspondence.services.delivery); Celery tasks queued after the commit deliver them. Returns the
    outbox rows. Outside addressees without an e-mail address get the letter on paper."""
    from correspondence.services import delivery

    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.secrecy >= Secrecy.TOP_SECRET:
        raise ValidationError({"secrecy": TOP_SECRET_REFUSAL})
    _require_ready_to_send(letter)
    permissions.require_clerk(by, letter.issuing_unit)
    if not letter.pdf:
        raise ValidationError({"pdf": "หนังสือนี้ยังไม่มีแฟ้มหนังสือ (PDF) จึงยังส่งไม่ได้"})
    if not letter.recipients.exists():
        raise ValidationError({"recipients": "กรุณากำหนดผู้รับหนังสืออย่างน้อย ๑ ราย ก่อนส่ง"})
    rows = delivery.outbox_write(letter, by=by)
    letter.state = LetterState.SENT
    letter._history_user = by
    letter.save(update_fields=["state"])
    return rows


PAPER_DISPATCH = "ส่งเป็นเอกสารกระดาษ (ลับที่สุด)"


@transaction.atomic
def letter_dispatch_paper(letter: Letter, *, by, note: str = "") -> Letter:
    """ลับที่สุด travels only on paper (ระเบียบว่าด้วยการรักษาความลับของทางราชการ): the clerk records that
    it left on paper; the recipients' lines say so, and nothing is sent electronically."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.secrecy < Secrecy.TOP_SECRET:
        raise ValidationError({"secrecy": "บันทึกการส่งเป็นเอกสารกระดาษใช้กับหนังสือลับที่สุด หนังสืออื่นส่งทางระบบ"})
    _require_ready_to_send(letter)
    permissions.require_clerk(by, letter.issuing_unit)
    reason = f"{PAPER_DISPATCH} {' '.join((note or '').split())}".strip()[:500]
    for rec in letter.recipients.all():
        rec.state_reason = reason
        rec._history_user = by
        rec.save(update_fields=["state_reason", "updated_at"])
    letter.state = LetterState.SENT
    letter._history_user = by
    letter.save(update_fields=["state"])
    return letter


@transaction.atomic
def letter_cancel(letter: Letter, *, by, reason: str) -> Letter:
    """ยกเลิก: an issued letter keeps its register line, voided with the reason; the number is never reused."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.state in (LetterState.SENT, LetterState.CANCELLED):
        # The state first: a reason typed or not, a sent or cancelled letter cannot be cancelled.
        raise _refused_in_state(letter, "ยกเลิก", done_in=(LetterState.CANCELLED,))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "กรุณาระบุเหตุที่ยกเลิก"})
    if letter.state in (LetterState.ISSUED, LetterState.SIGNED):
        permissions.require_clerk(by, letter.issuing_unit)
        for entry in letter.register_entries.exclude(status=EntryStatus.VOID):
            numbering.entry_void(entry, reason=reason, by=by)
    else:
        permissions.require(letter.created_by_id == by.pk, "ยกเลิกร่างได้เฉพาะผู้ร่างหนังสือ")
    letter.state, letter.cancel_reason = LetterState.CANCELLED, reason[:500]
    letter._history_user = by
    letter.save(update_fields=["state", "cancel_reason"])
    return letter


def require_visible_letter(user, letter_id) -> Letter:
    letter = permissions.visible_letters(user).filter(pk=letter_id).first()
    if letter is None:
        raise Letter.DoesNotExist
    return letter


__all__ = [
    "TOP_SECRET_REFUSAL", "current_step", "letter_cancel", "letter_create", "letter_delete", "letter_dispatch_paper",
    "letter_issue",
    "letter_review", "letter_send", "letter_sign", "letter_submit", "letter_update", "reference_text",
    "review_chain_set",
]
