"""Reminders and escalation (การเตือนและแจ้งผู้บังคับบัญชา) of items nobody has acted on.

Rows, not broker countdowns: planning writes ``Reminder`` rows at the agency's policy times
(agencies/calendar.py: per urgency, working days, Thai holidays, ด่วนภายใน deadlines); the beat task
``reminders_scan`` sends what is due every minute, each row exactly once; acting on the item cancels
what is still pending.

* A registered item waits for its minute (เกษียน): the executives of its unit are reminded, their
  supervisors are told at the escalation time. A minute, a routing or closing cancels these.
* A registered classified item is seen by nobody but the secret-document registrar until they present
  (เสนอ) it to an executive: the registrars who may see it are reminded to present it. Presenting it
  (or a minute, a routing, closing) cancels that; the executive it is put before is reminded from then on.
  Still unpresented at the escalation time, the registrars' supervisors who are cleared for its level
  (the nearest such executives of its unit or above: those it would be presented to) are told that it
  waits, by receipt number, with no subject and no link: they hold no grant on it until presented.
* A minute that assigns the item waits for the assignee's acknowledgement (รับทราบ): the assignee is
  reminded, their supervisor told. Acknowledging or closing cancels these.

Supervisors: agencies has no supervisor relation (``Official.position`` is text), so the supervisor
of an official is an executive (Role.EXECUTIVE) of the official's own unit, or else of the nearest
unit above that has one. The supervisor of a unit's executives is found from the unit above.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.calendar import reminder_times
from agencies.models import Agency, Official, Role, RoleAssignment
from agencies.selectors import role_holders
from correspondence import permissions
from correspondence.models import (
    IncomingItem,
    ItemState,
    Minute,
    NotificationKind,
    Reminder,
    ReminderKind,
)
from correspondence.services.notifications import notify
from eoffice import thai
from eoffice.levels import Secrecy, Urgency


# --- who ---------------------------------------------------------------------------------------------------


def _path_ids(unit_id: int) -> list[int]:
    """The unit and the units above it, nearest first (a few primary-key reads, not the whole tree)."""
    chain = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = Agency.objects.filter(pk=unit_id).values_list("parent_id", flat=True).first()
    return chain


def _executives_by_unit(unit_ids: list[int], on: dt.date | None = None) -> dict[int, list[Official]]:
    """Officials holding Role.EXECUTIVE for each unit on a day (a role without unit counts for their own),
    in one query."""
    on = on or dt.date.today()
    rows = (RoleAssignment.objects.valid_on(on).filter(role=Role.EXECUTIVE)
            .filter(Q(unit_id__in=unit_ids) | Q(unit__isnull=True, official__unit_id__in=unit_ids))
            .filter(official__user__is_active=True).select_related("official__user").order_by("official_id"))
    out: dict[int, list[Official]] = {}
    for row in rows:
        people = out.setdefault(row.unit_id or row.official.unit_id, [])
        if all(o.pk != row.official_id for o in people):
            people.append(row.official)
    return out


def _nearest(path: list[int], by_unit: dict, exclude: set[int]) -> tuple[int | None, list[Official]]:
    """The first unit along ``path`` with executives other than ``exclude``: its index and them."""
    for index, unit_id in enumerate(path):
        found = [o for o in by_unit.get(unit_id, []) if o.pk not in exclude]
        if found:
            return index, found
    return None, []


def executives_of(unit_id: int, on: dt.date | None = None) -> list[Official]:
    return _executives_by_unit([unit_id], on).get(unit_id, [])


def executives_or_above(unit_id: int) -> list[Official]:
    """The executives of a unit, or of the nearest unit above it that has any."""
    path = _path_ids(unit_id)
    return _nearest(path, _executives_by_unit(path), set())[1]


def supervisors_of(official: Official) -> list[Official]:
    """An official's supervisors: the executives of their unit, or of the nearest unit above with any."""
    path = _path_ids(official.unit_id)
    return _nearest(path, _executives_by_unit(path), {official.pk})[1]


# --- planning ---------------------------------------------------------------------------------------------


def registrars_of(item: IncomingItem, on: dt.date | None = None) -> list[Official]:
    """The secret-document registrars (นายทะเบียนหนังสือลับ) of the item's unit cleared for it."""
    on = on or thai.bangkok_date(timezone.now())
    rows = role_holders([Role.SECRET_REGISTRAR], [item.unit_id], clearance=item.secrecy, on=on)
    return list(Official.objects.filter(pk__in=rows.values("official_id"), user__is_active=True)
                .select_related("user").order_by("pk"))


def _may_see(official: Official, item: IncomingItem, item_path: list[int]) -> bool:
    # Nobody is reminded of an item they may not see: an unclassified item is seen from its unit and the
    # units above it (as permissions.visible_items), a classified one only with a grant.
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        return permissions.can_see_item(official.user, item)
    return official.unit_id in item_path


