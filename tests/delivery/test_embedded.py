"""The outbox on the embedded defaults (SQLite, file-system broker), as `make run` starts them."""
import pytest

from correspondence.models import IncomingItem, OutboxMessage, OutboxState, RecipientState
from correspondence.selectors import delivery_progress
from correspondence.services import delivery, letters
from eoffice import audit

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def test_send_and_deliver_on_sqlite(users, units, signed_letter, settings):
    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    letter = signed_letter([{"agency": units["สลค."].pk}, {"agency": units["ภค."].pk}], circular=True)
    rows = letters.letter_send(letter, by=users["mfa.clerk"])
    assert [r.pk for r in rows] == list(OutboxMessage.objects.filter(letter=letter).values_list("pk", flat=True))
    for row in rows:
        assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
        assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    assert IncomingItem.objects.filter(letter=letter).count() == 2
    assert delivery_progress(letter) == (2, 2)
    assert set(letter.recipients.values_list("state", flat=True)) == {RecipientState.DELIVERED}
    assert audit.verify_chain(OutboxMessage.history.model) is None
