"""Fixtures of the search tests: item factories (users and units come from tests/conftest.py)."""
import datetime as dt

import pytest

from correspondence.models import Channel
from correspondence.services import receiving


@pytest.fixture
def receive(users, units):
    """An item received by สลค. (by its clerk, or its secret registrar for a classified one)."""

    def make(subject, *, secrecy=0, sender="กระทรวงการต่างประเทศ", number="", pdf=None, unit="สลค.", by=None):
        by = by or (users["soc.secret"] if secrecy else users["soc.clerk"])
        return receiving.incoming_receive(unit=units[unit], by=by, channel=Channel.SCAN, subject=subject,
                                          sender_text=sender, their_number=number, secrecy=secrecy, pdf=pdf,
                                          dated=dt.date(2020, 9, 17) if number else None)

    return make
