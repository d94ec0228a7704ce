"""Acceptance 4: every list page runs the same number of queries for 5 rows as for 30."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from page_data import deliver, make_items
from correspondence.models import Minute
from correspondence.services import documents, letters, receiving

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def _same_queries(client, url, grow, django_assert_num_queries, rows_marker):
    """Measure with 5 rows, grow to 30, assert the same count (django_assert_num_queries)."""
    n_small, html_small = _count(client, url)
    grow()
    with django_assert_num_queries(n_small):
        html_big = client.get(url).content.decode()
    assert html_big.count(rows_marker) > html_small.count(rows_marker) >= 5, url
    return n_small


def test_queue_is_constant(users, soc, client, django_assert_num_queries):
    client.force_login(users["soc.clerk"])
    items = make_items(soc, 5, urgency=3)
    for item in items[:3]:
        receiving.incoming_register(item, by=users["soc.clerk"])

    def grow():
        more = make_items(soc, 25, start=100, urgency=1)
        for item in more[:10]:
            receiving.incoming_register(item, by=users["soc.clerk"])
    _same_queries(client, reverse("portal:queue"), grow, django_assert_num_queries, "data-item=")


def test_dashboard_is_constant(users, soc, units, mfa_spec, client, django_assert_num_queries):
    division = units["ภค."]
    officer = users["soc.officer"]
    client.force_login(officer)

    def minuted(n, start):
        items = make_items(division, n, start=start, urgency=2)
        for item in items:
            receiving.incoming_register(item, by=users["soc.div.clerk"])
            receiving.minute_write(item, by=users["soc.exec"], action="มอบ ดำเนินการ", assignee=officer.official)
    minuted(5, 0)
    _same_queries(client, "/", lambda: minuted(25, 100), django_assert_num_queries, "data-item=")
    assert Minute.objects.filter(assignee=officer.official).count() == 30


def test_sender_dashboard_and_letter_list_are_constant(users, soc, mfa_spec, client, django_assert_num_queries):
    u = users

    def sent(n):
        for _ in range(n):
            letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                           recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official])
            letters.letter_submit(letter, by=u["mfa.drafter"])
            letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
            letters.letter_issue(letter, by=u["mfa.clerk"])
            documents.letter_pdf_render(letter, by=u["mfa.clerk"])
            letters.letter_sign(letter, by=u["mfa.signer"])
            letters.letter_send(letter, by=u["mfa.clerk"])
            deliver(letter)
    sent(5)
    client.force_login(u["mfa.drafter"])
    _same_queries(client, "/", lambda: sent(10), django_assert_num_queries, "ส่งถึงแล้ว")
    _same_queries(client, reverse("portal:letters"), lambda: sent(15), django_assert_num_queries, "<tr class=")


def test_register_book_and_book_list_are_constant(users, soc, client, django_assert_num_queries):
    client.force_login(users["soc.clerk"])
    for item in make_items(soc, 5):
        receiving.incoming_register(item, by=users["soc.clerk"])
    from correspondence.models import RegisterBook
    book = RegisterBook.objects.get(unit=soc, kind="incoming")

    def grow():
        for item in make_items(soc, 15, start=100):
            receiving.incoming_register(item, by=users["soc.clerk"])
    _same_queries(client, reverse("portal:book", args=[book.pk]), grow, django_assert_num_queries, "<tr class=")


def test_item_page_is_constant_in_minutes_and_routings(users, soc, units, client, django_assert_num_queries):
    (item,) = make_items(soc, 1)
    receiving.incoming_register(item, by=users["soc.clerk"])
    client.force_login(users["soc.exec"])

    def minutes(n):
        for i in range(n):
            receiving.minute_write(item, by=users["soc.exec"], action=f"เพื่อโปรดทราบ {i}")
    minutes(5)
    url = reverse("portal:item", args=[item.pk])
    _same_queries(client, url, lambda: minutes(25), django_assert_num_queries, '<li class="minute">')


def test_notifications_are_constant(users, client, django_assert_num_queries):
    from correspondence.services.notifications import notify

    user = users["soc.clerk"]
    client.force_login(user)

    def note(n, start):
        for i in range(n):
            notify(user, "other", f"แจ้งเตือนที่ {start + i}", urgency=i % 4, email=False)
    note(5, 0)
    _same_queries(client, reverse("portal:notifications"), lambda: note(25, 100), django_assert_num_queries,
                  "<li class=")


def test_book_list_is_constant(users, soc, client, django_assert_num_queries):
    from correspondence.models import RegisterBook

    client.force_login(users["soc.clerk"])

    def books(years):
        for year in years:
            RegisterBook.objects.create(unit=soc, kind="incoming", year=year)
    books(range(2560, 2565))
    _same_queries(client, reverse("portal:books"), lambda: books(range(2565, 2590)), django_assert_num_queries,
                  "<tr><td><a href=")
