"""Reads behind the pages of the บัญชีหนังสือขอทำลาย: which lists an official may open, and what they may do.

A list is seen by the unit's registry clerks, the executives of the unit and of the units above it (the
head who appoints and approves), and the officials appointed to its committee; also by the unit's
secret-document registrar when it lists items of the secret register they are cleared for (only they
keep those records, and they hold or release them before destruction). To anyone else it does not
exist (404). Its lines carry no subject or number of a classified item (stored so by the draft).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from agencies.models import Official, Role
from agencies.selectors import official_for
from correspondence import permissions
from correspondence.models import DestructionCommitteeMember, DestructionLine, DestructionList, DestructionState
from correspondence.services import retention
from eoffice import thai
from eoffice.levels import Secrecy


def _units_headed(user, tree) -> set[int]:
    units: set[int] = set()
    for unit_id in permissions._role_units(user, Role.EXECUTIVE):
        units |= permissions.units_below(unit_id, tree)
    return units


def destruction_lists(user):
    """The lists the user may open, newest year first."""
    official = official_for(user)
    if official is None:
        return DestructionList.objects.none()
    tree = permissions._tree()
    units = permissions._role_units(user, Role.REGISTRY_CLERK) | _units_headed(user, tree)
    appointed = DestructionCommitteeMember.objects.filter(destruction_list=OuterRef("pk"), official=official)
    # The secret-document registrar: lists with items of their secret register, up to their clearance.
    secret_lines = DestructionLine.objects.filter(destruction_list=OuterRef("pk"),
                                                  item__secrecy__gte=Secrecy.CONFIDENTIAL,
                                                  item__secrecy__lte=official.clearance)
    registrar_of = permissions._role_units(user, Role.SECRET_REGISTRAR)
    return (DestructionList.objects.filter(Q(unit__in=units) | Q(Exists(appointed))
                                           | Q(unit__in=registrar_of) & Q(Exists(secret_lines)))
            .select_related("unit").order_by("-year", "unit__name"))


def has_destruction_lists(user) -> bool:
    return destruction_lists(user).exists()


def destruction_list_get(user, pk) -> DestructionList:
    dlist = destruction_lists(user).filter(pk=pk).first()
    if dlist is None:
        raise Http404
    return dlist


@dataclass
class DestructionActions:
    appoint: bool = False
    review: bool = False
    approve: bool = False
    send: bool = False
    answer: bool = False
    execute: bool = False
    wait_until: dt.date | None = None  # while the National Archives' answer is awaited
    pending: list = field(default_factory=list)  # appointed officials who have not agreed yet


def destruction_actions(user, dlist: DestructionList, *, now: dt.datetime | None = None) -> DestructionActions:
    official = official_for(user)
    actions = DestructionActions()
    if official is None:
        return actions
    draft = dlist.state == DestructionState.DRAFT
    head = permissions.role_in_unit_or_above(user, Role.EXECUTIVE, dlist.unit)
    clerk = permissions.has_role(user, Role.REGISTRY_CLERK, unit=dlist.unit)
    member = dlist.committee.filter(official=official).exists()
    actions.pending = retention.committee_pending(dlist) if draft else []
    committee = dlist.committee.exists()
    actions.appoint = head and draft
    actions.review = member and draft
    actions.approve = head and draft and committee and not actions.pending and not member
    actions.send = clerk and dlist.state == DestructionState.APPROVED
    actions.answer = clerk and dlist.state == DestructionState.SENT and not dlist.archives_answer
    actions.execute = clerk and retention.destruction_may_execute(dlist, now=now)
    if dlist.state == DestructionState.SENT and not dlist.archives_answer:
        until = retention.archives_wait_until(dlist)
        if thai.bangkok_date(now or timezone.now()) < until:
            actions.wait_until = until
    return actions


def appointable_officials(dlist: DestructionList, user) -> list[Official]:
    """Officials of the unit's organisation the head may appoint (not the head themself)."""
    units = permissions.units_below(dlist.unit.top.pk)
    return list(Official.objects.filter(unit__in=units, user__is_active=True).exclude(user=user)
                .select_related("unit").order_by("unit__name", "first_name", "last_name"))


def destruction_page(user, dlist: DestructionList) -> dict:
    """Lines, committee with each member's review, and the viewer's actions: a fixed number of queries."""
    reviews = {r.member_id: r for r in dlist.reviews.all()}
    committee = [(row, reviews.get(row.official.user_id))
                 for row in dlist.committee.select_related("official", "official__unit", "appointed_by")]
    return {
        "dlist": dlist,
        "lines": list(dlist.lines.all()),
        "committee": committee,
        "actions": destruction_actions(user, dlist),
        "reply_days": settings.EOFFICE_ARCHIVES_REPLY_DAYS,
    }
