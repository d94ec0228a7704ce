"""Scheduled jobs of the registry: thin Celery wrappers around the services, run by beat.

Their schedules are rows of django-celery-beat (correspondence/services/schedules.py creates them,
administrators edit them in the admin). ``now`` is accepted as an ISO string so a run can be replayed
for a given moment; beat passes nothing.
"""
from __future__ import annotations

import datetime as dt

from eoffice.celery import app


def _now(now: str | None):
    return dt.datetime.fromisoformat(now) if now else None


@app.task(name="correspondence.jobs.reminders_scan", acks_late=True)
def reminders_scan(now: str | None = None) -> dict:
    """Every minute: send the reminders and escalations that are due, then pending e-mails."""
    from correspondence.services import notifications, reminders

    moment = _now(now)
    sent = reminders.reminders_send_due(now=moment)
    emailed = notifications.notifications_email_pending(now=moment)
    return {"sent": sent, "emailed": emailed}


@app.task(name="correspondence.jobs.digest_send", acks_late=True)
def digest_send(now: str | None = None) -> dict:
    """07:30 Bangkok: each official's morning digest of what waits for them."""
    from correspondence.services import digest

    return digest.digests_send(now=_now(now))


@app.task(name="correspondence.jobs.overdue_reports_send", acks_late=True)
def overdue_reports_send(now: str | None = None) -> dict:
    """Working-day mornings: the overdue report (PDF) of each unit to its executives."""
    from correspondence.services import overdue

    return overdue.overdue_reports_send(now=_now(now))


@app.task(name="correspondence.jobs.books_open_new_year", acks_late=True)
def books_open_new_year(now: str | None = None) -> dict:
    """1 January: open the new year's register books of every unit that keeps registers."""
    from correspondence.services import yearly

    return yearly.books_open_new_year(now=_now(now))


@app.task(name="correspondence.jobs.destruction_lists_draft", acks_late=True)
def destruction_lists_draft(now: str | None = None) -> dict:
    """January and February: draft last year's บัญชีหนังสือขอทำลาย of each unit (idempotent)."""
    from correspondence.services import retention

    return retention.destruction_lists_draft(now=_now(now))
