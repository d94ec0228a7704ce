"""Retention and disposal (ระเบียบฯ หมวด ๓): retention classes, holds, the yearly บัญชีหนังสือขอทำลาย,
its committee and approval, destruction, and the list for the National Archives.

* An item's retention runs from the day it was received: 10 years by default, 1 year for routine
  matters, as many years as set, or forever (ห้ามทำลาย).
* Within 60 days after a calendar year ends, the job drafts for each unit a list of its closed items
  whose retention ended by 31 December of that year, leaving out items on hold and items on another list.
* The head of the unit (an executive of it or above) appoints the list's committee: a chair and at least
  two members, officials of the unit's organisation, the head not among them. Only appointed members
  review; the head approves once every one of them, the chair included, has agreed.
* The registry records the day the approved list went to the National Archives (กรมศิลปากร) and its
  answer: it agrees, or names items it wants kept (those become ห้ามทำลาย and are never destroyed).
* ``destruction_execute`` refuses a list not approved, not sent, or sent and not answered while the
  waiting period (``EOFFICE_ARCHIVES_REPLY_DAYS`` days from sending) still runs.
* Items 20 years old, not destroyed or held, are listed for hand-over to the National Archives.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import official_for
from correspondence import permissions
from correspondence.models import (
    ArchivesAnswer,
    CommitteeRole,
    DestructionCommitteeMember,
    DestructionLine,
    DestructionList,
    DestructionReview,
    DestructionState,
    IncomingItem,
    ItemState,
    NotificationKind,
    RetentionClass,
)
from correspondence.models.retention_classes import CLASS_YEARS
from correspondence.services.notifications import notify
from eoffice import thai
from eoffice.levels import Secrecy

DRAFT_WINDOW_DAYS = 60
MIN_COMMITTEE = 3
ARCHIVES_AGE_YEARS = 20

COMMITTEE_TOO_SMALL = ("คณะกรรมการทำลายหนังสือต้องมีอย่างน้อยสามคน (ประธานกรรมการและกรรมการอย่างน้อยสองคน) "
                       "และต้องพิจารณาเห็นชอบครบก่อน จึงจะอนุมัติได้")
NOT_APPROVED = "บัญชีหนังสือขอทำลายนี้ยังไม่ได้รับอนุมัติจากหัวหน้าส่วนราชการ จึงทำลายไม่ได้"
NOT_SENT = "บัญชีหนังสือขอทำลายนี้ยังไม่ได้ส่งให้กรมศิลปากรพิจารณา จึงทำลายไม่ได้"
CLASSIFIED_SUBJECT = "หนังสือชั้นความลับ (ไม่แสดงเรื่อง)"


# --- retention of one item ---------------------------------------------------------------------------------


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_years(item: IncomingItem) -> int | None:
    """Years the item is kept; None for ห้ามทำลาย."""
    if item.retention == RetentionClass.PERMANENT:
        return None
    if item.retention == RetentionClass.SET_YEARS:
        return item.retention_years or CLASS_YEARS[RetentionClass.TEN_YEARS]
    return CLASS_YEARS[RetentionClass(item.retention)]


def expires_on(item: IncomingItem) -> dt.date | None:
    years = retention_years(item)
    if years is None:
        return None
    return _add_years(thai.bangkok_date(item.received_at), years)


def retention_label(item: IncomingItem) -> str:
    years = retention_years(item)
    if years is None:
        return "ห้ามทำลาย"
    return f"{thai.to_thai_digits(str(years))} ปี"


@transaction.atomic
def retention_set(item: IncomingItem, *, by, retention: str, years: int | None = None) -> IncomingItem:
    """Set an item's retention class (the unit's registry or its secret-document registrar)."""
    from correspondence.services.receiving import require_registry

    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    if retention not in RetentionClass.values:
        raise ValidationError({"retention": "อายุการเก็บไม่ถูกต้อง"})
    if retention == RetentionClass.SET_YEARS and not (years and years > 0):
        raise ValidationError({"retention_years": "กรุณาระบุจำนวนปีที่เก็บ"})
    item.retention = retention
    item.retention_years = years if retention == RetentionClass.SET_YEARS else None
    item._history_user = by
    item.save(update_fields=["retention", "retention_years"])
    return item


@transaction.atomic
def hold_set(item: IncomingItem, *, by, reason: str, on: bool = True) -> IncomingItem:
    """ระงับการทำลาย (e.g. a case in court) or release it; a held item is never listed or destroyed."""
    from correspondence.services.receiving import require_registry

    item = IncomingItem.objects.select_for_update().get(pk=item.pk)
    require_registry(by, item.unit, item.secrecy)
    reason = (reason or "").strip()
    if on and not reason:
        raise ValidationError({"hold_reason": "กรุณาระบุเหตุที่ระงับการทำลาย"})
    item.on_hold, item.hold_reason = on, reason[:500]
    item._history_user = by
    item.save(update_fields=["on_hold", "hold_reason"])
    return item


# --- the yearly list --------------------------------------------------------------------------------------------


def destruction_candidates(unit: Agency, year: int) -> list[tuple[IncomingItem, dt.date]]:
    """Closed items of the unit whose retention ended by 31 December of ``year`` (CE), not held, not
    destroyed, not on another list; with the day each retention ended."""
    year_end = dt.date(year, 12, 31)
    # Nothing is kept less than a year: items received after that cannot have expired.
    latest = dt.datetime.combine(_add_years(year_end, -1), dt.time.max, tzinfo=thai.BANGKOK)
    qs = (IncomingItem.objects.filter(unit=unit, state=ItemState.CLOSED, on_hold=False, destroyed_at__isnull=True,
                                      received_at__lte=latest)
          .exclude(retention=RetentionClass.PERMANENT)
          .exclude(destruction_lines__destruction_list__year__lt=thai.be_year(year))
          .order_by("received_at", "pk"))
    out = []
    for item in qs:
        end = _ended_by(item, year_end)
        if end is not None:
            out.append((item, end))
    return out


def _ended_by(item: IncomingItem, year_end: dt.date) -> dt.date | None:
    """The day the item's retention ended, if by ``year_end`` (never for ห้ามทำลาย)."""
    end = expires_on(item)
    return end if end is not None and end <= year_end else None


