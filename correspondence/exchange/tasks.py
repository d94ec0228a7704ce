"""Thin Celery wrappers of the exchange services (ids in, outcome out)."""
from eoffice.celery import app

from correspondence.exchange import services

ACK_TASK_RETRIES = 5


@app.task(name="correspondence.exchange.send_ack", bind=True, acks_late=True, max_retries=ACK_TASK_RETRIES)
def send_ack_job(self, ack_id: int) -> str:
    """Send one owed acknowledgement; on a temporary failure retry with the row's backoff (beat's
    re-dispatch takes over after the task's own retries, and for a wait longer than a task countdown may
    be, as with the outbox: no long ETAs in Redis)."""
    outcome = services.ack_send(ack_id)
    if outcome == "retry" and self.request.retries < ACK_TASK_RETRIES:
        from django.conf import settings
        from django.utils import timezone

        from correspondence.models import ExchangeAck

        ack = ExchangeAck.objects.filter(pk=ack_id).only("next_attempt_at").first()
        delay = (ack.next_attempt_at - timezone.now()).total_seconds() if ack and ack.next_attempt_at else 60
        if delay <= settings.EOFFICE_OUTBOX_COUNTDOWN_MAX:
            raise self.retry(countdown=max(1, int(delay)))
    return outcome


@app.task(name="correspondence.exchange.dispatch_acks", acks_late=True)
def dispatch_acks() -> dict:
    """Beat (every minute): acknowledgements owed to senders' portals that are due."""
    return services.acks_dispatch()
