"""The pages of the บัญชีหนังสือขอทำลาย: who sees a list, the actions each role is offered, and the POST
actions calling the services."""
import datetime as dt

import pytest
from django.urls import reverse

from correspondence.models import DestructionList, DestructionState
from correspondence.services import retention
from eoffice.levels import Secrecy
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db

SURVEY = dt.datetime(2026, 1, 15, 2, 0, tzinfo=BANGKOK)
ACTIONS = ("do-appoint", "do-review", "do-approve", "do-send", "do-answer", "do-execute")


@pytest.fixture
def dlist(users, units, closed_item):
    closed_item(dt.date(2015, 3, 2), "สิบปี ครบแล้ว")
    closed_item(dt.date(2014, 8, 8), "ลับ ครบแล้ว ห้ามเห็นเรื่อง", secrecy=1)
    retention.destruction_lists_draft(now=SURVEY)
    return DestructionList.objects.get(unit=units["สลค."], year=2568)


def _page(client, user, dlist):
    client.force_login(user)
    return client.get(reverse("portal:destruction-list", args=[dlist.pk]))


def _offered(html: str) -> set[str]:
    return {a for a in ACTIONS if f'id="{a}"' in html}


def _appoint(users, dlist):
    retention.destruction_committee_appoint(dlist, by=users["soc.exec"], chair=users["soc.div.clerk"].official,
                                            members=[users["soc.officer"].official, users["soc.secret"].official])


def test_a_stranger_gets_404_and_no_menu_entry(client, users, dlist):
    # mfa.clerk: another ministry; soc.officer: of the organisation but neither clerk, head nor member.
    for name in ("mfa.clerk", "soc.officer"):
        assert _page(client, users[name], dlist).status_code == 404
        listing = client.get(reverse("portal:destruction-lists")).content.decode()
        assert f'data-list="{dlist.pk}"' not in listing
        assert reverse("portal:destruction-lists") not in client.get(reverse("portal:books")).content.decode()


def test_the_clerk_sees_the_list_and_its_lines_but_no_classified_subject(client, users, dlist):
    r = _page(client, users["soc.clerk"], dlist)
    html = r.content.decode()
    assert r.status_code == 200 and "สิบปี ครบแล้ว" in html
    assert "ห้ามเห็นเรื่อง" not in html and retention.CLASSIFIED_SUBJECT in html
    assert _offered(html) == set()  # a draft: nothing for the registry to do yet
    menu = client.get(reverse("portal:books")).content.decode()
    assert reverse("portal:destruction-lists") in menu
    assert f'data-list="{dlist.pk}"' in client.get(reverse("portal:destruction-lists")).content.decode()


def test_the_head_appoints_then_members_review_then_the_head_approves(client, users, dlist):
    head = users["soc.exec"]
    assert _offered(_page(client, head, dlist).content.decode()) == {"do-appoint"}
    officials = {n: users[n].official.pk for n in ("soc.div.clerk", "soc.officer", "soc.secret")}
    r = client.post(reverse("portal:destruction-appoint", args=[dlist.pk]),
                    {"chair": officials["soc.div.clerk"], "members": [officials["soc.officer"],
                                                                      officials["soc.secret"]]})
    assert r.status_code == 302
    assert dlist.committee.count() == 3

    # A member is offered the review, and once appointed the list is in their menu.
    member = users["soc.officer"]
    assert _offered(_page(client, member, dlist).content.decode()) == {"do-review"}
    r = client.post(reverse("portal:destruction-review", args=[dlist.pk]), {"agreed": "0", "note": ""})
    assert "กรุณาระบุความเห็นเมื่อไม่เห็นชอบ" in client.get(r.url).content.decode()
    assert not dlist.reviews.exists()
    for name in ("soc.div.clerk", "soc.officer", "soc.secret"):
        client.force_login(users[name])
        client.post(reverse("portal:destruction-review", args=[dlist.pk]), {"agreed": "1", "note": "เห็นชอบ"})
    assert dlist.reviews.filter(agreed=True).count() == 3

    assert _offered(_page(client, head, dlist).content.decode()) == {"do-appoint", "do-approve"}
    client.post(reverse("portal:destruction-approve", args=[dlist.pk]))
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.APPROVED and dlist.approved_by == head
    assert _offered(_page(client, head, dlist).content.decode()) == set()


def test_the_clerk_records_the_sending_and_the_answer_then_destroys(client, users, dlist):
    _appoint(users, dlist)
    for name in ("soc.div.clerk", "soc.officer", "soc.secret"):
        retention.destruction_review(dlist, by=users[name], agreed=True)
    retention.destruction_approve(dlist, by=users["soc.exec"])
    clerk = users["soc.clerk"]
    assert _offered(_page(client, clerk, dlist).content.decode()) == {"do-send"}
    today = dt.date.today()
    client.post(reverse("portal:destruction-send", args=[dlist.pk]), {"sent_on": today.isoformat()})
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.SENT

    # Waiting for the answer: no destruction offered, the page says from which day.
    html = _page(client, clerk, dlist).content.decode()
    assert _offered(html) == {"do-answer"} and 'id="wait-until"' in html
    r = client.post(reverse("portal:destruction-execute", args=[dlist.pk]))
    assert "ต้องรอจนถึงวันที่" in client.get(r.url).content.decode()

    # Keep-some without a ticked line is refused; then the Archives keep the first line.
    r = client.post(reverse("portal:destruction-answer", args=[dlist.pk]),
                    {"answer": "keep_some", "answered_on": today.isoformat()})
    assert "กรุณาเลือกรายการที่กรมศิลปากรขอเก็บไว้" in client.get(r.url).content.decode()
    kept = dlist.lines.order_by("pk").first()
    client.post(reverse("portal:destruction-answer", args=[dlist.pk]),
                {"answer": "keep_some", "keep": [kept.item_id], "answered_on": today.isoformat()})
    html = _page(client, clerk, dlist).content.decode()
    assert _offered(html) == {"do-execute"} and "กรมศิลปากรขอเก็บไว้" in html
    r = client.post(reverse("portal:destruction-execute", args=[dlist.pk]))
    assert "ทำลายหนังสือแล้ว ๑ รายการ เก็บไว้ ๑ รายการ" in client.get(r.url).content.decode()