def _line(dlist: DestructionList, item: IncomingItem, end: dt.date) -> DestructionLine:
    classified = item.secrecy >= Secrecy.CONFIDENTIAL
    return DestructionLine(
        destruction_list=dlist, item=item, receipt_number=item.receipt_number,
        their_number="" if classified else item.their_number, dated=item.dated,
        subject=CLASSIFIED_SUBJECT if classified else item.subject[:1000], retention=retention_label(item),
        expired_on=end,
    )


@transaction.atomic
def destruction_list_draft(unit: Agency, year: int, *, now: dt.datetime | None = None) -> DestructionList | None:
    """Draft (or bring up to date, while still a draft) the unit's list for calendar year ``year`` (CE)."""
    now = now or timezone.now()
    candidates = destruction_candidates(unit, year)
    dlist = DestructionList.objects.select_for_update().filter(unit=unit, year=thai.be_year(year)).first()
    if dlist is None:
        if not candidates:
            return None
        # Two runs at once both find no list: the second waits on the unique (unit, year) row and takes it.
        dlist, _ = DestructionList.objects.get_or_create(unit=unit, year=thai.be_year(year),
                                                         defaults={"drafted_at": now})
        dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    if dlist.state != DestructionState.DRAFT or dlist.reviews.exists():
        # Once a member has reviewed the list its lines are frozen: the committee approves what it saw.
        # Items that expire meanwhile wait for next year's list; a hold placed since is honoured at
        # destruction.
        return dlist
    wanted = {item.pk: (item, end) for item, end in candidates}
    for line in dlist.lines.exclude(item_id__in=wanted):
        line.delete()  # since held, reopened or listed elsewhere
    have = set(dlist.lines.values_list("item_id", flat=True))
    for item_id, (item, end) in wanted.items():
        if item_id not in have:
            _line(dlist, item, end).save()
    return dlist


def destruction_lists_draft(*, now: dt.datetime | None = None) -> dict:
    """The job: within 60 days after the year ends, draft last year's list of every unit."""
    now = now or timezone.now()
    today = thai.bangkok_date(now)
    year = today.year - 1
    if (today - dt.date(year, 12, 31)).days > DRAFT_WINDOW_DAYS:
        return {"year": year, "drafted": 0, "outside_window": True}
    unit_ids = (IncomingItem.objects.filter(state=ItemState.CLOSED, destroyed_at__isnull=True)
                .values_list("unit_id", flat=True).distinct())
    drafted = 0
    for unit in Agency.objects.filter(pk__in=list(unit_ids)).order_by("pk"):
        created = not DestructionList.objects.filter(unit=unit, year=thai.be_year(year)).exists()
        dlist = destruction_list_draft(unit, year, now=now)
        if dlist is not None and created:
            drafted += 1
            for official in _clerks(unit):
                notify(official.user, NotificationKind.DESTRUCTION,
                       f"จัดทำร่างบัญชีหนังสือขอทำลาย ประจำปี พ.ศ. {thai.to_thai_digits(str(dlist.year))} "
                       f"ของ{unit.name} แล้ว {thai.to_thai_digits(str(dlist.lines.count()))} รายการ "
                       f"รอคณะกรรมการพิจารณา", now=now)
    return {"year": year, "drafted": drafted, "outside_window": False}


