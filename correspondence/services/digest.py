"""The morning digest (สรุปหนังสือรอดำเนินการ): each official's waiting items, most urgent first.

What waits for an official: minutes assigning them an item they have not acknowledged; for a
registry clerk, items of their unit still to be registered; for an executive, registered items of
their unit with no minute yet. Always through ``visible_items``: an item the official may not see
is neither listed nor counted. Classified items appear in the text as a count only, never by subject,
because the text is also e-mailed.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agencies.models import Official, Role, RoleAssignment
from correspondence import permissions
from correspondence.models import IncomingItem, ItemState, Minute, Notification, NotificationKind
from correspondence.services.notifications import lock_official, notification_email, notify
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

REASON_ASSIGNED = "มอบหมายให้ท่าน"
REASON_REGISTER = "รอลงทะเบียนรับ"
REASON_MINUTE = "รอเกษียนสั่งการ"


def _role_units(official: Official, role: str, on: dt.date) -> set[int]:
    rows = RoleAssignment.objects.valid_on(on).filter(official=official, role=role).values_list("unit_id", flat=True)
    return {unit_id or official.unit_id for unit_id in rows}


def waiting_items(user, *, on: dt.date | None = None) -> list[tuple[IncomingItem, str]]:
    """(item, reason) pairs waiting for the user, ด่วนที่สุด first, then by deadline and age."""
    official = permissions.official_for(user)
    if official is None:
        return []
    on = on or thai.bangkok_date(timezone.now())
    reasons: dict[int, str] = {}
    for item_id in Minute.objects.filter(assignee=official, acknowledged_at__isnull=True).exclude(
            item__state=ItemState.CLOSED).values_list("item_id", flat=True):
        reasons.setdefault(item_id, REASON_ASSIGNED)
    clerk_units = _role_units(official, Role.REGISTRY_CLERK, on)
    if clerk_units:
        for item_id in IncomingItem.objects.filter(unit__in=clerk_units, state=ItemState.RECEIVED).values_list(
                "pk", flat=True):
            reasons.setdefault(item_id, REASON_REGISTER)
    exec_units = _role_units(official, Role.EXECUTIVE, on)
    if exec_units:
        for item_id in IncomingItem.objects.filter(unit__in=exec_units, state=ItemState.REGISTERED,
                                                   minutes__isnull=True).values_list("pk", flat=True):
            reasons.setdefault(item_id, REASON_MINUTE)
    if not reasons:
        return []
    items = (permissions.visible_items(user, IncomingItem.objects.filter(pk__in=reasons))
             .order_by("-urgency", F("deliver_by").asc(nulls_last=True), "received_at", "pk"))
    return [(item, reasons[item.pk]) for item in items]


def digest_text(pairs: list[tuple[IncomingItem, str]]) -> str:
    """First line (also the e-mail subject): the counts. Then one line per unclassified item."""
    n = len(pairs)
    most = sum(1 for item, _ in pairs if item.urgency == Urgency.MOST_URGENT)
    head = f"หนังสือรอท่านดำเนินการ {thai.to_thai_digits(str(n))} เรื่อง"
    if most:
        head += f" (ด่วนที่สุด {thai.to_thai_digits(str(most))} เรื่อง)"
    lines = [head]
    classified = 0
    for item, reason in pairs:
        if item.secrecy >= Secrecy.CONFIDENTIAL:
            classified += 1
            continue
        urgency = Urgency(item.urgency)
        mark = f"[{urgency.label}] " if urgency > Urgency.NORMAL else ""
        number = f" เลขรับ {thai.to_thai_digits(item.receipt_number)}" if item.receipt_number else ""
        lines.append(f"- {mark}เรื่อง {item.subject}{number} ({reason})")
    if classified:
        lines.append(f"- หนังสือชั้นความลับ {thai.to_thai_digits(str(classified))} เรื่อง: โปรดดูรายละเอียดในระบบ")
    return "\n".join(lines)


def digest_for(user, *, now: dt.datetime | None = None, email: bool = True) -> Notification | None:
    """One official's digest, once a day: written in the portal and e-mailed."""
    now = now or timezone.now()
    today = thai.bangkok_date(now)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=thai.BANGKOK)
    with transaction.atomic():
        # One writer per official at a time: two runs at once (beat fired twice, a task redelivered while
        # the first still runs) would both find no digest yet and both send one.
        lock_official(user)
        if Notification.objects.filter(user=user, kind=NotificationKind.DIGEST, created_at__gte=start,
                                       created_at__lt=start + dt.timedelta(days=1)).exists():
            return None  # a re-delivered task does not send a second digest
        pairs = waiting_items(user, on=today)
        if not pairs:
            return None
        top = max(item.urgency for item, _ in pairs)
        n = notify(user, NotificationKind.DIGEST, digest_text(pairs), urgency=top, email=email, now=now)
    if n is not None and n.email_wanted:
        notification_email(n.pk, now=now)
    return n


def digests_send(*, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    sent = 0
    users = Official.objects.filter(user__is_active=True).select_related("user")
    for official in users:
        sent += digest_for(official.user, now=now) is not None
    return {"digests": sent}