def test_an_action_on_a_list_one_may_not_see_is_404(client, users, dlist):
    client.force_login(users["mfa.clerk"])
    for name in ("destruction-approve", "destruction-execute", "destruction-send"):
        assert client.post(reverse(f"portal:{name}", args=[dlist.pk])).status_code == 404


def test_the_pages_run_a_fixed_number_of_queries(client, users, units, dlist, closed_item,
                                                 django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _appoint(users, dlist)
    retention.destruction_review(dlist, by=users["soc.officer"], agreed=True)
    client.force_login(users["soc.exec"])
    urls = [reverse("portal:destruction-lists"), reverse("portal:destruction-list", args=[dlist.pk])]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    # More lists, and more lines on the list (added while it is a draft, before anyone reviewed).
    for year in (2019, 2020, 2021):
        DestructionList.objects.create(unit=units["สลค."], year=year + 543, drafted_at=SURVEY)
    dlist.reviews.all().delete()
    for n in range(4):
        closed_item(dt.date(2013, 1, 10 + n), f"เพิ่มเติม {n}")
    retention.destruction_lists_draft(now=SURVEY + dt.timedelta(days=1))
    assert dlist.lines.count() == 6
    for url, n in zip(urls, counts):
        with django_assert_num_queries(n):
            client.get(url)


def _forms_are_labelled_and_protected(html):
    """As tests/pages/test_csp_and_a11y.py asks of every page: CSRF in each POST form, a label per field."""
    import re

    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S | re.I):
        assert "csrfmiddlewaretoken" in form
    ids = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for attrs in re.findall(r"<(?:input|select|textarea)\b([^>]*)>", html, re.I):
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        assert field_id and field_id.group(1) in ids, attrs[:80]
    assert " style=" not in html and "<script>" not in html


def test_the_action_forms_are_labelled_and_carry_csrf(client, users, dlist):
    html = _page(client, users["soc.exec"], dlist).content.decode()
    assert 'id="do-appoint"' in html
    _forms_are_labelled_and_protected(html)
    _appoint(users, dlist)
    html = _page(client, users["soc.officer"], dlist).content.decode()
    assert 'id="do-review"' in html
    _forms_are_labelled_and_protected(html)
    for name in ("soc.div.clerk", "soc.officer", "soc.secret"):
        retention.destruction_review(dlist, by=users[name], agreed=True)
    retention.destruction_approve(dlist, by=users["soc.exec"])
    retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=dt.date.today())
    html = _page(client, users["soc.clerk"], dlist).content.decode()
    assert 'id="do-answer"' in html
    _forms_are_labelled_and_protected(html)


def test_the_secret_registrar_sees_a_list_with_items_of_the_secret_register(client, users, dlist):
    # soc.secret is neither clerk, head nor member: the list reaches them for its classified line.
    registrar = users["soc.secret"]
    r = _page(client, registrar, dlist)
    html = r.content.decode()
    assert r.status_code == 200 and retention.CLASSIFIED_SUBJECT in html and "ห้ามเห็นเรื่อง" not in html
    assert _offered(html) == set()
    assert f'data-list="{dlist.pk}"' in client.get(reverse("portal:destruction-lists")).content.decode()
    assert reverse("portal:destruction-lists") in client.get(reverse("portal:books")).content.decode()


def test_the_secret_registrar_does_not_see_a_list_without_classified_items(client, users, units, closed_item):
    closed_item(dt.date(2015, 3, 2), "สิบปี ครบแล้ว")
    retention.destruction_lists_draft(now=SURVEY)
    plain = DestructionList.objects.get(unit=units["สลค."], year=2568)
    assert _page(client, users["soc.secret"], plain).status_code == 404
    assert f'data-list="{plain.pk}"' not in client.get(reverse("portal:destruction-lists")).content.decode()


def test_the_secret_registrar_does_not_see_a_list_of_items_above_their_clearance(client, users, units, closed_item):
    closed_item(dt.date(2014, 8, 8), "ลับมาก ครบแล้ว", secrecy=Secrecy.SECRET)
    retention.destruction_lists_draft(now=SURVEY)
    secret = DestructionList.objects.get(unit=units["สลค."], year=2568)
    registrar = users["soc.secret"]
    assert _page(client, registrar, secret).status_code == 200
    registrar.official.clearance = Secrecy.CONFIDENTIAL
    registrar.official.save(update_fields=["clearance"])
    assert _page(client, registrar, secret).status_code == 404