def _clerks(unit: Agency):
    from agencies.models import Official, Role, RoleAssignment
    from django.db.models import Q

    ids = RoleAssignment.objects.valid_on(dt.date.today()).filter(role=Role.REGISTRY_CLERK).filter(
        Q(unit=unit) | Q(unit__isnull=True, official__unit=unit)).values("official_id")
    return Official.objects.filter(pk__in=ids).select_related("user")


# --- committee, approval, the National Archives, destruction ------------------------------------------------


def _require_head(by, dlist: DestructionList) -> None:
    permissions.require_executive(by, dlist.unit)


def _official_names(officials) -> str:
    return ", ".join(o.display_name for o in officials)


@transaction.atomic
def destruction_committee_appoint(dlist: DestructionList, *, by, chair, members,
                                  now: dt.datetime | None = None) -> list[DestructionCommitteeMember]:
    """The head appoints the list's คณะกรรมการทำลายหนังสือ: one chair and at least two members, officials of
    the unit's organisation, the head not among them. Appointing again replaces the committee; the reviews
    of those no longer on it go (those who stay keep theirs)."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    _require_head(by, dlist)
    if dlist.state != DestructionState.DRAFT:
        raise ValidationError({"state": "บัญชีนี้อนุมัติไปแล้ว แต่งตั้งคณะกรรมการใหม่ไม่ได้"})
    if chair is None:
        raise ValidationError({"chair": "กรุณาเลือกประธานกรรมการ"})
    members = list(members or [])
    people = [chair, *members]
    if len({o.pk for o in people}) != len(people):
        raise ValidationError({"members": "แต่งตั้งเจ้าหน้าที่คนเดียวกันซ้ำในคณะกรรมการไม่ได้"})
    if len(people) < MIN_COMMITTEE:
        raise ValidationError({"members": "คณะกรรมการทำลายหนังสือต้องมีประธานกรรมการและกรรมการอย่างน้อยสองคน"})
    head = official_for(by)
    if head is not None and any(o.pk == head.pk for o in people):
        raise ValidationError({"members": "ผู้แต่งตั้งซึ่งเป็นผู้อนุมัติบัญชีต้องไม่เป็นกรรมการเอง"})
    organisation = permissions.units_below(dlist.unit.top.pk)
    outsiders = [o for o in people if o.unit_id not in organisation or not o.user.is_active]
    if outsiders:
        raise ValidationError({"members": f"กรรมการต้องเป็นเจ้าหน้าที่ของ{dlist.unit.top.name}: "
                                          f"{_official_names(outsiders)} ไม่ใช่"})
    now = now or timezone.now()
    roles = {o.pk: CommitteeRole.CHAIR if i == 0 else CommitteeRole.MEMBER for i, o in enumerate(people)}
    user_roles = {o.user_id: roles[o.pk] for o in people}
    for review in dlist.reviews.all():
        if review.member_id not in user_roles:
            review._history_user = by
            review.delete()
        elif review.role != user_roles[review.member_id]:
            review.role, review._history_user = user_roles[review.member_id], by
            review.save(update_fields=["role"])
    # Rows of officials who stay are kept (their appointment date with them); the others go.
    current = {row.official_id: row for row in dlist.committee.all()}
    for official_id, row in current.items():
        if official_id not in roles:
            row._history_user = by
            row.delete()
    # The chair changes hands in two steps: the one-chair constraint holds after each save.
    for row in current.values():
        if row.official_id in roles and row.role != roles[row.official_id] and row.role == CommitteeRole.CHAIR:
            row.role, row._history_user = roles[row.official_id], by
            row.save(update_fields=["role"])
    appointed = []
    for o in people:
        row = current.get(o.pk) or DestructionCommitteeMember(destruction_list=dlist, official=o, appointed_by=by,
                                                              appointed_at=now)
        if row.pk is None or row.role != roles[o.pk]:
            row.role, row._history_user = roles[o.pk], by
            row.save()
        appointed.append(row)
        if o.pk not in current:
            notify(o.user, NotificationKind.DESTRUCTION,
                   f"ได้รับแต่งตั้งเป็น{CommitteeRole(roles[o.pk]).label}ทำลายหนังสือ "
                   f"บัญชีหนังสือขอทำลาย ประจำปี พ.ศ. {thai.to_thai_digits(str(dlist.year))} ของ{dlist.unit.name}",
                   link=reverse("portal:destruction-list", args=[dlist.pk]), now=now)
    return appointed


def _appointment(dlist: DestructionList, user) -> DestructionCommitteeMember | None:
    return dlist.committee.filter(official__user=user).first()


@transaction.atomic
def destruction_review(dlist: DestructionList, *, by, agreed: bool, note: str = "",
                       now: dt.datetime | None = None) -> DestructionReview:
    """An appointed committee member's review of a draft list (given again, it replaces their earlier one)."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    if dlist.state != DestructionState.DRAFT:
        raise ValidationError({"state": "บัญชีนี้ไม่อยู่ในระหว่างการพิจารณาของคณะกรรมการ"})
    appointment = _appointment(dlist, by)
    if appointment is None:
        raise ValidationError({"member": "เฉพาะกรรมการที่หัวหน้าส่วนราชการแต่งตั้งสำหรับบัญชีนี้เท่านั้น "
                                         "จึงจะพิจารณาบัญชีได้"})
    if not agreed and not (note or "").strip():
        raise ValidationError({"note": "กรุณาระบุความเห็นเมื่อไม่เห็นชอบ"})
    review = DestructionReview.objects.filter(destruction_list=dlist, member=by).first() or DestructionReview(
        destruction_list=dlist, member=by)
    review.role, review.agreed, review.note = appointment.role, agreed, (note or "").strip()[:1000]
    review.reviewed_at = now or timezone.now()
    review._history_user = by
    review.save()
    return review


