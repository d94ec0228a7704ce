"""Housekeeping jobs of the portal, run by beat (schedules in correspondence/services/schedules.py)."""
from django.core.management import call_command

from eoffice.celery import app


@app.task(name="eoffice.jobs.sessions_clear", acks_late=True)
def sessions_clear() -> str:
    """Nightly: delete expired sessions (django.contrib.sessions' clearsessions)."""
    call_command("clearsessions")
    return "ok"
