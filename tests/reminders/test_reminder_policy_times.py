"""Reminder times follow the agency's policy and the working-day calendar (Thai holidays, weekends)."""
import datetime as dt

import pytest

from agencies.models import DueRule, Holiday, ReminderPolicy
from correspondence.models import Notification, NotificationKind, Reminder, ReminderKind
from correspondence.services.reminders import reminders_send_due
from eoffice.levels import Urgency

from bangkok_time import bkk

pytestmark = pytest.mark.django_db


def test_urgent_is_reminded_next_working_day_skipping_weekend_and_holiday(users, received):
    # Friday 4 December 2026, 10:00; Saturday 5 December is วันพ่อแห่งชาติ, so Monday 7 is its
    # substitute day off (loaded with the reference holidays; made sure of here).
    Holiday.objects.get_or_create(day=dt.date(2026, 12, 7), agency=None, defaults={"name": "ชดเชยวันพ่อแห่งชาติ"})
    item = received(urgency=Urgency.URGENT, at=bkk(2026, 12, 4, 10, 0))
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 12, 8, 16, 30)  # Tuesday, end of the working day
    assert reminders_send_due(now=bkk(2026, 12, 7, 16, 31)) == 0  # not on the holiday
    assert reminders_send_due(now=bkk(2026, 12, 8, 16, 30)) == 1
    assert reminders_send_due(now=bkk(2026, 12, 8, 17, 0)) == 0
    assert Notification.objects.filter(user=users["soc.exec"], kind=NotificationKind.REMINDER).count() == 1


def test_very_urgent_received_after_hours_is_due_the_next_working_day(received):
    item = received(urgency=Urgency.VERY_URGENT, at=bkk(2026, 12, 17, 17, 5))  # Thursday after 16:30
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 12, 18, 16, 30)  # Friday
    item = received(urgency=Urgency.VERY_URGENT, at=bkk(2026, 12, 18, 17, 5))  # Friday after 16:30
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 12, 21, 16, 30)  # Monday


def test_within_deadline_reminds_before_it(received):
    deadline = bkk(2026, 12, 9, 12, 0)
    item = received(urgency=Urgency.NORMAL, at=bkk(2026, 12, 8, 9, 0), deliver_by=deadline)
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == deadline - dt.timedelta(minutes=120)


def test_the_agency_policy_overrides_the_default(units, received):
    ReminderPolicy.objects.create(agency=units["สลค."], urgency=Urgency.MOST_URGENT, remind_rule=DueRule.MINUTES,
                                  remind_value=15, escalate_rule=DueRule.MINUTES, escalate_value=30)
    at = bkk(2026, 12, 8, 9, 0)
    item = received(at=at)
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == at + dt.timedelta(minutes=15)


def test_the_reminder_before_a_deadline_comes_in_working_hours(received):
    """A deadline on Monday 09:00: two hours before it is 07:00 on Monday, before anyone is at their desk;
    the reminder comes on Friday at the end of the working day instead."""
    item = received(urgency=Urgency.URGENT, at=bkk(2026, 12, 18, 15, 0), deliver_by=bkk(2026, 12, 21, 9, 0))
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 12, 18, 16, 30)
    # Within working hours it stays where the policy puts it.
    item = received(urgency=Urgency.URGENT, at=bkk(2026, 12, 21, 9, 0), deliver_by=bkk(2026, 12, 21, 15, 0))
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 12, 21, 13, 0)


def test_a_deadline_reminder_for_an_item_received_on_a_weekend_night_waits_for_the_desk(users, received):
    """Received on Saturday 02:00 with a deadline on Monday 10:00: two hours before the deadline is before
    the desk opens, and the end of the working day before that is before the receipt; the reminder is
    not sent in the night but on Monday at the start of the working day."""
    saturday = bkk(2026, 11, 21, 2, 0)
    item = received(urgency=Urgency.URGENT, at=saturday, deliver_by=bkk(2026, 11, 23, 10, 0))
    (row,) = Reminder.objects.filter(item=item, kind=ReminderKind.REMIND)
    assert row.due_at == bkk(2026, 11, 23, 8, 30)
    assert reminders_send_due(now=saturday + dt.timedelta(minutes=1)) == 0
    assert reminders_send_due(now=bkk(2026, 11, 22, 23, 59)) == 0
    assert reminders_send_due(now=bkk(2026, 11, 23, 8, 30)) == 1
    assert Notification.objects.filter(user=users["soc.exec"], kind=NotificationKind.REMINDER).count() == 1