def committee_pending(dlist: DestructionList) -> list:
    """Appointed officials who have not reviewed, or have not agreed."""
    agreed = set(dlist.reviews.filter(agreed=True).values_list("member_id", flat=True))
    return [row.official for row in dlist.committee.select_related("official") if row.official.user_id not in agreed]


@transaction.atomic
def destruction_approve(dlist: DestructionList, *, by, now: dt.datetime | None = None) -> DestructionList:
    """The head's approval: only once every appointed member, the chair included, has reviewed and agreed."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    _require_head(by, dlist)
    if dlist.state != DestructionState.DRAFT:
        raise ValidationError({"state": "บัญชีนี้อนุมัติไปแล้ว"})
    committee = list(dlist.committee.all())
    chairs = [row for row in committee if row.role == CommitteeRole.CHAIR]
    if len(committee) < MIN_COMMITTEE or len(chairs) != 1:
        raise ValidationError(COMMITTEE_TOO_SMALL)
    pending = committee_pending(dlist)
    if pending:
        raise ValidationError(f"กรรมการยังไม่ได้พิจารณาเห็นชอบครบทุกคน: {_official_names(pending)}")
    if any(row.official.user_id == by.pk for row in committee):
        raise ValidationError("ผู้อนุมัติต้องไม่เป็นกรรมการที่พิจารณาบัญชีนี้")
    dlist.state, dlist.approved_by, dlist.approved_at = DestructionState.APPROVED, by, now or timezone.now()
    dlist._history_user = by
    dlist.save(update_fields=["state", "approved_by", "approved_at"])
    return dlist


def _today(now: dt.datetime | None) -> dt.date:
    return thai.bangkok_date(now or timezone.now())


def _plausible_day(day: dt.date | None, *, field: str, after: dt.date | None, now: dt.datetime | None) -> dt.date:
    """A day recorded for the list: given, not in the future, not before the step it follows."""
    if day is None:
        raise ValidationError({field: "กรุณาระบุวันที่"})
    if day > _today(now):
        raise ValidationError({field: "วันที่ต้องไม่เป็นวันในอนาคต"})
    if after is not None and day < after:
        raise ValidationError({field: f"วันที่ต้องไม่ก่อนวันที่ {thai.format_date(after)}"})
    return day


@transaction.atomic
def destruction_send_to_archives(dlist: DestructionList, *, by, sent_on: dt.date,
                                 now: dt.datetime | None = None) -> DestructionList:
    """The unit's registry records the day the approved list went to the National Archives (กรมศิลปากร)."""
    from correspondence.services.receiving import require_registry

    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    require_registry(by, dlist.unit, Secrecy.NORMAL)
    if dlist.state != DestructionState.APPROVED:
        raise ValidationError({"state": NOT_APPROVED if dlist.state == DestructionState.DRAFT
                               else "บันทึกการส่งบัญชีนี้ให้กรมศิลปากรไปแล้ว"})
    approved_on = thai.bangkok_date(dlist.approved_at) if dlist.approved_at else None
    dlist.archives_sent_on = _plausible_day(sent_on, field="sent_on", after=approved_on, now=now)
    dlist.archives_sent_by, dlist.state = by, DestructionState.SENT
    dlist._history_user = by
    dlist.save(update_fields=["archives_sent_on", "archives_sent_by", "state"])
    return dlist


