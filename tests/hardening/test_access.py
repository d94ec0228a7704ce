"""The access suite: every attempt to reach what a user may not is refused, through the API, the admin and
the officials' pages. What the user may not know exists answers exactly like something that does not
exist (404, or the admin's "does not exist"); a visible record without the role answers 403."""
import pytest
from django.core.files.base import ContentFile

from correspondence.models import BookKind, Channel, IncomingItem, Letter, LetterState, RegisterBook, RegisterEntry
from correspondence.services import letters, receiving

from hardening_helpers import api, files_under
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db
MISSING = 987654321


@pytest.fixture
def world(users, units, mfa_spec, media, second_factor):
    u, soc = users, units["สลค."]
    draft = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                  recipients=[{"agency": soc.pk}])
    secret = receiving.incoming_receive(unit=soc, by=u["soc.secret"], channel=Channel.SCAN, subject="แผนลับเฉพาะ",
                                        sender_text="กห", secrecy=1, pdf=ContentFile(blank_pdf(), name="a.pdf"))
    secret, _ = receiving.incoming_register(secret, by=u["soc.secret"])
    plain = receiving.incoming_receive(unit=soc, by=u["soc.clerk"], channel=Channel.SCAN, subject="เรื่องทั่วไป",
                                       sender_text="กห", pdf=ContentFile(blank_pdf(), name="b.pdf"))
    plain, _ = receiving.incoming_register(plain, by=u["soc.clerk"])
    return {
        "draft": draft, "secret": secret, "plain": plain,
        "entry": RegisterEntry.objects.get(item=plain), "secret_entry": RegisterEntry.objects.get(item=secret),
        "book": RegisterBook.objects.get(unit=soc, kind=BookKind.INCOMING),
        "secret_book": RegisterBook.objects.get(unit=soc, kind=BookKind.SECRET),
    }


def verified_api(user, second_factor):
    """An API client with a verified second factor: any refusal below is about visibility or role."""
    client = api(user)
    second_factor(client, user)
    return client


def page_client(client, user, second_factor):
    client.force_login(user)
    second_factor(client, user)
    return client


def same_as_missing(client, url_of, pk, method="get", **kw):
    hidden = getattr(client, method)(url_of(pk), **kw)
    missing = getattr(client, method)(url_of(MISSING), **kw)
    assert hidden.status_code == missing.status_code == 404, (url_of(pk), hidden.status_code)
    if hidden["Content-Type"].startswith("application/json"):
        assert hidden.json() == missing.json()
    return hidden


# --- other agencies' drafts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["soc.clerk", "moi.signer", "soc.exec", "admin"])
def test_another_agencys_draft_does_not_exist_for_them(users, world, second_factor, username, mfa_spec):
    client = verified_api(users[username], second_factor)
    pk = world["draft"].pk
    assert pk not in {r["id"] for r in client.get("/api/v1/letters/", {"page_size": 200}).json()["results"]}
    for suffix in ("", "download/"):
        same_as_missing(client, lambda i: f"/api/v1/letters/{i}/{suffix}", pk)
    same_as_missing(client, lambda i: f"/api/v1/letters/{i}/", pk, "patch", data={"content": mfa_spec}, format="json")
    same_as_missing(client, lambda i: f"/api/v1/letters/{i}/", pk, "delete")
    for action in ("submit", "issue", "sign", "send"):
        same_as_missing(client, lambda i: f"/api/v1/letters/{i}/{action}/", pk, "post")
    same_as_missing(client, lambda i: f"/api/v1/letters/{i}/cancel/", pk, "post", data={"reason": "x"}, format="json")
    draft = Letter.objects.get(pk=pk)
    assert (draft.state, draft.content) == (LetterState.DRAFT, world["draft"].content)


def test_another_agencys_draft_pages_answer_404(client, users, world, second_factor):
    page_client(client, users["soc.clerk"], second_factor)
    pk = world["draft"].pk
    for path in ("", "edit/", "pdf/", "page1.png"):
        assert client.get(f"/letters/{pk}/{path}").status_code == 404, path
    for path in ("submit/", "issue/", "sign/", "send/", "cancel/"):
        assert client.post(f"/letters/{pk}/{path}").status_code == 404, path
    assert Letter.objects.get(pk=pk).state == LetterState.DRAFT


