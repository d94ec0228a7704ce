"""The overdue report (รายงานหนังสือค้างดำเนินการ) of each unit, a PDF for its executives.

Overdue: an open item of the unit whose minute's due date (กำหนดเสร็จ) has passed, or whose
escalation was sent and whose minute is still unacknowledged. The unit's executives (or, if it has none, those of the nearest unit above) each get a report built
from the items *they* may see: a classified item is neither listed nor counted for anyone else.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agencies.models import Agency
from correspondence import permissions
from correspondence.models import IncomingItem, ItemState, Minute, NotificationKind, Reminder, ReminderKind
from correspondence.rendering.pdf import render_register_pdf
from correspondence.services.notifications import email_once, lock_official, notify
from correspondence.services.retention import CLASSIFIED_SUBJECT
from correspondence.services.reminders import executives_or_above
from eoffice import thai
from eoffice.levels import Secrecy, Urgency

COLUMNS = [
    {"label": "เลขรับ", "width": "8%"}, {"label": "ที่", "width": "14%"}, {"label": "เรื่อง", "width": "34%"},
    {"label": "ชั้นความเร็ว", "width": "9%"}, {"label": "ผู้รับผิดชอบ", "width": "17%"},
    {"label": "กำหนดเสร็จ", "width": "10%"}, {"label": "เกินกำหนด (วัน)", "width": "8%"},
]


def _overdue(on: dt.date):
    late_minute = Minute.objects.filter(item=OuterRef("pk"), acknowledged_at__isnull=True).filter(
        Q(due__lt=on) | Exists(Reminder.objects.filter(minute=OuterRef("pk"), kind=ReminderKind.ESCALATE,
                                                       sent_at__isnull=False)))
    return IncomingItem.objects.exclude(state__in=[ItemState.CLOSED, ItemState.RECEIVED]).filter(Exists(late_minute))


def overdue_items(unit_id: int, *, on: dt.date):
    """Open items of the unit past their minute's due date or escalated without acknowledgement."""
    return _overdue(on).filter(unit_id=unit_id).order_by("-urgency", "received_at", "pk")


def _rows(items, on: dt.date, *, mailed: bool = False) -> list[list[str]]:
    """The report's rows; in the copy that leaves the portal by e-mail a classified item keeps only its
    receipt number, urgency and dates (its subject and number stay in the portal)."""
    rows = []
    for item in items:
        hidden = mailed and item.secrecy >= Secrecy.CONFIDENTIAL
        minutes = [m for m in item.minutes.all() if m.acknowledged_at is None]
        due = min((m.due for m in minutes if m.due), default=None)
        who = ", ".join(sorted({m.assignee.display_name for m in minutes if m.assignee_id}))
        late = (on - due).days if due and due < on else ""
        rows.append([
            thai.to_thai_digits(item.receipt_number or "-"), "-" if hidden else item.their_number or "-",
            CLASSIFIED_SUBJECT if hidden else item.subject,
            Urgency(item.urgency).label, who or "-",
            thai.format_date(due, style="short_year4") if due else "-", thai.to_thai_digits(str(late)) if late != "" else "-",
        ])
    return rows


def overdue_report_pdf(user, unit, *, on: dt.date, mailed: bool = False) -> tuple[bytes, int]:
    """The report of ``unit`` as ``user`` may see it: PDF bytes and the number of items."""
    items = list(permissions.visible_items(user, overdue_items(unit.pk, on=on))
                 .prefetch_related("minutes__assignee"))
    period = f"{unit.name} ณ วันที่ {thai.format_date(on)}"
    return render_register_pdf("รายงานหนังสือค้างดำเนินการ", period, COLUMNS, _rows(items, on, mailed=mailed)), len(items)


def overdue_reports_send(*, now: dt.datetime | None = None) -> dict:
    """Each unit with overdue items: its executives get the report by e-mail and a notification.
    Once a day per executive and unit (a re-delivered task does not send twice)."""
    now = now or timezone.now()
    on = thai.bangkok_date(now)
    day_start = dt.datetime.combine(on, dt.time.min, tzinfo=thai.BANGKOK)
    units = Agency.objects.filter(pk__in=_overdue(on).values("unit_id")).order_by("pk")
    sent, failed = 0, 0
    reports_of = Q(content_type=ContentType.objects.get_for_model(Agency))
    for unit in units:
        for official in executives_or_above(unit.pk):
            user = official.user
            with transaction.atomic():
                lock_official(user)  # two runs at once must not both send (see digest_for)
                n = user.notifications.filter(
                    reports_of & Q(object_id=unit.pk)
                    # reports written before they named their unit (the day this version is deployed)
                    | Q(content_type__isnull=True, text__startswith=f"รายงานหนังสือค้างดำเนินการ {unit.name} "),
                    kind=NotificationKind.OVERDUE_REPORT, created_at__gte=day_start).first()
                if n is not None and (n.emailed_at or not user.email):
                    continue  # today's report is out
                pdf, count = overdue_report_pdf(user, unit, on=on, mailed=True)
                if not count:
                    continue
                text = (f"รายงานหนังสือค้างดำเนินการ {unit.name} {thai.to_thai_digits(str(count))} เรื่อง "
                        f"ณ วันที่ {thai.format_date(on)}")
                if n is None:
                    n = notify(user, NotificationKind.OVERDUE_REPORT, text, obj=unit, email=False, now=now)
                    sent += 1
            if n is not None and user.email:
                # Written first, mailed after: a mail server that fails leaves the report unsent for this
                # run only; the next run mails it (once) and the other executives still get theirs.
                def build(n, text=text, pdf=pdf, unit=unit, to=user.email):
                    mail = EmailMessage(text, text + "\nรายละเอียดตามไฟล์แนบ\n", to=[to])
                    mail.attach(f"overdue-{unit.pk}-{on:%Y%m%d}.pdf", pdf, "application/pdf")
                    return mail

                failed += email_once(n.pk, build) == "failed"
    return {"units": len(units), "reports": sent, "mail_failed": failed}
