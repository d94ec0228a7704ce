"""Reads of the exchange: which portal hosts an agency, and agencies by their exchange id."""
from __future__ import annotations

import re

from agencies.models import Agency, LetterCode
from correspondence.models import ExchangePeer
from eoffice import thai

_ID_RE = re.compile(r"^([ก-ฮ]{1,4})([0-9.]*)$")


def peer_for_agency(agency: Agency) -> ExchangePeer | None:
    """The peer portal whose registries hold ``agency`` (listed itself or through a unit above it), or
    None when the agency is on this portal. The nearest listed unit wins. A disabled peer is still
    returned: its agencies are not on this portal, and sending to it fails until it is enabled."""
    if agency is None:
        return None
    # One query, and none of agency.path()'s when no peer lists anything (the usual single portal).
    listed = dict(ExchangePeer.agencies.through.objects.values_list("agency_id", "exchangepeer_id"))
    if not listed:
        return None
    for node in reversed(agency.path()):
        if node.pk in listed:
            return ExchangePeer.objects.get(pk=listed[node.pk])
    return None


def peer_by_key_id(key_id: str) -> ExchangePeer | None:
    return ExchangePeer.objects.filter(their_key_id=key_id, enabled=True).first()


def hosted_by(peer: ExchangePeer, agency: Agency) -> bool:
    listed = set(peer.agencies.values_list("pk", flat=True))
    return any(node.pk in listed for node in agency.path())


def agency_exchange_id(agency: Agency) -> str:
    """The id an agency goes by between portals: its letter code followed by its unit number
    (``กต0203``), or the letter code alone for a ministry (``กต``). Empty when it has no letter code."""
    code = agency.letter_code()
    if not code:
        return ""
    number = thai.normalize_unit_number(agency.unit_number) if agency.unit_number else ""
    return f"{code}{thai.to_arabic_digits(number)}"


def agency_by_exchange_id(exchange_id: str, name: str = "") -> Agency | None:
    """The agency of an exchange id (letter codes of any period count, so ทก0203 still finds it);
    when several match, the one with the given name; None when unknown or ambiguous."""
    m = _ID_RE.match("".join(thai.to_arabic_digits(exchange_id or "").split()))
    if not m:
        return None
    code, number = m.groups()
    tops = {lc.agency_id for lc in LetterCode.objects.filter(code=code)}
    if not tops:
        return None
    if not number:
        candidates = list(Agency.objects.filter(pk__in=tops))
    else:
        candidates = [a for a in Agency.objects.filter(unit_number=number) if any(n.pk in tops for n in a.path())]
    if len(candidates) > 1 and name:
        candidates = [a for a in candidates if a.name == name] or candidates
    return candidates[0] if len(candidates) == 1 else None
