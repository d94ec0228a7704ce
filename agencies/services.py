"""Writes to the agency tree and officials."""
from __future__ import annotations

from django.db import transaction

from agencies import reference_data as ref
import datetime as dt

from agencies.models import Agency, AgencyLevel, Holiday, LetterCode


@transaction.atomic
def reference_data_load() -> dict[str, int]:
    """Create or update the reference agencies and letter codes; safe to run again and again.

    Rows are matched on their natural keys (letter code; parent + name), so edits made in the admin
    to other fields are overwritten only where the reference says otherwise.
    """
    counts = {"created": 0, "updated": 0}

    def upsert(parent, level, name, **fields):
        agency = Agency.objects.filter(parent=parent, name=name).first()
        if agency is None:
            agency = Agency(parent=parent, name=name, level=level, **fields)
            counts["created"] += 1
        else:
            changed = False
            for key, value in fields.items():
                if value and getattr(agency, key) != value:
                    setattr(agency, key, value)
                    changed = True
            counts["updated"] += changed
        agency.full_clean()
        agency.save()
        return agency

    ministries = {}
    for code, name, short in ref.MINISTRIES:
        existing = LetterCode.objects.filter(code=code).select_related("agency").first()
        ministry = existing.agency if existing else None
        if ministry is None:
            ministry = upsert(
                None, AgencyLevel.MINISTRY, name, short_name=short,
                address_lines="\n".join(ref.MINISTRY_ADDRESSES.get(code, [])), keeps_registers=True,
            )
            LetterCode.objects.create(agency=ministry, code=code, valid_from=ref.CODE_VALID_FROM.get(code))
        for old, start, end, note in ref.CODE_HISTORY.get(code, []):
            LetterCode.objects.get_or_create(
                agency=ministry, code=old, defaults={"valid_from": start, "valid_until": end, "note": note}
            )
        ministries[code] = ministry

    for code, path in ref.UNITS:
        parent = ministries[code]
        for level, name, short, unit, registers, address, phone, fax, email in path:
            parent = upsert(
                parent, level, name, short_name=short, unit_number=unit, keeps_registers=registers,
                address_lines="\n".join(address), phone=phone, fax=fax, email=email,
            )
    return counts


@transaction.atomic
def holidays_load(year: int) -> int:
    """Add the fixed-date public holidays of a CE year, with a substitute day (วันหยุดชดเชย) on the
    next working day for each that falls on a weekend. Days already present are left as they are."""
    days = {dt.date(year, month, day): name for month, day, name in ref.FIXED_HOLIDAYS}
    # Computed from the fixed list alone, so running it again yields the same days.
    taken = set(days)
    for day, name in sorted(days.items()):
        if day.weekday() >= 5:
            substitute = day + dt.timedelta(days=1)
            while substitute.weekday() >= 5 or substitute in taken:
                substitute += dt.timedelta(days=1)
            taken.add(substitute)
            Holiday.objects.get_or_create(day=substitute, agency=None, defaults={"name": f"ชดเชย{name}"})
        Holiday.objects.get_or_create(day=day, agency=None, defaults={"name": name})
    return Holiday.objects.filter(agency=None, day__year=year).count()
