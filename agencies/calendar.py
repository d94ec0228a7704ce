"""Working days and reminder times: Saturdays, Sundays and holidays (วันหยุดราชการ) are not working days.

Reminder and escalation times are agency policy, not regulation (domain notes §5); these are reads
that the reminder scanner and the pages share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from agencies.models import Agency, DueRule, Holiday, ReminderPolicy
from eoffice.levels import Urgency
from eoffice.thai import BANGKOK


@dataclass(frozen=True)
class Policy:
    remind_rule: str
    remind_value: int
    escalate_rule: str
    escalate_value: int
    before_deadline_minutes: int = 120


# The portal's defaults where no agency up the tree set its own (common practice, editable in the admin).
DEFAULT_POLICIES = {
    Urgency.MOST_URGENT: Policy(DueRule.MINUTES, 60, DueRule.MINUTES, 240),
    Urgency.VERY_URGENT: Policy(DueRule.WORKING_DAYS, 0, DueRule.WORKING_DAYS, 1),
    Urgency.URGENT: Policy(DueRule.WORKING_DAYS, 1, DueRule.WORKING_DAYS, 2),
    Urgency.NORMAL: Policy(DueRule.WORKING_DAYS, 3, DueRule.WORKING_DAYS, 5),
}


def workday_end() -> dt.time:
    hour, minute = (int(part) for part in settings.EOFFICE_WORKDAY_END.split(":"))
    return dt.time(hour, minute)


def workday_start() -> dt.time:
    hour, minute = (int(part) for part in settings.EOFFICE_WORKDAY_START.split(":"))
    return dt.time(hour, minute)


def within_working_time(at: dt.datetime, holidays: set[dt.date]) -> dt.datetime:
    """``at``, or if it falls outside working hours (early morning, evening, a day off), the end of the last
    working day before it: a reminder ahead of a deadline must reach someone at their desk."""
    local = at.astimezone(BANGKOK)
    day = local.date()
    if is_working_day(day, holidays) and workday_start() <= local.time() <= workday_end():
        return at
    if not (is_working_day(day, holidays) and local.time() > workday_end()):
        day -= dt.timedelta(days=1)
        while not is_working_day(day, holidays):
            day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, workday_end(), tzinfo=BANGKOK)


def next_working_time(at: dt.datetime, holidays: set[dt.date]) -> dt.datetime:
    """``at``, or if it falls outside working hours (night, a day off), the start of the next working time."""
    local = at.astimezone(BANGKOK)
    day = local.date()
    if is_working_day(day, holidays) and workday_start() <= local.time() <= workday_end():
        return at
    if not (is_working_day(day, holidays) and local.time() < workday_start()):
        day = add_working_days(day + dt.timedelta(days=1), 0, holidays)
    return dt.datetime.combine(day, workday_start(), tzinfo=BANGKOK)


def holidays_for(agency: Agency | None, start: dt.date, end: dt.date) -> set[dt.date]:
    """National holidays plus those of the agency and every agency above it, between two days."""
    scope = Q(agency__isnull=True)
    if agency is not None:
        scope |= Q(agency__in=[a.pk for a in agency.path()])
    return set(Holiday.objects.filter(scope, day__gte=start, day__lte=end).values_list("day", flat=True))


def is_working_day(day: dt.date, holidays: set[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: dt.date, count: int, holidays: set[dt.date]) -> dt.date:
    """The working day `count` working days after `day` (0: `day` itself if it is one, else the next)."""
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    for _ in range(count):
        day += dt.timedelta(days=1)
        while not is_working_day(day, holidays):
            day += dt.timedelta(days=1)
    return day


def due_at(start: dt.datetime, rule: str, value: int, holidays: set[dt.date]) -> dt.datetime:
    if rule == DueRule.MINUTES:
        return start + dt.timedelta(minutes=value)
    local = start.astimezone(BANGKOK)
    day = local.date()
    # Received after hours (or on a day off): the clock starts on the next working day.
    if local.time() >= workday_end() or not is_working_day(day, holidays):
        day = add_working_days(day + dt.timedelta(days=1), 0, holidays)
    return dt.datetime.combine(add_working_days(day, value, holidays), workday_end(), tzinfo=BANGKOK)


def policy_for(agency: Agency, urgency: int) -> Policy:
    path_ids = [a.pk for a in reversed(agency.path())]
    rows = {p.agency_id: p for p in ReminderPolicy.objects.filter(agency__in=path_ids, urgency=urgency)}
    for agency_id in path_ids:
        row = rows.get(agency_id)
        if row:
            return Policy(row.remind_rule, row.remind_value, row.escalate_rule, row.escalate_value,
                          row.before_deadline_minutes)
    return DEFAULT_POLICIES[Urgency(urgency)]


def reminder_times(agency: Agency, urgency: int, received_at: dt.datetime,
                   deliver_by: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """When to remind the assignee and when to escalate, for an item received at `received_at`.

    A ด่วนภายใน deadline pulls both earlier: the reminder comes before it, the escalation at it at the latest.
    """
    policy = policy_for(agency, urgency)
    start = received_at.astimezone(BANGKOK).date()
    holidays = holidays_for(agency, start - dt.timedelta(days=30), start + dt.timedelta(days=60))
    remind = due_at(received_at, policy.remind_rule, policy.remind_value, holidays)
    escalate = due_at(received_at, policy.escalate_rule, policy.escalate_value, holidays)
    if deliver_by is not None:
        remind = min(remind, _before_deadline(received_at, deliver_by, policy.before_deadline_minutes, holidays))
        escalate = min(escalate, deliver_by)
    remind = max(remind, received_at)
    # Supervisors hear of an item no earlier than its reminder (a deadline already past on receipt
    # would otherwise escalate at once, before anyone was asked to act).
    return remind, max(escalate, remind)


def _before_deadline(received_at: dt.datetime, deliver_by: dt.datetime, minutes: int,
                     holidays: set[dt.date]) -> dt.datetime:
    """The reminder ahead of a ด่วนภายใน deadline: ``minutes`` before it, pulled back into working time.

    Received at night or on a day off close to the deadline, that time may lie before the receipt itself:
    the reminder then comes at the next working time after receipt, if that is still before the deadline.
    If it is not (nobody is at their desk again before the deadline), it comes on receipt: the only
    moment still ahead of the deadline. A deadline already past on receipt has no "before" left to
    aim for, and a reminder in the night helps nobody: the next working time.
    """
    before = within_working_time(deliver_by - dt.timedelta(minutes=minutes), holidays)
    if before >= received_at:
        return before
    at_desk = next_working_time(received_at, holidays)
    if at_desk <= deliver_by or deliver_by <= received_at:
        return at_desk
    return received_at
