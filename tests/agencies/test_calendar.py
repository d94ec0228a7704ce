"""Working days, Thai public holidays and reminder times by urgency policy."""
import datetime as dt

import pytest

from agencies.calendar import DEFAULT_POLICIES, add_working_days, due_at, holidays_for, reminder_times
from agencies.models import Agency, DueRule, Holiday, ReminderPolicy
from agencies.services import holidays_load
from eoffice.levels import Urgency
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def soc(reference_data):
    return Agency.objects.get(name="สำนักเลขาธิการคณะรัฐมนตรี")


def bkk(*args):
    return dt.datetime(*args, tzinfo=BANGKOK)


def test_fixed_holidays_with_substitutes_for_weekends(db):
    holidays_load(2026)
    days = dict(Holiday.objects.filter(day__year=2026).values_list("day", "name"))
    assert days[dt.date(2026, 4, 13)] == "วันสงกรานต์"
    # 5 December 2026 is a Saturday, so Monday 7 December is its substitute.
    assert dt.date(2026, 12, 5).weekday() == 5
    assert days[dt.date(2026, 12, 7)].startswith("ชดเชย")
    # Loading again adds nothing.
    count = Holiday.objects.count()
    holidays_load(2026)
    assert Holiday.objects.count() == count


def test_working_days_skip_weekends_and_holidays():
    holidays = {dt.date(2026, 4, 13), dt.date(2026, 4, 14), dt.date(2026, 4, 15)}
    # Friday 10 April + 1 working day: the weekend and Songkran are skipped.
    assert add_working_days(dt.date(2026, 4, 10), 1, holidays) == dt.date(2026, 4, 16)
    assert add_working_days(dt.date(2026, 4, 11), 0, holidays) == dt.date(2026, 4, 16)


def test_same_working_day_rule_moves_to_the_next_day_after_hours():
    received_evening = bkk(2026, 11, 20, 17, 0)  # Friday after 16:30
    assert due_at(received_evening, DueRule.WORKING_DAYS, 0, set()) == bkk(2026, 11, 23, 16, 30)
    received_morning = bkk(2026, 11, 20, 9, 0)
    assert due_at(received_morning, DueRule.WORKING_DAYS, 0, set()) == bkk(2026, 11, 20, 16, 30)
    assert due_at(received_morning, DueRule.MINUTES, 60, set()) == bkk(2026, 11, 20, 10, 0)


def test_most_urgent_defaults_remind_after_one_hour_escalate_after_four(soc):
    remind, escalate = reminder_times(soc, Urgency.MOST_URGENT, bkk(2026, 11, 23, 9, 5))
    assert (remind, escalate) == (bkk(2026, 11, 23, 10, 5), bkk(2026, 11, 23, 13, 5))
    assert DEFAULT_POLICIES[Urgency.MOST_URGENT].remind_value == 60


def test_agency_policy_is_inherited_by_units_below(soc):
    division = soc.children.get(short_name="ภค.")
    ReminderPolicy.objects.create(agency=soc, urgency=Urgency.MOST_URGENT, remind_rule=DueRule.MINUTES, remind_value=30,
                                  escalate_rule=DueRule.MINUTES, escalate_value=90)
    remind, escalate = reminder_times(division, Urgency.MOST_URGENT, bkk(2026, 11, 23, 9, 0))
    assert (remind, escalate) == (bkk(2026, 11, 23, 9, 30), bkk(2026, 11, 23, 10, 30))


def test_deliver_by_deadline_pulls_reminders_earlier(soc):
    received = bkk(2026, 11, 23, 9, 0)
    remind, escalate = reminder_times(soc, Urgency.URGENT, received, deliver_by=bkk(2026, 11, 23, 15, 0))
    assert remind == bkk(2026, 11, 23, 13, 0)
    assert escalate == bkk(2026, 11, 23, 15, 0)


def test_an_agencys_own_holiday_counts_for_its_units_only(soc):
    division = soc.children.get(short_name="ภค.")
    Holiday.objects.create(day=dt.date(2026, 11, 24), name="วันหยุดเฉพาะหน่วยงาน", agency=soc)
    assert dt.date(2026, 11, 24) in holidays_for(division, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    mfa = Agency.objects.get(name="กระทรวงการต่างประเทศ")
    assert dt.date(2026, 11, 24) not in holidays_for(mfa, dt.date(2026, 11, 1), dt.date(2026, 11, 30))


# A ด่วนภายใน item received in the night of Saturday 21 November 2026 (Monday 23 is a working day).
SATURDAY_NIGHT = bkk(2026, 11, 21, 2, 0)


def test_a_deadline_reminder_that_would_fall_before_a_weekend_receipt_comes_at_the_next_working_time(soc):
    # Two hours before Monday 10:00 is 08:00, before the desk opens: pulled back it would be Friday 16:30,
    # before the item even arrived. It comes on Monday at 08:30, still before the deadline.
    remind, escalate = reminder_times(soc, Urgency.URGENT, SATURDAY_NIGHT, deliver_by=bkk(2026, 11, 23, 10, 0))
    assert remind == bkk(2026, 11, 23, 8, 30)
    assert escalate == bkk(2026, 11, 23, 10, 0)


def test_a_deadline_before_anyone_is_back_at_their_desk_is_reminded_on_receipt(soc):
    remind, escalate = reminder_times(soc, Urgency.URGENT, SATURDAY_NIGHT, deliver_by=bkk(2026, 11, 21, 10, 0))
    assert remind == SATURDAY_NIGHT
    assert escalate == bkk(2026, 11, 21, 10, 0)


def test_a_deadline_already_past_on_receipt_is_reminded_and_escalated_at_the_next_working_time(soc):
    remind, escalate = reminder_times(soc, Urgency.URGENT, SATURDAY_NIGHT, deliver_by=bkk(2026, 11, 20, 15, 0))
    assert remind == escalate == bkk(2026, 11, 23, 8, 30)
