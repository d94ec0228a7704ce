"""The sender's view of a sent letter: what reached each recipient, and what did not."""
import pytest

from correspondence import selectors_portal
from correspondence.models import LetterRecipient, RecipientState
from correspondence.services import letters

pytestmark = pytest.mark.django_db


def test_a_failed_delivery_is_not_counted_as_delivered(users, units, mfa_spec):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   recipients=[{"agency": units["สลค."].pk}, {"name": "นายสมปอง", "email": "x@example.go.th"},
                                               {"name": "นายสมหมาย"}])
    states = [RecipientState.REGISTERED, RecipientState.UNDELIVERABLE, RecipientState.PENDING]
    for rec, state in zip(letter.recipients.order_by("pk"), states):
        LetterRecipient.objects.filter(pk=rec.pk).update(state=state)
    page = selectors_portal.letter_page(u["mfa.drafter"], letter)
    assert (page["delivered"], page["failed"], page["total"]) == (1, 1, 3)


def test_the_dashboard_counts_everything_and_keeps_the_longest_waiting(users, units, client):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from correspondence.models import Channel, IncomingItem
    from correspondence.services import receiving

    clerk, soc = users["soc.clerk"], units["สลค."]
    start = timezone.now() - dt.timedelta(days=10)
    for n in range(selectors_portal.DASHBOARD_LIMIT + 5):
        receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject=f"เรื่องที่ {n}",
                                   sender_text="กรมตัวอย่าง", urgency=3 if n % 2 else 0,
                                   at=start + dt.timedelta(minutes=n))
    board = selectors_portal.dashboard(clerk)
    assert board.counts["my_items"] == IncomingItem.objects.filter(unit=soc).count() == 55
    assert board.counts["most_urgent"] == 27
    assert board.my_items[0].subject == "เรื่องที่ 1"  # most urgent, waiting longest
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert 'id="count-my-items">๕๕<' in page and 'id="all-my-items"' in page and reverse("portal:queue") in page
