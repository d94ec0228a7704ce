"""Acceptance 3: a user without the grant sees a ลับ item nowhere — lists, counts, the dashboard,
registers, notifications — and every URL of it answers 404. The granted registrar does see it."""
import pytest
from django.urls import reverse

from page_data import make_items
from correspondence.models import RegisterBook
from correspondence.services import receiving
from eoffice.levels import Secrecy, Urgency

pytestmark = pytest.mark.django_db

SECRET_SUBJECT = "แผนลับเฉพาะผู้ได้รับอนุญาต"


@pytest.fixture
def secret_item(users, soc):
    item = receiving.incoming_receive(unit=soc, by=users["soc.secret"], channel="scan", subject=SECRET_SUBJECT,
                                      sender_text="กรมทดสอบ", secrecy=Secrecy.CONFIDENTIAL,
                                      urgency=Urgency.MOST_URGENT)
    receiving.incoming_register(item, by=users["soc.secret"])
    make_items(soc, 2, subject="หนังสือปกติ")
    return item


def _urls(item):
    return [reverse("portal:item", args=[item.pk]), reverse("portal:item-pdf", args=[item.pk]),
            reverse("portal:item-png", args=[item.pk])]


@pytest.mark.parametrize("username", ["soc.clerk", "soc.exec", "admin"])
def test_ungranted_users_see_it_nowhere(users, soc, secret_item, client, username, second_factor):
    from correspondence.services.notifications import notify

    client.force_login(users[username])
    # Even with a verified second factor (it adds nothing without the grant).
    second_factor(client, users[username])
    # A notification about the item is never written for someone who may not see it.
    assert notify(users[username], "other", f"หนังสือใหม่: {SECRET_SUBJECT}", obj=secret_item) is None
    for url in ("/", reverse("portal:queue"), reverse("portal:queue") + "?secrecy=1", reverse("portal:letters"),
                reverse("portal:books"), reverse("portal:notifications"),
                reverse("portal:search") + "?q=แผนลับ"):
        html = client.get(url).content.decode()
        assert SECRET_SUBJECT not in html, url
        assert f'data-item="{secret_item.pk}"' not in html, url
    board = client.get("/").content.decode()
    assert 'id="count-most-urgent">๐<' in board or "count-most-urgent" not in board
    assert 'class="badge"' not in board  # no unread notification
    for url in _urls(secret_item):
        assert client.get(url).status_code == 404, url
    for url in (reverse("portal:item-register", args=[secret_item.pk]),
                reverse("portal:item-route", args=[secret_item.pk]),
                reverse("portal:item-minute", args=[secret_item.pk]),
                reverse("portal:item-close", args=[secret_item.pk])):
        assert client.post(url, {}).status_code == 404, url
    secret_book = RegisterBook.objects.get(unit=soc, kind="secret")
    assert client.get(reverse("portal:book", args=[secret_book.pk])).status_code == 404
    queue = client.get(reverse("portal:queue")).content.decode()
    assert queue.count("data-item=") == (2 if username == "soc.clerk" else queue.count("data-item="))


def test_the_granted_registrar_sees_it_and_access_is_logged(users, secret_item, client, second_factor):
    from correspondence.models import AccessLog

    client.force_login(users["soc.secret"])
    # Before the second factor the item is left out and its page asks for the code.
    assert SECRET_SUBJECT not in client.get(reverse("portal:queue")).content.decode()
    assert "/account/two-factor/" in client.get(reverse("portal:item", args=[secret_item.pk]))["Location"]
    second_factor(client, users["soc.secret"])
    from correspondence.services.notifications import notify

    assert notify(users["soc.secret"], "other", f"หนังสือใหม่: {SECRET_SUBJECT}", obj=secret_item) is not None
    notes = client.get(reverse("portal:notifications")).content.decode()
    assert SECRET_SUBJECT in notes and 'id="unread-count">๑<' in notes
    assert SECRET_SUBJECT in client.get(reverse("portal:queue")).content.decode()
    board = client.get("/").content.decode()
    assert SECRET_SUBJECT in board and 'id="count-most-urgent">๑<' in board
    before = AccessLog.objects.filter(item=secret_item).count()
    assert client.get(reverse("portal:item", args=[secret_item.pk])).status_code == 200
    assert AccessLog.objects.filter(item=secret_item, user=users["soc.secret"], action="view").count() == before + 1
