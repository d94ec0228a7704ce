"""Without the second factor the API shows unclassified records only, wherever they leave: a book's export, a
duplicate named at registration. Odd dates give an answer, not a server error."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from agencies.models import Role, RoleAssignment
from correspondence.models import BookKind, Channel, RegisterBook
from correspondence.services import grants, numbering, receiving

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.fixture
def classified_line(users, units, settings, mfa_spec):
    from correspondence.services import letters

    settings.EOFFICE_SECOND_FACTOR = True
    unit, viewer = units["ศทส."], users["mfa.signer"]
    users["mfa.drafter"].official.clearance = 1
    users["mfa.drafter"].official.save()
    letter = letters.letter_create(by=users["mfa.drafter"], content={**mfa_spec, "secrecy": "confidential",
                                                                     "subject": "เรื่องลับมาก-XYZ"},
                                   signer=viewer.official)
    grants.grant_view(letter, viewer)
    line = numbering.entry_register(unit=unit, kind=BookKind.OUTGOING, letter=letter, secrecy=1,
                                    subject="เรื่องลับมาก-XYZ")
    numbering.entry_register(unit=unit, kind=BookKind.OUTGOING, subject="เรื่องปกติ-ABC")
    return viewer, RegisterBook.objects.get(pk=line.book_id)


def test_a_book_export_leaves_classified_lines_out_without_the_second_factor(classified_line, second_factor):
    viewer, book = classified_line
    client = _api(viewer)
    text = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"}).content.decode("utf-8-sig")
    assert "เรื่องปกติ-ABC" in text and "XYZ" not in text
    second_factor(client, viewer)
    client.force_authenticate(viewer)
    text = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"}).content.decode("utf-8-sig")
    assert "XYZ" in text


def test_the_last_day_there_is_as_date_to_is_answered(classified_line):
    viewer, book = classified_line
    client = _api(viewer)
    assert client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv", "date_to": "9999-12-31"}).status_code == 200
    assert client.get("/api/v1/entries/", {"date_to": "9999-12-31"}).status_code == 200


def test_registering_through_the_api_names_no_classified_duplicate_without_the_second_factor(users, units, settings):
    settings.EOFFICE_SECOND_FACTOR = True
    registrar, soc = users["soc.secret"], units["สลค."]
    RoleAssignment.objects.create(official=registrar.official, role=Role.REGISTRY_CLERK)
    same = dict(unit=soc, channel=Channel.SCAN, sender_text="กห", their_number="มท ๐๒๑๘/๗",
                dated=dt.date.today() - dt.timedelta(days=1))
    secret = receiving.incoming_receive(by=registrar, subject="ลับ-ABC", secrecy=1, **same)
    receiving.incoming_register(secret, by=registrar)
    plain = receiving.incoming_receive(by=registrar, subject="ปกติ", secrecy=0, **same)
    body = _api(registrar).post(f"/api/v1/items/{plain.pk}/register/").json()
    assert body["item"]["duplicate_of"] is None and body["warning"] is None
