"""Retention and disposal (ระเบียบฯ หมวด ๓): retention classes, holds, the yearly บัญชีหนังสือขอทำลาย,
its committee and approval, destruction, and the list for the National Archives.

* An item's retention runs from the day it was received: 10 years by default, 1 year for routine
  matters, as many years as set, or forever (ห้ามทำลาย).
* Within 60 days after a calendar year ends, the job drafts for each unit a list of its closed items
  whose retention ended by 31 December of that year, leaving out items on hold and items on another list.
* A committee of at least three (a chair and at least two members) records its review; the head of
  the unit (an executive of it or above) approves; ``destruction_execute`` refuses anything else.
* Items 20 years old, not destroyed or held, are listed for hand-over to the National Archives.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import official_for
from correspondence import permissions
from correspondence.models import (
    CommitteeRole,
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
        end = expires_on(item)
        if end is not None and end <= year_end:
            out.append((item, end))
    return out


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


# --- committee, approval, destruction ------------------------------------------------------------------------


@transaction.atomic
def destruction_review(dlist: DestructionList, *, by, role: str, agreed: bool, note: str = "",
                       now: dt.datetime | None = None) -> DestructionReview:
    """One committee member's review of a draft list."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    member = official_for(by)
    if member is None:
        raise ValidationError({"member": "กรรมการต้องเป็นเจ้าหน้าที่ในระบบ"})
    if member.unit_id not in permissions.units_below(dlist.unit.top.pk):
        raise ValidationError({"member": f"กรรมการต้องเป็นเจ้าหน้าที่ของ{dlist.unit.top.name}"})
    if dlist.state != DestructionState.DRAFT:
        raise ValidationError({"state": "บัญชีนี้ไม่อยู่ในระหว่างการพิจารณาของคณะกรรมการ"})
    if role not in CommitteeRole.values:
        raise ValidationError({"role": "ตำแหน่งในคณะกรรมการไม่ถูกต้อง"})
    if role == CommitteeRole.CHAIR and dlist.reviews.filter(role=CommitteeRole.CHAIR).exclude(member=by).exists():
        raise ValidationError({"role": "คณะกรรมการมีประธานกรรมการได้เพียงคนเดียว"})
    if not agreed and not (note or "").strip():
        raise ValidationError({"note": "กรุณาระบุความเห็นเมื่อไม่เห็นชอบ"})
    review, _ = DestructionReview.objects.update_or_create(
        destruction_list=dlist, member=by,
        defaults={"role": role, "agreed": agreed, "note": (note or "")[:1000], "reviewed_at": now or timezone.now()},
    )
    return review


@transaction.atomic
def destruction_approve(dlist: DestructionList, *, by, now: dt.datetime | None = None) -> DestructionList:
    """The head's approval: only after a committee of at least three, with its chair, all agreeing."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    permissions.require_executive(by, dlist.unit)
    if dlist.state != DestructionState.DRAFT:
        raise ValidationError({"state": "บัญชีนี้อนุมัติไปแล้ว"})
    reviews = list(dlist.reviews.all())
    agreed = [r for r in reviews if r.agreed]
    chairs = [r for r in agreed if r.role == CommitteeRole.CHAIR]
    if len(agreed) < MIN_COMMITTEE or len(agreed) != len(reviews) or len(chairs) != 1:
        raise ValidationError(COMMITTEE_TOO_SMALL)
    if any(r.member_id == by.pk for r in reviews):
        raise ValidationError("ผู้อนุมัติต้องไม่เป็นกรรมการที่พิจารณาบัญชีนี้")
    dlist.state, dlist.approved_by, dlist.approved_at = DestructionState.APPROVED, by, now or timezone.now()
    dlist._history_user = by
    dlist.save(update_fields=["state", "approved_by", "approved_at"])
    return dlist


@transaction.atomic
def destruction_execute(dlist: DestructionList, *, by, now: dt.datetime | None = None) -> dict:
    """Destroy the approved list's items: their stored files go, their register lines stay (a number is
    never deleted) and each item is marked destroyed. Refused for any list not approved; an item put
    on hold since is kept."""
    dlist = DestructionList.objects.select_for_update().get(pk=dlist.pk)
    if dlist.state != DestructionState.APPROVED:
        raise ValidationError(NOT_APPROVED)
    from correspondence.services.receiving import require_registry

    require_registry(by, dlist.unit, Secrecy.NORMAL)
    now = now or timezone.now()
    year_end = dt.date(dlist.year - 543, 12, 31)
    destroyed, kept, files = 0, 0, []
    for line in dlist.lines.select_related("item"):
        item = IncomingItem.objects.select_for_update().get(pk=line.item_id)
        if item.destroyed_at:
            continue
        if not _still_destructible(item, year_end):
            kept += 1  # held, reopened, or its retention lengthened or made ห้ามทำลาย since the list was made
            continue
        if item.pdf:
            files.append((item.pdf.storage, item.pdf.name))
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
    end = expires_on(item)
    return (not item.on_hold and item.state == ItemState.CLOSED and item.retention != RetentionClass.PERMANENT
            and end is not None and end <= year_end)


def _delete_unshared(files) -> None:
    """Delete each file no record still holds: a routed copy shares its item's file, and an item delivered
    inside the portal holds the sending agency's own signed letter, which is never ours to destroy."""
    from correspondence.models import Letter

    for storage, name in files:
        if IncomingItem.objects.filter(pdf=name, destroyed_at__isnull=True).exists():
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
