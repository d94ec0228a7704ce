"""Acceptance 3: roles × secrecy levels × actions through the API. Every cell is allow or deny, and a
denied read answers 404 (or leaves the item out) exactly as if the item did not exist."""
import csv
import io

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from correspondence.models import AccessLog, BookKind, Channel, RegisterBook
from correspondence.services import grants, receiving

pytestmark = pytest.mark.django_db

LEVELS = (0, 1, 2, 3)


def _one_page_pdf() -> bytes:
    # A real one-page PDF: uploads are parsed, and a file without pages is refused.
    import io

    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return out.getvalue()


PDF = _one_page_pdf()

# Which secrecy levels each official can read (list, count, search in items, view, download) and
# which lines they see in the registers (entry search, export). Items live in สลค.; classified ones
# are granted to soc.exec and soc.officer, and to soc.secret as the registrar who received them.
READ = {
    "soc.clerk": {0},            # clerk of the unit, clearance ปกติ, no grants
    "soc.exec": {0, 1, 2, 3},    # executive of the unit, ลับที่สุด clearance, granted
    "soc.secret": {0, 1, 2, 3},  # the unit's secret registrar
    "soc.officer": {1},          # granted everything but cleared only to ลับ; ภค. is below สลค.
    "soc.div.clerk": set(),      # clerk of ภค.: sees nothing of the unit above
    "mfa.clerk": set(),          # another ministry
    "admin": {0},                # superuser: no grant, clearance ปกติ
}
REGISTER = {  # classified lines are in the secret register, visible only to its registrar
    "soc.clerk": {0}, "soc.exec": {0}, "soc.secret": {0, 1, 2, 3}, "soc.officer": set(),
    "soc.div.clerk": set(), "mfa.clerk": set(), "admin": {0},
}
# Route to ภค.: 200 allowed, 403 visible without the role, 404 invisible, 400 ลับที่สุด refused.
ROUTE = {
    "soc.clerk": {0: 200, 1: 404, 2: 404, 3: 404},
    "soc.exec": {0: 403, 1: 403, 2: 403, 3: 403},
    "soc.secret": {0: 403, 1: 200, 2: 200, 3: 400},
    "soc.officer": {0: 404, 1: 403, 2: 404, 3: 404},
    "soc.div.clerk": {0: 404, 1: 404, 2: 404, 3: 404},
    "mfa.clerk": {0: 404, 1: 404, 2: 404, 3: 404},
    "admin": {0: 403, 1: 404, 2: 404, 3: 404},
}


def subject(level):
    return f"เรื่องทดสอบสิทธิ์ชั้น{level}"


@pytest.fixture
def world(users, units):
    u, soc = users, units["สำนักเลขาธิการคณะรัฐมนตรี"]
    # ภค. keeps a secret register (a registrar cleared to ลับมาก), so classified items may be routed there.
    from agencies.models import Role, RoleAssignment

    registrar = u["soc.div.clerk"].official
    registrar.clearance = 2
    registrar.save(update_fields=["clearance"])
    RoleAssignment.objects.create(official=registrar, role=Role.SECRET_REGISTRAR, unit=units["ภค."])
    items = {}
    for level in LEVELS:
        by = u["soc.clerk"] if level == 0 else u["soc.secret"]
        pdf = None if level == 3 else ContentFile(PDF, name="scan.pdf")
        item = receiving.incoming_receive(unit=soc, by=by, channel=Channel.SCAN, subject=subject(level),
                                          sender_text="กระทรวงกลาโหม", their_number=f"กห ๐๒๐๑/{level + 100}",
                                          secrecy=level, pdf=pdf)
        item, _ = receiving.incoming_register(item, by=by)
        if level:
            grants.grant_view(item, u["soc.exec"])
            # A grant above the official's clearance still shows nothing: clearance is checked on read.
            from guardian.shortcuts import assign_perm
            assign_perm("view_incomingitem", u["soc.officer"], item)
        items[level] = item
    return {"items": items, "soc": soc,
            "books": {k: RegisterBook.objects.get(unit=soc, kind=k) for k in (BookKind.INCOMING, BookKind.SECRET)}}


