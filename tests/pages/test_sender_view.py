"""The sender's view of a sent letter: what reached each recipient, and what did not."""
import re

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


def test_the_register_page_filters_by_dates_and_its_exports_follow(users, units, client):
    import datetime as dt

    from django.urls import reverse

    from correspondence.models import BookKind, Channel, RegisterBook
    from correspondence.services import receiving
    from eoffice import thai

    clerk, soc = users["soc.clerk"], units["สลค."]
    days = [dt.datetime(2026, 11, d, 10, 0, tzinfo=thai.BANGKOK) for d in (2, 10, 20)]
    for n, day in enumerate(days):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject=f"ช่วงวันที่ {n}",
                                          sender_text="กรมตัวอย่าง")
        receiving.incoming_register(item, by=clerk, at=day)
    book = RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING, year=2569)
    client.force_login(clerk)
    url = reverse("portal:book", args=[book.pk])
    page = client.get(url, {"date_from": "5/11/2569", "date_to": "15/11/2569"}).content.decode()
    assert "ช่วงวันที่ 1" in page and "ช่วงวันที่ 0" not in page and "ช่วงวันที่ 2" not in page
    assert 'id="apply-dates"' in page
    export = re.search(r'href="([^"]+)" id="export-csv"', page).group(1).replace("&amp;", "&")
    assert "page=" not in export and "date_from=" in export
    csv_text = client.get(export).getvalue().decode("utf-8-sig")  # streamed
    assert "ช่วงวันที่ 1" in csv_text and "ช่วงวันที่ 0" not in csv_text
    bad = client.get(reverse("portal:book-export", args=[book.pk, "csv"]), {"date_from": "abc"})
    assert bad.status_code == 400 and "วันที่ไม่ถูกต้อง" in bad.content.decode()
    from correspondence.services.exports import period_of

    assert period_of(None, None, 2569) == "ประจำปี พ.ศ. ๒๕๖๙"
