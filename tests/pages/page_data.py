"""Data helpers of the page tests: incoming items in bulk, delivery of a sent letter now."""
from django.utils import timezone

from correspondence.models import IncomingItem


def make_items(unit, n, *, subject="หนังสือทดสอบ", urgency=0, secrecy=0, state="received", start=0):
    now = timezone.now()
    return [IncomingItem.objects.create(
        unit=unit, channel="scan", state=state, subject=f"{subject} {start + i}", sender_text="กรมทดสอบ",
        their_number=f"กต 0203/{start + i + 1}", urgency=urgency, secrecy=secrecy,
        received_at=now - timezone.timedelta(minutes=i)) for i in range(n)]


def deliver(letter):
    """Run the outbox rows of a sent letter now, as the Celery task would (correspondence.services.delivery)."""
    from correspondence.services import delivery

    return [delivery.outbox_deliver(pk) for pk in letter.outbox.values_list("pk", flat=True)]
