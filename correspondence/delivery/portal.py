"""Inside the portal: the recipient agency's registry unit finds the letter in its incoming queue.

Runs inside the caller's transaction, which holds the outbox row locked, so the item, the recipient's
state and the row's state commit together or not at all. The item is keyed on (unit, message_id)
(a unique constraint), so a second delivery of the same message finds the first item.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Official, Role, RoleAssignment
from correspondence import permissions
from correspondence.delivery import Delivered, PermanentFailure, pause_hook
from correspondence.models import Channel, IncomingItem, ItemState, OutboxMessage
from eoffice.levels import Secrecy


def _number_key(text: str) -> str:
    from correspondence.services.letters import _number_key as key

    return key(text)


def _item_for(row: OutboxMessage, unit: Agency) -> tuple[IncomingItem, bool]:
    existing = IncomingItem.objects.filter(unit=unit, message_id=row.message_id).first()
    if existing is not None:
        return existing, False
    letter, rec = row.letter, row.recipient
    sender_text = (letter.content.get("issuer") or {}).get("name") or letter.issuing_unit.top.name
    # No race to handle: the caller holds the outbox row, the only writer of this message id (and the
    # unique constraint would refuse a second item anyway).
    item = IncomingItem.objects.create(
        unit=unit, channel=Channel.PORTAL, state=ItemState.RECEIVED, their_number=letter.number,
        their_number_key=_number_key(letter.number), dated=letter.issued_on,
        sender_agency=letter.issuing_unit, sender_text=sender_text[:500],
        addressee=(letter.content.get("recipient") or "")[:500], subject=letter.subject,
        urgency=letter.urgency, deliver_by=letter.deliver_by, secrecy=letter.secrecy,
        # A circular is rendered and signed once: every copy points at the same file.
        pdf=letter.pdf.name if letter.pdf else "", letter=letter, recipient=rec,
        message_id=row.message_id, received_at=timezone.now(),
    )
    return item, True


def registry_clerk(unit: Agency, secrecy: int) -> Official | None:
    """Who registers automatically for the unit: its secret-document registrar for a classified item
    (with the clearance), else a registry clerk; the longest-serving first, so it is always the same."""
    today = dt.date.today()
    role = Role.SECRET_REGISTRAR if secrecy >= Secrecy.CONFIDENTIAL else Role.REGISTRY_CLERK
    rows = (RoleAssignment.objects.valid_on(today).filter(role=role)
            .filter(Q(unit=unit) | Q(unit__isnull=True, official__unit=unit))
            .filter(official__clearance__gte=secrecy, official__user__is_active=True)
            .select_related("official__user").order_by("pk"))
    row = rows.first()
    return row.official if row else None


def deliver(row: OutboxMessage) -> Delivered:
    from correspondence.services.letters import _grant_to_registrars

    agency = row.recipient.agency
    try:
        unit = permissions.registry_unit(agency)
    except PermissionDenied as exc:
        raise PermanentFailure(str(exc)) from exc
    item, created = _item_for(row, unit)
    if created and item.secrecy >= Secrecy.CONFIDENTIAL:
        _grant_to_registrars(item)
    pause_hook(row)
    if created and settings.EOFFICE_DELIVERY_AUTO_REGISTER:
        clerk = registry_clerk(unit, item.secrecy)
        if clerk is not None:
            from correspondence.services.receiving import incoming_register

            item, _ = incoming_register(item, by=clerk.user)
    registered = item.state != ItemState.RECEIVED
    return Delivered(status="registered" if registered else "received", receipt_number=item.receipt_number,
                     detail={"item": item.pk, "unit": unit.pk}, recipient_done=created and registered)
