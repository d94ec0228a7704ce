"""Fixtures of the retention tests: demo officials, reference units, closed items of past years."""
import datetime as dt

import pytest

from correspondence.models import Channel, IncomingItem
from correspondence.services import receiving
from eoffice.thai import BANGKOK


@pytest.fixture
def closed_item(users, units):
    """An item of สลค. received on a day, registered and closed; retention set as given."""

    def make(received: dt.date, subject: str, retention="10y", years=None, secrecy=0) -> IncomingItem:
        by = users["soc.secret"] if secrecy else users["soc.clerk"]
        at = dt.datetime.combine(received, dt.time(10, 0), tzinfo=BANGKOK)
        item = receiving.incoming_receive(unit=units["สลค."], by=by, channel=Channel.SCAN, subject=subject,
                                          sender_text="กระทรวงมหาดไทย", secrecy=secrecy, at=at)
        item, _ = receiving.incoming_register(item, by=by, at=at)
        receiving.item_close(item, by=by, filed_at="ตู้ ๑ แฟ้ม ๒")
        from correspondence.services import retention as r

        return r.retention_set(item, by=by, retention=retention, years=years)

    return make
