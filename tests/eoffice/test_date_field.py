"""The date field officials type dates into: Buddhist-era years as they write them, Thai digits too."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from eoffice.forms import ThaiDateField


@pytest.mark.parametrize(("typed", "date"), [
    ("16/12/2569", dt.date(2026, 12, 16)),
    ("๑๖/๑๒/๒๕๖๙", dt.date(2026, 12, 16)),
    ("1/1/2400", dt.date(1857, 1, 1)),      # the first Buddhist-era year the field reads as one
    ("2026-12-16", dt.date(2026, 12, 16)),  # ISO dates are Christian-era, as browsers send them
])
def test_typed_dates_are_read_as_officials_write_them(typed, date):
    assert ThaiDateField().clean(typed) == date


def test_a_date_that_does_not_exist_is_refused():
    with pytest.raises(ValidationError):
        ThaiDateField().clean("31/02/2569")
