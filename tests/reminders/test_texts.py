"""What a reminder says: Thai digits, the unit whose receipt number it is, the deadline's time once."""
import datetime as dt

import pytest

from correspondence.models import Channel
from correspondence.services import receiving, reminders
from eoffice import thai

pytestmark = pytest.mark.django_db


def test_a_reminder_names_the_item_in_thai_digits_with_its_unit_and_deadline(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอข้อมูลด่วน",
                                      sender_text="กระทรวงการคลัง", urgency=3,
                                      deliver_by=dt.datetime(2026, 12, 1, 14, 30, tzinfo=thai.BANGKOK))
    item, _ = receiving.incoming_register(item, by=clerk)
    text = reminders._describe(item)
    assert f"เลขรับ {thai.to_thai_digits(item.receipt_number)} (สลค.)" in text
    assert text.endswith("ด่วนภายใน ๑ ธันวาคม ๒๕๖๙ เวลา ๑๔.๓๐ น.") and "น. น." not in text
