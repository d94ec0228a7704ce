"""Year-end duties of the registry: the new register books open on 1 January."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agencies.models import Agency
from correspondence.models import BookKind, RegisterBook
from correspondence.services import numbering

# Every unit that keeps registers has at least these; other books (circulars, orders, series with a
# prefix) are opened again when the unit used them the year before.
ALWAYS = (BookKind.INCOMING, BookKind.OUTGOING)


def books_open_new_year(*, now: dt.datetime | None = None) -> dict:
    """Open this (Bangkok) year's books for each unit that keeps registers; safe to run again."""
    year = numbering.book_year(now or timezone.now())
    before = RegisterBook.objects.filter(year=year).count()
    units = Agency.objects.filter(keeps_registers=True)
    used = set(RegisterBook.objects.filter(year=year - 1, unit__keeps_registers=True)
               .values_list("unit_id", "kind", "prefix"))
    wanted = {(u.pk, kind, "") for u in units for kind in ALWAYS} | used
    by_id = {u.pk: u for u in units}
    for unit_id, kind, prefix in sorted(wanted):
        numbering.book_open(by_id[unit_id], kind, prefix, year)
    return {"year": year, "opened": RegisterBook.objects.filter(year=year).count() - before}