def client_for(user, second_factor):
    client = APIClient()
    client.force_authenticate(user)
    second_factor(client, user)  # classified records and the secret register need a verified second factor
    return client


def observe(client, world, level, division):
    """What the API shows this client for one level: the set of actions that were allowed."""
    item = world["items"][level]
    seen = set()
    listed = {r["id"] for r in client.get("/api/v1/items/", {"page_size": 200}).json()["results"]}
    if item.pk in listed:
        seen.add("list")
    if client.get("/api/v1/items/", {"q": subject(level)}).json()["count"] == 1:
        seen.add("count")
    if client.get("/api/v1/items/", {"q": f"0201/{level + 100}"}).json()["results"]:
        seen.add("search")
    if client.get(f"/api/v1/items/{item.pk}/").status_code == 200:
        seen.add("view")
    download = client.get(f"/api/v1/items/{item.pk}/download/")
    if download.status_code != 404:
        seen.add("download")
        assert download.status_code == (400 if level == 3 else 200)  # ลับที่สุด has no file in the portal
    if any(e["subject"] == subject(level) for e in client.get("/api/v1/entries/", {"q": "ทดสอบสิทธิ์"}).json()["results"]):
        seen.add("entry-search")
    book = world["books"][BookKind.SECRET if level else BookKind.INCOMING]
    export = client.get(f"/api/v1/books/{book.pk}/export/", {"output": "csv"})
    if export.status_code == 200:
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        if any(subject(level) in row for row in rows):
            seen.add("export")
    else:
        assert export.status_code == 404
    return seen


@pytest.mark.parametrize("username", sorted(READ))
def test_permission_matrix(users, units, world, username, second_factor):
    client = client_for(users[username], second_factor)
    division = units["ภค."]
    observed, expected = {}, {}
    for level in LEVELS:
        observed[level] = observe(client, world, level, division)
        expected[level] = ({"list", "count", "search", "view", "download"} if level in READ[username] else set()) | (
            {"entry-search", "export"} if level in REGISTER[username] else set())
    assert observed == expected
    # Route last: it changes the item.
    routes = {level: client.post(f"/api/v1/items/{world['items'][level].pk}/route/", {"to_units": [division.pk]},
                                 format="json").status_code for level in LEVELS}
    assert routes == ROUTE[username]


def test_views_and_downloads_of_classified_items_are_logged(users, world, second_factor):
    exec_ = client_for(users["soc.exec"], second_factor)
    item = world["items"][2]
    assert exec_.get(f"/api/v1/items/{item.pk}/").status_code == 200
    assert exec_.get(f"/api/v1/items/{item.pk}/download/").status_code == 200
    exec_.get(f"/api/v1/items/{world['items'][0].pk}/")  # unclassified: not logged
    logged = list(AccessLog.objects.filter(user=users["soc.exec"]).values_list("action", "item_id", "secrecy"))
    assert sorted(logged) == [("download", item.pk, 2), ("view", item.pk, 2)]
    # A refused look leaves no trace of the item, and no log row either.
    assert client_for(users["soc.clerk"], second_factor).get(f"/api/v1/items/{item.pk}/").status_code == 404
    assert not AccessLog.objects.filter(user=users["soc.clerk"]).exists()


def test_secret_register_book_is_listed_only_for_its_registrar(users, world, second_factor):
    secret = world["books"][BookKind.SECRET].pk
    for username, sees in (("soc.secret", True), ("soc.exec", False), ("admin", False), ("soc.clerk", False)):
        ids = {b["id"] for b in client_for(users[username], second_factor).get("/api/v1/books/").json()["results"]}
        assert (secret in ids) is sees, username


def test_token_authentication_and_anonymous_refusal(users, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["soc.clerk"])
    client = APIClient()
    assert client.get("/api/v1/items/").status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = client.get("/api/v1/items/").json()
    assert body["count"] == 1 and "content" not in body["results"][0]