# --- classified items by id -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["soc.clerk", "soc.exec", "soc.div.clerk", "mfa.clerk", "admin"])
def test_a_classified_item_without_a_grant_does_not_exist(users, world, second_factor, username):
    client = verified_api(users[username], second_factor)
    pk = world["secret"].pk
    assert pk not in {r["id"] for r in client.get("/api/v1/items/", {"page_size": 200}).json()["results"]}
    assert client.get("/api/v1/items/", {"q": "แผนลับเฉพาะ"}).json()["count"] == 0
    for suffix in ("", "download/"):
        same_as_missing(client, lambda i: f"/api/v1/items/{i}/{suffix}", pk)
    same_as_missing(client, lambda i: f"/api/v1/items/{i}/register/", pk, "post")
    same_as_missing(client, lambda i: f"/api/v1/items/{i}/route/", pk, "post", data={"to_units": [1]}, format="json")
    same_as_missing(client, lambda i: f"/api/v1/items/{i}/minutes/", pk, "post", data={"action": "เพื่อโปรดทราบ"},
                    format="json")
    same_as_missing(client, lambda i: f"/api/v1/items/{i}/close/", pk, "post", data={"filed_at": "x"}, format="json")
    same_as_missing(client, lambda i: f"/api/v1/entries/{i}/", world["secret_entry"].pk)
    assert IncomingItem.objects.get(pk=pk).minutes.count() == 0


def test_a_classified_item_without_a_grant_in_the_pages_and_the_admin(client, users, world, second_factor):
    pk = world["secret"].pk
    page_client(client, users["soc.clerk"], second_factor)
    for path in ("", "pdf/", "page1.png"):
        assert client.get(f"/incoming/{pk}/{path}").status_code == 404, path
    for path in ("register/", "route/", "minute/", "close/"):
        assert client.post(f"/incoming/{pk}/{path}").status_code == 404, path
    assert "แผนลับเฉพาะ" not in client.get("/incoming/").content.decode()
    # The administrator (superuser, no grant): the admin answers as for a record that does not exist.
    page_client(client, users["admin"], second_factor)
    for path in ("change/", "history/", "permissions/"):
        hidden = client.get(f"/admin/correspondence/incomingitem/{pk}/{path}")
        missing = client.get(f"/admin/correspondence/incomingitem/{MISSING}/{path}")
        assert hidden.status_code == missing.status_code and hidden.status_code in (302, 404), path
        assert "แผนลับเฉพาะ" not in hidden.content.decode()
    assert "แผนลับเฉพาะ" not in client.get("/admin/correspondence/incomingitem/").content.decode()
    assert "แผนลับเฉพาะ" not in client.get("/admin/correspondence/registerentry/").content.decode()


