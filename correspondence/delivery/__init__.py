"""Delivery channels of the outbox: inside this portal, to another portal, by e-mail.

Each channel module has ``deliver(row) -> Delivered`` and raises :class:`TemporaryFailure` (try again
later) or :class:`PermanentFailure` (stop: the recipient is undeliverable, or rejected the letter).
The services in ``correspondence.services.delivery`` own the row's state; channels only deliver.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings


class TemporaryFailure(Exception):
    """The channel may work later (receiver down, broker or SMTP trouble). ``retry_after``: the seconds the
    receiver asked to wait (its Retry-After), if it said."""

    def __init__(self, reason: str = "", *, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """No retry will help. ``rejected``: the receiver refused the letter (with ``str(exc)`` as reason)."""

    def __init__(self, reason: str, *, rejected: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.rejected = rejected


@dataclass
class Delivered:
    """What the receiver answered: at least "received"; "registered" with its receipt number."""

    status: str = "received"
    receipt_number: str = ""
    detail: dict = field(default_factory=dict)
    # The channel already brought the recipient line up to date (registration inside the portal).
    recipient_done: bool = False

    def as_receipt(self) -> dict:
        return {"status": self.status, "receipt_number": self.receipt_number, **self.detail}


def channel_module(channel: str):
    from correspondence.delivery import email, peer, portal

    return {"portal": portal, "peer": peer, "email": email}[channel]


def pause_hook(row) -> None:
    """Only for the crash tests: with EOFFICE_DELIVERY_TEST_PAUSE set, mark the row as in progress in
    EOFFICE_DELIVERY_TEST_MARK_DIR and sleep in the middle of the delivery. Off (0) everywhere else."""
    seconds = getattr(settings, "EOFFICE_DELIVERY_TEST_PAUSE", 0)
    if not seconds:
        return
    mark_dir = getattr(settings, "EOFFICE_DELIVERY_TEST_MARK_DIR", "")
    if mark_dir:
        Path(mark_dir, f"delivering-{row.pk}").touch()
    time.sleep(seconds)