def _create(item: IncomingItem, minute: Minute | None, kind: str, due: dt.datetime, people: list[Official],
            now: dt.datetime) -> list[Reminder]:
    """One row per person (planned once: a row already there is kept as it is); the rows made now."""
    rows = []
    for official in people:
        row, created = Reminder.objects.get_or_create(
            item=item, minute=minute, recipient=official.user, kind=kind,
            defaults={"due_at": due, "created_at": now},
        )
        if created:
            rows.append(row)
    return rows


def _plan(item: IncomingItem, minute: Minute | None, reminded: list[Official], escalated: list[Official],
          start: dt.datetime, now: dt.datetime, item_path: list[int],
          remind_kind: str = ReminderKind.REMIND, times: tuple[dt.datetime, dt.datetime] | None = None,
          ) -> list[Reminder]:
    """``times``: (remind, escalate) when the caller already has them for this start."""
    remind_at, escalate_at = times or reminder_times(item.unit, item.urgency, start, item.deliver_by)
    rows = []
    for kind, due, people in ((remind_kind, remind_at, reminded), (ReminderKind.ESCALATE, escalate_at, escalated)):
        rows += _create(item, minute, kind, due, [o for o in people if _may_see(o, item, item_path)], now)
    return rows


def _plan_unpresented(item: IncomingItem, supervisors: list[Official], now: dt.datetime,
                      escalate_at: dt.datetime) -> list[Reminder]:
    """Escalation rows of a classified item awaiting presentation. ``_plan`` skips them (the supervisors
    hold no grant yet); the text they get reveals only that the item exists (``_notify_unpresented``)."""
    return _create(item, None, ReminderKind.ESCALATE, escalate_at, supervisors, now)


def _cleared_supervisors(item: IncomingItem, path: list[int], by_unit: dict,
                         registrars: list[Official]) -> list[Official]:
    """The registrars' supervisors cleared for the item: the executives of the nearest unit on the item's
    path with any cleared for its level (whom the registrar would present it to, so told of nothing they
    are not entitled to)."""
    cleared = {unit_id: [o for o in people if o.clearance >= item.secrecy] for unit_id, people in by_unit.items()}
    return _nearest(path, cleared, {o.pk for o in registrars})[1]


def reminders_schedule(item: IncomingItem, *, now: dt.datetime | None = None) -> list[Reminder]:
    """A newly registered item: remind the executives who should minute it, then escalate above them.
    A classified one: its registrars are reminded to present it (the executives hold no grant yet), and
    their cleared supervisors are told at the escalation time if it is still unpresented."""
    now = now or timezone.now()
    path = _path_ids(item.unit_id)
    by_unit = _executives_by_unit(path)
    level, executives = _nearest(path, by_unit, set())
    supervisors = []
    if level is not None:
        supervisors = _nearest(path[level + 1:], by_unit, {o.pk for o in executives})[1]
    # Every row here counts from the receipt: one policy and holiday look-up serves them all.
    times = reminder_times(item.unit, item.urgency, item.received_at, item.deliver_by)
    rows = _plan(item, None, executives, supervisors, item.received_at, now, path, times=times)
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        registrars = registrars_of(item, thai.bangkok_date(now))
        rows += _plan(item, None, registrars, [], item.received_at, now, path, remind_kind=ReminderKind.PRESENT,
                      times=times)
        rows += _plan_unpresented(item, _cleared_supervisors(item, path, by_unit, registrars), now, times[1])
    return rows


def reminders_schedule_presented(item: IncomingItem, official: Official, *,
                                 now: dt.datetime | None = None) -> list[Reminder]:
    """A classified item presented (เสนอ) to an executive: at registration nobody held a grant on it, so
    nobody was planned a reminder; the executive it is put before is reminded to minute it from now on."""
    now = now or timezone.now()
    return _plan(item, None, [official], [], item.received_at, now, _path_ids(item.unit_id))


def reminders_schedule_minute(minute: Minute, *, now: dt.datetime | None = None) -> list[Reminder]:
    """A minute that assigns the item: remind the assignee, then escalate to the assignee's supervisors."""
    if minute.assignee_id is None or minute.acknowledged_at:
        return []
    now = now or timezone.now()
    assignee = minute.assignee
    item = minute.item
    return _plan(item, minute, [assignee], supervisors_of(assignee), minute.written_at, now, _path_ids(item.unit_id))


def reminders_cancel(*, item: IncomingItem | None = None, minute: Minute | None = None,
                     awaiting_minute_only: bool = False, kind: str | None = None, reason: str = "",
                     now: dt.datetime | None = None) -> int:
    """Cancel what is still pending for an item (all, only those awaiting its minute, or those of one
    kind) or a minute."""
    qs = Reminder.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True)
    if minute is not None:
        qs = qs.filter(minute=minute)
    elif item is not None:
        qs = qs.filter(item=item)
        if awaiting_minute_only:
            qs = qs.filter(minute__isnull=True)
    else:
        raise ValueError("item or minute")
    if kind is not None:
        qs = qs.filter(kind=kind)
    # Locked like the scan claims them: a row being sent right now is waited for, then no longer
    # matches (sent); saved one by one so the audit trail records each cancellation.
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(qs.select_for_update())
        for r in rows:
            r.cancelled_at, r.cancel_reason = now, reason[:255]
            r.save(update_fields=["cancelled_at", "cancel_reason"])
    return len(rows)


