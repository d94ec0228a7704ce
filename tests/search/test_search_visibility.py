"""The search's own visibility filter (over the document's unit and secrecy columns) must agree with
correspondence.permissions object by object, for every demo official; and the index is rebuilt by
``search_reindex``."""
import datetime as dt

import pytest
from django.core.management import call_command

from correspondence import permissions
from correspondence.models import BookKind, Channel, IncomingItem, Letter, RegisterEntry, SearchDocument, SearchKind
from correspondence.selectors_search import search, visible_documents_filter
from correspondence.services import grants, letters, numbering, receiving

pytestmark = pytest.mark.django_db

WORD = "ทดสอบสิทธิ์"


@pytest.fixture
def world(users, units, receive, mfa_spec):
    """Items in several units and levels, letters drafted and reviewed by others, standalone lines."""
    u = users
    receiving.incoming_register(receive(f"{WORD} สลค."), by=u["soc.clerk"])  # its register line: no document
    receive(f"{WORD} ภค.", unit="ภค.", by=u["soc.div.clerk"])
    receiving.incoming_receive(unit=units["ศทส."], by=u["mfa.clerk"], channel=Channel.SCAN, subject=f"{WORD} ศทส.",
                               sender_text="สำนักเลขาธิการคณะรัฐมนตรี")
    confidential = receive(f"{WORD} ลับ", secrecy=1)
    secret = receive(f"{WORD} ลับมาก", secrecy=2)
    grants.grant_view(confidential, u["soc.officer"])
    grants.grant_view(secret, u["soc.exec"])
    draft = letters.letter_create(by=u["mfa.drafter"], content={**mfa_spec, "subject": f"{WORD} ร่าง"},
                                  reviewers=[u["mfa.reviewer"].official], signer=u["mfa.signer"].official)
    letters.letter_submit(draft, by=u["mfa.drafter"])
    u["mfa.drafter"].official.clearance = 1
    u["mfa.drafter"].official.save()
    letters.letter_create(by=u["mfa.drafter"], content={**mfa_spec, "subject": f"{WORD} ร่างลับ",
                                                        "secrecy": "confidential"})
    line = numbering.number_reserve(unit=units["สลค."], note=f"{WORD} จองเลข")
    numbering.reservation_fill(line, subject=f"{WORD} หนังสือนอกระบบ", from_text="สลค.", to_text="กต.",
                               dated=dt.date(2020, 9, 17))
    secret_line = numbering.number_reserve(unit=units["สลค."], kind=BookKind.SECRET, note=f"{WORD} ลับ")
    return {"secret_line": secret_line}


def _expected(user):
    items = set(permissions.visible_items(user).filter(subject__contains=WORD).values_list("pk", flat=True))
    letters_ = set(permissions.visible_letters(user).filter(subject__contains=WORD).values_list("pk", flat=True))
    entries = set(permissions.visible_entries(user).filter(letter__isnull=True, item__isnull=True)
                  .values_list("pk", flat=True))
    return {("item", pk) for pk in items} | {("letter", pk) for pk in letters_} | {("entry", pk) for pk in entries}


def test_search_sees_exactly_what_permissions_allow(users, world):
    assert SearchDocument.objects.filter(kind=SearchKind.ENTRY).count() == 2  # the lines that stand alone
    seen_any = set()
    for name, user in users.items():
        visible = visible_documents_filter(user)
        got = set() if visible is None else {
            (d.kind, d.item_id or d.letter_id or d.entry_id)
            for d in SearchDocument.objects.filter(visible).filter(text__contains=WORD)}
        assert got == _expected(user), name
        assert {(h.kind, h.object_id) for h in search(user, WORD, limit=200)} == got, name
        seen_any |= got
    # The world is not trivially empty for anyone: every object is seen by someone, and some only by few.
    assert len(seen_any) == SearchDocument.objects.filter(text__contains=WORD).count()
    assert ("entry", world["secret_line"].pk) in {(h.kind, h.object_id) for h in search(users["soc.secret"], WORD)}
    assert ("entry", world["secret_line"].pk) not in {(h.kind, h.object_id) for h in search(users["soc.exec"], WORD)}


def test_reindex_rebuilds_every_document(users, world):
    before = {(d.kind, d.item_id, d.letter_id, d.entry_id, d.text) for d in SearchDocument.objects.all()}
    SearchDocument.objects.all().delete()
    assert search(users["soc.exec"], WORD) == []
    call_command("search_reindex", verbosity=0)
    after = {(d.kind, d.item_id, d.letter_id, d.entry_id, d.text) for d in SearchDocument.objects.all()}
    assert after == before and len(after) == IncomingItem.objects.count() + Letter.objects.count() + 2
    assert RegisterEntry.objects.count() > 2  # lines of items and letters are not indexed twice
    assert search(users["soc.exec"], WORD)
