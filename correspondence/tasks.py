"""Thin Celery wrappers of the correspondence services: they take ids and call the services.

Bound to the project's app (not shared_task), as in signatures/tasks.py. Results are ignored: the
outbox rows are the record, and a worker must not stall on a result backend that is down.
"""
from eoffice.celery import app


@app.task(name="correspondence.tasks.outbox_deliver", acks_late=True, ignore_result=True)
def outbox_deliver(row_id: int) -> str:
    """Deliver one outbox row (a no-op if it is delivered, or held by another worker)."""
    from correspondence.services import delivery

    return delivery.outbox_deliver(row_id)


@app.task(name="correspondence.tasks.outbox_redispatch", acks_late=True, ignore_result=True)
def outbox_redispatch() -> int:
    """Every minute (django-celery-beat): queue again the rows whose task message was lost or is due."""
    from correspondence.services import delivery

    return delivery.outbox_redispatch()
