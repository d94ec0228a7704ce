"""The pages work under a strict Content Security Policy (no inline script or style, no hx-on, htmx
without eval), every form posts with a CSRF token, and every visible field has a label."""
import re

import pytest
from django.urls import reverse

from page_data import make_items
from correspondence.services import receiving

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.I)


def _check(html, url):
    assert not INLINE_SCRIPT.search(html), url
    assert " style=" not in html and "<style" not in html, url
    assert "hx-on" not in html and "javascript:" not in html, url
    assert '"allowEval": false' in html, url
    assert "/media/" not in html, url  # files only through the permission-checked views
    for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S | re.I):
        assert "csrfmiddlewaretoken" in form, url
    ids = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for tag, attrs in FIELD.findall(html):
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        assert field_id and (field_id.group(1) in ids or "aria-label" in attrs), (url, tag, attrs[:80])


def test_pages_have_no_inline_code_and_label_every_field(users, soc, login, mfa_spec):
    from correspondence.services import letters

    items = make_items(soc, 3, urgency=3)
    receiving.incoming_register(items[0], by=users["soc.clerk"])
    c = login(users["soc.clerk"])
    for url in ("/", reverse("portal:queue"), reverse("portal:item", args=[items[0].pk]),
                reverse("portal:item", args=[items[1].pk]), reverse("portal:books"),
                reverse("portal:notifications"), reverse("portal:search") + "?q=x", reverse("portal:letters")):
        _check(c.get(url).content.decode(), url)
    from correspondence.models import RegisterBook
    book = RegisterBook.objects.get(unit=soc, kind="incoming")
    _check(c.get(reverse("portal:book", args=[book.pk])).content.decode(), "book")
    c = login(users["mfa.drafter"])
    letter = letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=users["mfa.signer"].official,
                                   recipients=[{"agency": soc.pk}], reviewers=[users["mfa.reviewer"].official])
    for url in (reverse("portal:letter-new"), reverse("portal:letter-draft", args=["external"]),
                reverse("portal:letter-draft", args=["memo"]), reverse("portal:letter-draft", args=["minutes"]),
                reverse("portal:letter-edit", args=[letter.pk]), reverse("portal:letter", args=[letter.pk])):
        _check(c.get(url).content.decode(), url)
    exec_page = login(users["soc.exec"]).get(reverse("portal:item", args=[items[0].pk])).content.decode()
    assert 'id="minute-form"' in exec_page
    _check(exec_page, "item as executive")


def test_every_kind_has_its_form_and_previews(users, login):
    from correspondence.forms import KIND_FIELDS

    c = login(users["mfa.drafter"])
    for kind in KIND_FIELDS:
        page = c.get(reverse("portal:letter-draft", args=[kind]))
        assert page.status_code == 200, kind
    answer = c.post(reverse("portal:letter-preview", args=["order"]),
                    {"subject": "แต่งตั้งคณะทำงาน", "body": "ข้อ ๑"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="preview-frame"' in answer
