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