@transaction.atomic
def destruction_archives_answer(dlist: DestructionList, *, by, keep_items=(), answered_on: dt.date,
                                now: dt.datetime | None = None) -> DestructionList:
    """The National Archives' answer: it agrees, or names items it wants kept. Those lines are marked kept
    and their items become ห้ามทำลาย; nothing else changes."""
    from correspondence.services.receiving import require_registry

    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    require_registry(by, dlist.unit, Secrecy.NORMAL)
    if dlist.state != DestructionState.SENT:
        raise ValidationError({"state": "บันทึกคำตอบของกรมศิลปากรได้เฉพาะบัญชีที่ส่งกรมศิลปากรแล้วและยังไม่ได้ทำลาย"})
    if dlist.archives_answer:
        raise ValidationError({"state": "บันทึกคำตอบของกรมศิลปากรสำหรับบัญชีนี้ไปแล้ว"})
    answered_on = _plausible_day(answered_on, field="answered_on", after=dlist.archives_sent_on, now=now)
    keep_ids = {getattr(item, "pk", item) for item in keep_items}
    lines = list(dlist.lines.filter(item_id__in=keep_ids))
    if len(lines) != len(keep_ids):
        raise ValidationError({"keep_items": "รายการที่กรมศิลปากรขอเก็บต้องเป็นรายการในบัญชีนี้"})
    for line in lines:
        line.archives_keep = True
        line._history_user = by
        line.save(update_fields=["archives_keep"])
        item = IncomingItem.objects.select_for_update().get(pk=line.item_id)
        item.retention, item.retention_years = RetentionClass.PERMANENT, None
        item._history_user = by
        item.save(update_fields=["retention", "retention_years"])
    dlist.archives_answer = ArchivesAnswer.KEEP_SOME if lines else ArchivesAnswer.AGREED
    dlist.archives_answered_on, dlist.archives_answer_by = answered_on, by
    dlist._history_user = by
    dlist.save(update_fields=["archives_answer", "archives_answered_on", "archives_answer_by"])
    return dlist


def archives_wait_until(dlist: DestructionList) -> dt.date | None:
    """The first day the list may be destroyed without the National Archives' answer."""
    if dlist.archives_sent_on is None:
        return None
    return dlist.archives_sent_on + dt.timedelta(days=settings.EOFFICE_ARCHIVES_REPLY_DAYS)


def _require_archives_step(dlist: DestructionList, now: dt.datetime | None) -> None:
    if dlist.state == DestructionState.DRAFT:
        raise ValidationError(NOT_APPROVED)
    if dlist.state == DestructionState.APPROVED:
        raise ValidationError(NOT_SENT)
    if dlist.state != DestructionState.SENT:
        raise ValidationError("บัญชีนี้ทำลายไปแล้ว")
    until = archives_wait_until(dlist)
    if not dlist.archives_answer and _today(now) < until:
        raise ValidationError(f"ยังไม่ได้รับคำตอบจากกรมศิลปากร ต้องรอจนถึงวันที่ {thai.format_date(until)} "
                              f"จึงจะทำลายได้ (หรือบันทึกคำตอบของกรมศิลปากรเมื่อได้รับ)")


def destruction_may_execute(dlist: DestructionList, *, now: dt.datetime | None = None) -> bool:
    try:
        _require_archives_step(dlist, now)
    except ValidationError:
        return False
    return True


