"""The audit trail records exports, downloads of classified files and changes to grants and roles (logins:
test_login_security), with who did it; its rows are in the hash chain that verify_audit checks."""
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Role, RoleAssignment
from correspondence.models import BookKind, Channel, RegisterBook
from correspondence.services import grants, receiving
from eoffice.models import AccessEvent, AccessKind

from hardening_helpers import api
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db


def events(kind):
    return list(AccessEvent.objects.filter(kind=kind).order_by("pk"))


@pytest.fixture
def secret_item(users, units, media):
    from django.core.files.base import ContentFile

    registrar = users["soc.secret"]
    item = receiving.incoming_receive(unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ",
                                      sender_text="กห", secrecy=2, pdf=ContentFile(blank_pdf(), name="s.pdf"))
    item, _ = receiving.incoming_register(item, by=registrar)
    return item


def test_exports_are_recorded_with_who_what_and_how_many_lines(users, units, second_factor):
    clerk = users["soc.clerk"]
    item = receiving.incoming_receive(unit=units["สลค."], by=clerk, channel=Channel.SCAN, subject="ก", sender_text="ข")
    receiving.incoming_register(item, by=clerk)
    book = RegisterBook.objects.get(unit=units["สลค."], kind=BookKind.INCOMING)
    assert api(clerk).get(f"/api/v1/books/{book.pk}/export/", {"output": "xlsx"}).status_code == 200
    [event] = events(AccessKind.EXPORT)
    assert (event.user, event.target, event.detail["format"], event.detail["lines"]) == (
        clerk, f"registerbook:{book.pk}", "xlsx", 1)


def test_downloads_of_classified_files_are_recorded_and_plain_ones_are_not(users, secret_item, second_factor):
    registrar = users["soc.secret"]
    client = api(registrar)
    second_factor(client, registrar)
    assert client.get(f"/api/v1/items/{secret_item.pk}/download/").status_code == 200
    [event] = events(AccessKind.DOWNLOAD)
    assert (event.user, event.target, event.detail) == (registrar, f"incomingitem:{secret_item.pk}", {"secrecy": 2})


def test_grant_changes_are_recorded_with_the_official_who_made_them(users, secret_item, second_factor):
    exec_ = users["soc.exec"]
    grants.grant_view(secret_item, exec_)
    before = len(events(AccessKind.GRANT))
    # Minuting a classified item to an assignee grants it to them, over the API: the actor is recorded.
    client = api(exec_)
    second_factor(client, exec_)
    r = client.post(f"/api/v1/items/{secret_item.pk}/minutes/",
                    {"action": "มอบ ดำเนินการ", "assignee": users["soc.secret"].official.pk}, format="json")
    assert r.status_code == 201, r.json()
    grants.revoke_view(secret_item, exec_)
    rows = [(e.detail["change"], e.target, e.detail.get("to_user")) for e in events(AccessKind.GRANT)[before - 1:]]
    assert rows[0] == ("added", f"incomingitem:{secret_item.pk}", exec_.pk)
    assert rows[-1] == ("removed", f"incomingitem:{secret_item.pk}", exec_.pk)
    group = Group.objects.create(name="ผู้ตรวจสอบภายใน")
    grants.grant_view(secret_item, group)
    assert events(AccessKind.GRANT)[-1].detail == {"change": "added", "permission": "view_incomingitem",
                                                   "to_group": group.pk}


def test_role_clearance_and_account_changes_are_recorded(users, units):
    officer = users["soc.officer"]
    before = AccessEvent.objects.filter(kind=AccessKind.ROLE).count()
    role = RoleAssignment.objects.create(official=officer.official, role=Role.SIGNER, unit=units["สลค."])
    role.delete()
    officer.official.clearance = 2
    officer.official.save()
    officer.is_staff = True
    officer.save()
    officer.groups.add(Group.objects.create(name="สารบรรณกลาง"))
    changes = [e.detail.get("change") for e in AccessEvent.objects.filter(kind=AccessKind.ROLE).order_by("pk")[before:]]
    assert changes == ["added", "removed", "clearance", "flags", "add"]
    officer.first_name = "ชื่อใหม่"
    officer.save()  # not a change of rights: nothing recorded
    assert AccessEvent.objects.filter(kind=AccessKind.ROLE).count() == before + 5


def test_access_events_are_in_the_hash_chain(users, secret_item):
    grants.grant_view(secret_item, users["soc.exec"])
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "eoffice_historicalaccessevent" in out.getvalue()
    # Rewriting an event's history behind the portal's back breaks the chain (PostgreSQL even refuses it).
    from django.db import connection

    History = AccessEvent.history.model
    row = History.objects.order_by("history_id").first()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic():
            History.objects.filter(pk=row.pk).update(username="ไม่มีใคร")
    else:
        History.objects.filter(pk=row.pk).update(username="ไม่มีใคร")
        with pytest.raises(CommandError):
            call_command("verify_audit", stdout=io.StringIO())