# --- sending -------------------------------------------------------------------------------------------------


def _describe(item: IncomingItem) -> str:
    """The item in a notification's text; a classified one by its receipt number only (notification
    texts are listed and e-mailed apart from the item's own permission checks)."""
    urgency = Urgency(item.urgency)
    mark = f"{urgency.label} " if urgency > Urgency.NORMAL else ""
    number = f" เลขรับ {thai.to_thai_digits(item.receipt_number)} ({item.unit.short_name or item.unit.name})" \
        if item.receipt_number else ""
    if item.secrecy >= Secrecy.CONFIDENTIAL:
        return f"{mark}หนังสือชั้นความลับ{number}"
    deadline = ""
    if item.deliver_by:
        local = item.deliver_by.astimezone(thai.BANGKOK)
        deadline = f" ด่วนภายใน {thai.format_date(local.date())} เวลา {thai.format_time(local.time())}"
    return f"{mark}เรื่อง {item.subject}{number}{deadline}"


def _text(r: Reminder) -> tuple[str, str]:
    item = r.item
    what = _describe(item)
    if r.kind == ReminderKind.PRESENT:
        return NotificationKind.REMINDER, f"หนังสือรอเสนอผู้บังคับบัญชา: {what}"
    if r.kind == ReminderKind.REMIND:
        if r.minute_id:
            return NotificationKind.REMINDER, f"โปรดรับทราบและดำเนินการ: {what}"
        return NotificationKind.REMINDER, f"หนังสือรอเกษียนสั่งการ: {what}"
    if r.minute_id and r.minute.assignee_id:
        who = r.minute.assignee.display_name
        return NotificationKind.ESCALATION, f"{who} ยังไม่รับทราบหนังสือที่ได้รับมอบหมาย: {what}"
    return NotificationKind.ESCALATION, f"หนังสือยังไม่มีการเกษียนสั่งการ: {what} ({item.unit.name})"


def _still_pending(r: Reminder) -> str:
    """Empty if the reminder should still go; else why not (a safety net behind reminders_cancel)."""
    item = r.item
    if item.state == ItemState.CLOSED:
        return "ปิดเรื่องแล้ว"
    if r.minute_id and r.minute.acknowledged_at:
        return "รับทราบแล้ว"
    if not r.minute_id and (item.minutes.exists() or item.state == ItemState.ROUTED):
        return "เกษียนหรือส่งต่อแล้ว"
    return ""


def _is_unpresented(r: Reminder) -> bool:
    """The escalation of a classified item awaiting presentation (planned by ``_plan_unpresented``)."""
    return r.kind == ReminderKind.ESCALATE and not r.minute_id and r.item.secrecy >= Secrecy.CONFIDENTIAL


def _notify_unpresented(r: Reminder, now: dt.datetime):
    """A supervisor without a grant on the classified item is told it waits, without the item (so no link;
    the receipt number is what to ask the registrar about), and only while still an executive of its unit
    or above cleared for its level: one it could be presented to."""
    item = r.item
    entitled = role_holders([Role.EXECUTIVE], permissions.units_above(item.unit_id), clearance=item.secrecy,
                            on=thai.bangkok_date(now)).filter(official__user=r.recipient).exists()
    if not entitled:
        return None
    text = f"หนังสือชั้นความลับยังไม่ได้เสนอผู้บังคับบัญชา: {_describe(item)} โปรดติดตามกับนายทะเบียนหนังสือลับ"
    return notify(r.recipient, NotificationKind.ESCALATION, text, urgency=item.urgency, secrecy=item.secrecy,
                  now=now)


def reminder_send(r: Reminder, *, now: dt.datetime) -> bool:
    """Send one claimed reminder (the caller holds its row lock): notify, then mark it sent."""
    reason = _still_pending(r)
    notification = None
    if not reason:
        kind, text = _text(r)
        notification = notify(r.recipient, kind, text, obj=r.item, urgency=r.item.urgency, now=now)
        if notification is None and _is_unpresented(r):
            notification = _notify_unpresented(r, now)
        if notification is None:
            reason = "ผู้รับไม่มีสิทธิ์เห็นหนังสือนี้"
    if reason:
        r.cancelled_at, r.cancel_reason = now, reason
        r.save(update_fields=["cancelled_at", "cancel_reason"])
        return False
    r.sent_at, r.notification = now, notification
    r.save(update_fields=["sent_at", "notification"])
    return True


def reminders_send_due(*, now: dt.datetime | None = None, batch: int = 100) -> int:
    """Send every reminder due by ``now``, each exactly once even with several scanners at a time:
    rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and marked sent in the same transaction
    as their notification, so a second scanner skips them while locked and excludes them after."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            rows = list(
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now)
                .select_related("item__unit", "minute__assignee", "recipient")
                .order_by("due_at", "pk")[:batch]
            )
            for r in rows:
                sent += reminder_send(r, now=now)
        if len(rows) < batch:
            return sent