@transaction.atomic
def destruction_execute(dlist: DestructionList, *, by, now: dt.datetime | None = None) -> dict:
    """Destroy the listed items: their stored files go, their register lines stay (a number is never
    deleted) and each item is marked destroyed. Only after the head's approval and the list's sending to the
    National Archives, once it has answered or the waiting period has passed. Items the Archives keep, and
    items put on hold or kept longer since, stay."""
    from correspondence.services.receiving import require_registry

    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    require_registry(by, dlist.unit, Secrecy.NORMAL)
    _require_archives_step(dlist, now)
    now = now or timezone.now()
    year_end = dt.date(dlist.year - thai.BE_OFFSET, 12, 31)
    destroyed, kept, files = 0, 0, []
    for line in dlist.lines.select_related("item"):
        item = IncomingItem.objects.select_for_update().get(pk=line.item_id)
        if item.destroyed_at:
            continue
        if line.archives_keep or not _still_destructible(item, year_end):
            # Kept by the Archives, or held, reopened, or its retention lengthened or made ห้ามทำลาย since.
            kept += 1
            continue
        if item.pdf:
            files.append((item.pdf.storage, item.pdf.name))
            received = _received_file(item)
            if received:  # the file as it came, kept beside the stamped one
                files.append((item.pdf.storage, received))
        item.pdf, item.destroyed_at = "", now
        item._history_user = by
        item.save(update_fields=["pdf", "destroyed_at"])
        destroyed += 1
    # Files go only once every line is marked: a failure half-way must not leave items that look kept but
    # whose file is gone.
    transaction.on_commit(lambda: _delete_unshared(files))
    dlist.state, dlist.executed_by, dlist.executed_at = DestructionState.DESTROYED, by, now
    dlist._history_user = by
    dlist.save(update_fields=["state", "executed_by", "executed_at"])
    return {"destroyed": destroyed, "kept": kept}


def _still_destructible(item: IncomingItem, year_end: dt.date) -> bool:
    """What made it a candidate (destruction_candidates) still holds: closed, not held, retention ended."""
    return not item.on_hold and item.state == ItemState.CLOSED and _ended_by(item, year_end) is not None


def _received_file(item: IncomingItem) -> str:
    """The name of the file as received, which the receipt stamp keeps beside the stamped one."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return item.receipt_stamp.received_pdf or ""
    except ObjectDoesNotExist:
        return ""


def _delete_unshared(files) -> None:
    """Delete each file no record still holds: a routed copy shares its item's file, and an item delivered
    inside the portal holds the sending agency's own signed letter, which is never ours to destroy."""
    from django.apps import apps

    from correspondence.models import Letter

    stamps = apps.get_model("signatures", "ReceiptStamp")
    for storage, name in files:
        if IncomingItem.objects.filter(pdf=name, destroyed_at__isnull=True).exists():
            continue
        if stamps.objects.filter(received_pdf=name, item__destroyed_at__isnull=True).exists():
            continue
        if Letter.objects.filter(pdf=name).exists():
            continue
        storage.delete(name)


# --- the National Archives -------------------------------------------------------------------------------------


def archives_due(user, unit: Agency, *, on: dt.date | None = None):
    """Items of the unit 20 years old or more, neither destroyed, held, nor handed over yet, as the user
    may see them."""
    on = on or thai.bangkok_date(timezone.now())
    cutoff = dt.datetime.combine(_add_years(on, -ARCHIVES_AGE_YEARS), dt.time.max, tzinfo=thai.BANGKOK)
    qs = IncomingItem.objects.filter(unit=unit, received_at__lte=cutoff, destroyed_at__isnull=True,
                                     archived_at__isnull=True, on_hold=False)
    return permissions.visible_items(user, qs).order_by("received_at", "pk")


ARCHIVES_COLUMNS = ["เลขรับ", "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "ชั้นความลับ", "อายุการเก็บ", "รับเมื่อ", "เก็บที่"]


def archives_export_csv(user, unit: Agency, *, on: dt.date | None = None) -> str:
    """บัญชีส่งมอบหนังสือครบ ๒๐ ปี as CSV (UTF-8 with BOM, so spreadsheet programs read the Thai)."""
    permissions.require_clerk(user, unit)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(ARCHIVES_COLUMNS)
    for item in archives_due(user, unit, on=on):
        classified = item.secrecy >= Secrecy.CONFIDENTIAL
        writer.writerow([
            item.receipt_number, "" if classified else item.their_number,
            thai.format_date(item.dated, style="short_year4") if item.dated else "",
            item.sender_text, item.addressee, CLASSIFIED_SUBJECT if classified else item.subject,
            Secrecy(item.secrecy).label, retention_label(item),
            thai.format_date(thai.bangkok_date(item.received_at), style="short_year4"), item.filed_at,
        ])
    return out.getvalue()
