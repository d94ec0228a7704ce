"""Thin Celery wrappers: they take ids only (never a passphrase or PIN) and call the services."""
from eoffice.celery import app

from . import services

# Bound to the project's app, not shared_task: a shared task follows Celery's "current app", which
# any other Celery() instance in the process (e.g. a health probe) silently replaces.


@app.task(name="signatures.sign_letter", acks_late=True)
def sign_letter_job(job_id: int) -> str:
    """Run one signing job; its secret comes from the job row + the one-minute cache key."""
    return services.signing_job_run(job_id)


@app.task(name="signatures.process_registered_item", acks_late=True)
def process_registered_item(item_id: int) -> dict:
    """Validation report, then the receipt stamp, for a newly registered incoming item."""
    return services.incoming_item_process(item_id)


@app.task(name="signatures.tasks.renew_archive_timestamps", acks_late=True)
def renew_archive_timestamps() -> dict:
    """Nightly (django-celery-beat, see migration 0002): renew B-LTA archive timestamps near expiry."""
    return services.archive_timestamps_renew()


@app.task(name="signatures.tasks.revalidate_reports", acks_late=True)
def revalidate_reports() -> dict:
    """Hourly (django-celery-beat): check again the signatures whose revocation status could not be fetched."""
    return services.reports_revalidate()
