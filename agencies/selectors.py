"""Reads about agencies and officials shared by pages, the API and tasks."""
from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from agencies.models import _RANK, Agency, Delegation, LetterCode, Official, Role, RoleAssignment

# A unit sits below its parent's level, so a path down the tree has at most one agency per rank.
_TREE_DEPTH = len(set(_RANK.values()))


def agencies_with_letter_code(agencies, on: dt.date | None = None):
    """``agencies`` annotated with ``current_letter_code``: what ``Agency.letter_code(on)`` answers (the
    valid code of the nearest agency up the tree), in the list's own query instead of a walk per row."""
    on = on or dt.date.today()
    up = ["pk", *("__".join(["parent"] * n) for n in range(1, _TREE_DEPTH))]
    codes = [Subquery(LetterCode.objects.valid_on(on).filter(agency=OuterRef(path))
                      .order_by("-valid_from").values("code")[:1]) for path in up]
    return agencies.annotate(current_letter_code=Coalesce(*codes, Value("")))


def official_for(user) -> Official | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.official
    except Official.DoesNotExist:
        return None


def role_holders(roles, unit_ids, *, clearance: int = 0, on: dt.date | None = None):
    """Role assignments of ``roles`` for the units ``unit_ids`` (a role without a unit is for the official's
    own unit), of officials cleared to ``clearance``; only those valid ``on`` a day when one is given."""
    rows = RoleAssignment.objects.filter(role__in=roles).filter(
        Q(unit_id__in=unit_ids) | Q(unit__isnull=True, official__unit_id__in=unit_ids))
    if clearance:
        rows = rows.filter(official__clearance__gte=clearance)
    return rows.valid_on(on) if on is not None else rows


def has_role(user, role: Role | str, unit: Agency | None = None, on: dt.date | None = None) -> bool:
    """Whether the user holds the role, for `unit` when given (a clerk of that unit), on a day.

    Roles say what a person may do; which classified items they may see is a separate grant.
    """
    official = official_for(user)
    if official is None:
        return False
    on = on or dt.date.today()
    rows = RoleAssignment.objects.valid_on(on).filter(official=official, role=role)
    if unit is not None:
        # A role without a unit applies to the official's own unit.
        rows = rows.filter(Q(unit=unit) | Q(unit__isnull=True, official__unit=unit))
    return rows.exists()


def active_delegation(official: Official, on: dt.date) -> Delegation | None:
    return (
        official.delegations.filter(start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .order_by("-start")
        .first()
    )


def signer_block(official: Official, on: dt.date) -> dict:
    """The signer part of a letter spec: bracketed name, position and the acting line of that day."""
    delegation = active_delegation(official, on)
    return {
        "rank": official.rank or None,
        "name": official.full_name if official.rank else f"{official.title}{official.full_name}",
        "position": [official.position],
        "acting": delegation.signature_line if delegation else None,
    }