def test_the_admin_shows_classified_records_only_after_the_second_factor(client, users, world, second_factor):
    # A secret registrar who is also an administrator: no admin page opens until the session has its
    # second factor (eoffice/admin_site.py), then the granted records show.
    from signatures.models import ReportStatus, SignatureReport

    registrar = users["soc.secret"]
    registrar.is_staff = registrar.is_superuser = True
    registrar.save()
    client.force_login(registrar)
    pk = world["secret"].pk
    # Records hanging off the item show its subject (the item's text) in their lists.
    SignatureReport.objects.create(item=world["secret"], pdf_sha256="0" * 64, report={}, status=ReportStatus.WARNING,
                                   summary_th="ไม่มีลายมือชื่อ")
    lists = ("/admin/correspondence/incomingitem/", "/admin/correspondence/registerentry/",
             "/admin/signatures/signaturereport/")
    report = SignatureReport.objects.get(item=world["secret"])
    for url in (*lists, f"/admin/signatures/signaturereport/{report.pk}/history/",
                f"/admin/correspondence/incomingitem/{pk}/change/",
                f"/admin/correspondence/registerbook/{world['secret_book'].pk}/change/"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/account/two-factor/"), url
        assert "แผนลับเฉพาะ" not in page.content.decode(), url

    second_factor(client, registrar)
    for url in lists:
        assert "แผนลับเฉพาะ" in client.get(url).content.decode(), url
    assert client.get(f"/admin/correspondence/incomingitem/{pk}/change/").status_code == 200
    assert client.get(f"/admin/signatures/signaturereport/{report.pk}/history/").status_code == 200
    assert client.get(f"/admin/correspondence/registerbook/{world['secret_book'].pk}/change/").status_code == 200


# --- register entries of other units -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["soc.div.clerk", "mfa.clerk", "moi.signer"])
def test_register_lines_and_books_of_other_units(client, users, world, second_factor, username):
    api_client = verified_api(users[username], second_factor)
    book, entry = world["book"], world["entry"]
    same_as_missing(api_client, lambda i: f"/api/v1/entries/{i}/", entry.pk)
    same_as_missing(api_client, lambda i: f"/api/v1/books/{i}/", book.pk)
    same_as_missing(api_client, lambda i: f"/api/v1/books/{i}/export/", book.pk, data={"output": "csv"})
    same_as_missing(api_client, lambda i: f"/api/v1/books/{i}/export/", world["secret_book"].pk)
    assert api_client.get("/api/v1/entries/", {"book": book.pk}).json()["results"] == []
    assert api_client.get("/api/v1/entries/", {"q": "เรื่องทั่วไป"}).json()["results"] == []
    same_as_missing(api_client, lambda i: f"/api/v1/reservations/{i}/void/", entry.pk, "post",
                    data={"reason": "x"}, format="json")
    page_client(client, users[username], second_factor)
    for url in (f"/registers/{book.pk}/", f"/registers/{book.pk}/export.csv", f"/registers/{book.pk}/export.xlsx"):
        assert client.get(url).status_code == 404, url


def test_the_secret_register_is_only_its_registrars(users, world, second_factor):
    for username in ("soc.clerk", "soc.exec", "admin"):
        client = verified_api(users[username], second_factor)
        same_as_missing(client, lambda i: f"/api/v1/books/{i}/export/", world["secret_book"].pk)
        assert world["secret_book"].pk not in {b["id"] for b in client.get("/api/v1/books/").json()["results"]}


# --- history rows ------------------------------------------------------------------------------------------------


def test_history_rows_are_not_reachable(client, users, world, second_factor):
    # Officials are not staff: the admin (and its history views) sends them to its login page.
    page_client(client, users["soc.clerk"], second_factor)
    for url in (f"/admin/correspondence/incomingitem/{world['plain'].pk}/history/",
                "/admin/correspondence/historicalincomingitem/", "/admin/eoffice/accessevent/"):
        r = client.get(url)
        assert r.status_code in (302, 404) and "/admin/login/" in r.get("Location", "/admin/login/"), url
    # The API has no history endpoint, whatever its name.
    for url in ("/api/v1/history/", f"/api/v1/items/{world['plain'].pk}/history/", "/api/v1/items/history/"):
        assert api(users["soc.clerk"]).get(url).status_code in (404, 405), url


# --- files by guessed path ------------------------------------------------------------------------------------


def test_files_are_never_served_by_path(client, users, world, media, second_factor):
    page_client(client, users["soc.secret"], second_factor)
    stored = [p.relative_to(media).as_posix() for p in files_under(media)]
    assert stored, "the world has files"
    guesses = [f"/media/{name}" for name in stored] + [
        "/media/", "/media/incoming/", f"/static/../var/media/{stored[0]}", "/static/%2e%2e/var/media/" + stored[0],
        "/var/media/" + stored[0], f"/incoming/{world['plain'].pk}/pdf/../../../media/{stored[0]}",
        "/static/../eoffice/settings.py", "/static/../var/secret_key", "/.env", "/var/secret_key",
    ]
    for url in guesses:
        r = client.get(url)
        assert r.status_code == 404, (url, r.status_code)


# --- writes without the role -----------------------------------------------------------------------------------


def test_api_writes_without_the_role_are_refused_and_change_nothing(users, units, world, mfa_spec, second_factor):
    u = users
    plain = world["plain"]
    before = (RegisterEntry.objects.count(), IncomingItem.objects.count(), Letter.objects.count())
    # Visible, but not theirs to do: 403.
    officer = verified_api(u["soc.officer"], second_factor)
    drafter = verified_api(u["mfa.drafter"], second_factor)
    exec_ = verified_api(u["soc.exec"], second_factor)
    assert exec_.post(f"/api/v1/items/{plain.pk}/route/", {"to_units": [units["ภค."].pk]},
                      format="json").status_code == 403
    assert exec_.post(f"/api/v1/items/{plain.pk}/close/", {"filed_at": "ตู้ ๑"}, format="json").status_code == 403
    assert drafter.post("/api/v1/reservations/", {"unit": units["กต"].pk if "กต" in units else world["draft"].owner_unit_id},
                        format="json").status_code == 403
    assert drafter.post(f"/api/v1/letters/{world['draft'].pk}/issue/").status_code in (400, 403)
    assert drafter.post(f"/api/v1/letters/{world['draft'].pk}/sign/").status_code in (400, 403)
    r = officer.post("/api/v1/items/", {"unit": units["สลค."].pk, "channel": Channel.SCAN, "subject": "ก",
                                        "sender_text": "ข"}, format="multipart")
    assert r.status_code in (403, 404)
    # Receiving for another agency's unit: refused.
    r = verified_api(u["mfa.clerk"], second_factor).post(
        "/api/v1/items/", {"unit": units["สลค."].pk, "channel": Channel.SCAN, "subject": "ก", "sender_text": "ข"},
        format="multipart")
    assert r.status_code == 403
    # Anonymous: nothing at all.
    anonymous = api()
    for method, url in (("get", "/api/v1/items/"), ("post", "/api/v1/items/"), ("get", "/api/v1/letters/"),
                        ("post", f"/api/v1/items/{plain.pk}/register/"), ("get", f"/api/v1/books/{world['book'].pk}/export/")):
        assert getattr(anonymous, method)(url).status_code in (401, 403), url
    assert (RegisterEntry.objects.count(), IncomingItem.objects.count(), Letter.objects.count()) == before
    plain.refresh_from_db()
    assert plain.state == "registered"


def test_a_token_gives_no_more_than_its_users_rights(users, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["mfa.clerk"])
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    same_as_missing(client, lambda i: f"/api/v1/items/{i}/", world["plain"].pk)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/items/").status_code in (401, 403)
