"""Acceptance 6: the บัญชีหนังสือขอทำลาย drafted for a year lists exactly the items whose retention
ended and that are not held; approval needs the appointed committee (at least three) all agreeing;
nothing is destroyed before approval and the National Archives step."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from correspondence.models import DestructionList, DestructionState, IncomingItem, RetentionClass
from correspondence.services import retention
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db

# The survey of CE 2025 (พ.ศ. ๒๕๖๘), run in January 2026.
SURVEY = dt.datetime(2026, 1, 15, 2, 0, tzinfo=BANGKOK)
APPROVAL = SURVEY + dt.timedelta(days=14)


@pytest.fixture
def year_items(users, closed_item):
    c = closed_item
    items = {
        "ten_expired": c(dt.date(2015, 3, 2), "สิบปี ครบแล้ว"),
        "ten_expired_last_day": c(dt.date(2015, 12, 31), "สิบปี ครบวันสุดท้ายของปี"),
        "ten_not_yet": c(dt.date(2016, 1, 4), "สิบปี ยังไม่ครบ"),
        "routine_expired": c(dt.date(2024, 6, 3), "เรื่องประจำ ครบหนึ่งปี", RetentionClass.ONE_YEAR),
        "routine_not_yet": c(dt.date(2025, 2, 3), "เรื่องประจำ ยังไม่ครบ", RetentionClass.ONE_YEAR),
        "permanent": c(dt.date(1990, 5, 1), "ห้ามทำลาย", RetentionClass.PERMANENT),
        "set5_expired": c(dt.date(2020, 7, 1), "ห้าปี ครบแล้ว", RetentionClass.SET_YEARS, 5),
        "set5_not_yet": c(dt.date(2021, 7, 1), "ห้าปี ยังไม่ครบ", RetentionClass.SET_YEARS, 5),
        "held": c(dt.date(2010, 1, 5), "ระงับไว้ คดีความ"),
        "classified": c(dt.date(2014, 8, 8), "ลับ ครบแล้ว", secrecy=1),
    }
    retention.hold_set(items["held"], by=users["soc.clerk"], reason="อยู่ระหว่างคดีปกครอง")
    return items


EXPECTED = {"ten_expired", "ten_expired_last_day", "routine_expired", "set5_expired", "classified"}


def test_the_draft_lists_exactly_the_expired_items_not_on_hold(users, units, year_items):
    result = retention.destruction_lists_draft(now=SURVEY)
    assert result == {"year": 2025, "drafted": 1, "outside_window": False}
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    listed = set(dlist.lines.values_list("item_id", flat=True))
    assert listed == {year_items[k].pk for k in EXPECTED}
    # A classified line carries no subject or number: the committee holds no grant.
    line = dlist.lines.get(item=year_items["classified"])
    assert line.subject == retention.CLASSIFIED_SUBJECT and line.their_number == ""
    assert dlist.lines.get(item=year_items["set5_expired"]).retention == "๕ ปี"

    # Run again (the job runs daily in January and February): nothing doubles.
    assert retention.destruction_lists_draft(now=SURVEY + dt.timedelta(days=1))["drafted"] == 0
    assert dlist.lines.count() == len(EXPECTED)
    # A hold placed later takes the item off the draft.
    retention.hold_set(year_items["routine_expired"], by=users["soc.clerk"], reason="ขอใช้อ้างอิง")
    retention.destruction_lists_draft(now=SURVEY + dt.timedelta(days=2))
    assert year_items["routine_expired"].pk not in set(dlist.lines.values_list("item_id", flat=True))


def test_no_draft_outside_the_sixty_days(year_items):
    late = dt.datetime(2026, 3, 5, 2, 0, tzinfo=BANGKOK)
    assert retention.destruction_lists_draft(now=late)["outside_window"] is True
    assert not DestructionList.objects.exists()


COMMITTEE = ["soc.clerk", "soc.div.clerk", "soc.officer"]


def _appoint(dlist, users, members=COMMITTEE):
    officials = [users[name].official for name in members]
    return retention.destruction_committee_appoint(dlist, by=users["soc.exec"], chair=officials[0],
                                                   members=officials[1:])


def _committee(dlist, users, members):
    for name in members:
        retention.destruction_review(dlist, by=users[name], agreed=True)


def _sent_and_answered(dlist, users):
    """The approved list sent to the National Archives, which agreed."""
    retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=dt.date(2026, 2, 2),
                                           now=SURVEY + dt.timedelta(days=30))
    return retention.destruction_archives_answer(dlist, by=users["soc.clerk"], answered_on=dt.date(2026, 3, 2),
                                                 now=SURVEY + dt.timedelta(days=60))


def test_approval_needs_three_committee_members_and_destruction_needs_approval(users, units, year_items):
    retention.destruction_lists_draft(now=SURVEY)
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    head = users["soc.exec"]

    # Nothing can be destroyed from a draft.
    with pytest.raises(ValidationError) as refused:
        retention.destruction_execute(dlist, by=users["soc.clerk"])
    assert "ยังไม่ได้รับอนุมัติ" in refused.value.messages[0]

    with pytest.raises(ValidationError) as refused:
        retention.destruction_approve(dlist, by=head)
    assert "อย่างน้อยสามคน" in refused.value.messages[0]  # no committee appointed yet

    _appoint(dlist, users)
    _committee(dlist, users, ["soc.clerk", "soc.div.clerk"])
    with pytest.raises(ValidationError) as refused:
        retention.destruction_approve(dlist, by=head)
    assert "ยังไม่ได้พิจารณาเห็นชอบครบ" in refused.value.messages[0]
    assert users["soc.officer"].official.display_name in refused.value.messages[0]
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.DRAFT

    retention.destruction_review(dlist, by=users["soc.officer"], agreed=True)
    retention.destruction_approve(dlist, by=head, now=APPROVAL)
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.APPROVED and dlist.approved_by == head

    _sent_and_answered(dlist, users)
    result = retention.destruction_execute(dlist, by=users["soc.clerk"])
    assert result == {"destroyed": len(EXPECTED), "kept": 0}
    destroyed = set(IncomingItem.objects.filter(destroyed_at__isnull=False).values_list("pk", flat=True))
    assert destroyed == {year_items[k].pk for k in EXPECTED}
    # The register lines stay: a number is never deleted.
    assert all(year_items[k].register_entries.exists() for k in EXPECTED)


def test_a_disagreeing_member_blocks_approval(users, units, year_items):
    retention.destruction_lists_draft(now=SURVEY)
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    _appoint(dlist, users)
    _committee(dlist, users, ["soc.clerk", "soc.div.clerk"])
    retention.destruction_review(dlist, by=users["soc.officer"], agreed=False, note="บางเรื่องยังต้องใช้")
    with pytest.raises(ValidationError):
        retention.destruction_approve(dlist, by=users["soc.exec"])


def test_archives_list_of_items_twenty_years_old(users, units, year_items):
    csv_text = retention.archives_export_csv(users["soc.clerk"], units["สลค."], on=dt.date(2026, 1, 15))
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("เลขรับ,ที่,ลงวันที่")
    # Only the 1990 item (permanent) is 20 years old; the 2010 one is held and younger anyway.
    assert len(lines) == 2 and "ห้ามทำลาย" in lines[1]


def _approved(users, units):
    retention.destruction_lists_draft(now=SURVEY)
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    _appoint(dlist, users)
    _committee(dlist, users, COMMITTEE)
    retention.destruction_approve(dlist, by=users["soc.exec"], now=APPROVAL)
    return _sent_and_answered(dlist, users)


def test_an_item_made_permanent_or_kept_longer_after_approval_is_not_destroyed(users, units, year_items):
    dlist = _approved(users, units)
    retention.retention_set(year_items["ten_expired"], by=users["soc.clerk"], retention=RetentionClass.PERMANENT)
    retention.retention_set(year_items["set5_expired"], by=users["soc.clerk"], retention=RetentionClass.SET_YEARS,
                            years=20)
    result = retention.destruction_execute(dlist, by=users["soc.clerk"])
    assert result == {"destroyed": len(EXPECTED) - 2, "kept": 2}
    for key in ("ten_expired", "set5_expired"):
        item = IncomingItem.objects.get(pk=year_items[key].pk)
        assert item.destroyed_at is None


def test_destroying_a_received_item_never_deletes_the_file_another_record_holds(users, units, year_items, mfa_spec,
                                                                                 django_capture_on_commit_callbacks):
    """An item delivered inside the portal holds the sending agency's signed letter itself; a routed copy
    holds its item's file: only the last holder's destruction deletes a file."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from correspondence.models import Letter

    item = year_items["ten_expired"]
    name = default_storage.save("letters/2015/sent.pdf", ContentFile(b"%PDF-1.7 signed letter"))
    from correspondence.services import letters

    letter = letters.letter_create(by=users["mfa.drafter"], content=mfa_spec, signer=users["mfa.signer"].official)
    Letter.objects.filter(pk=letter.pk).update(pdf=name)
    IncomingItem.objects.filter(pk=item.pk).update(pdf=name)
    own = default_storage.save("incoming/2015/own.pdf", ContentFile(b"%PDF-1.7 scan"))
    IncomingItem.objects.filter(pk=year_items["routine_expired"].pk).update(pdf=own)
    # A stamped scan: the receipt stamp keeps the file as it came beside the stamped one; both go.
    from signatures.models import ReceiptStamp, StampState

    received = default_storage.save("incoming/2020/as-received.pdf", ContentFile(b"%PDF-1.7 as received"))
    stamped = default_storage.save("incoming/2020/stamped.pdf", ContentFile(b"%PDF-1.7 stamped"))
    IncomingItem.objects.filter(pk=year_items["set5_expired"].pk).update(pdf=stamped)
    ReceiptStamp.objects.create(item=year_items["set5_expired"], state=StampState.STAMPED, received_pdf=received)

    dlist = _approved(users, units)
    with django_capture_on_commit_callbacks(execute=True):
        retention.destruction_execute(dlist, by=users["soc.clerk"])
    assert default_storage.exists(name)  # the sender's letter stays
    assert not default_storage.exists(own)  # the item's own scan went
    assert not default_storage.exists(stamped) and not default_storage.exists(received)
    assert IncomingItem.objects.get(pk=item.pk).pdf.name == ""


def test_lines_are_frozen_once_the_committee_has_reviewed_the_list(users, units, year_items, closed_item):
    retention.destruction_lists_draft(now=SURVEY)
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    _appoint(dlist, users)
    retention.destruction_review(dlist, by=users["soc.clerk"], agreed=True)
    late = closed_item(dt.date(2012, 4, 4), "ปิดเรื่องหลังคณะกรรมการเริ่มพิจารณา")
    retention.destruction_lists_draft(now=SURVEY + dt.timedelta(days=3))
    listed = set(dlist.lines.values_list("item_id", flat=True))
    assert late.pk not in listed and listed == {year_items[k].pk for k in EXPECTED}


def test_committee_members_come_from_the_units_own_organisation(users, units, year_items):
    retention.destruction_lists_draft(now=SURVEY)
    dlist = DestructionList.objects.get(unit=units["สลค."], year=2568)
    with pytest.raises(ValidationError) as refused:
        _appoint(dlist, users, ["mfa.clerk", "soc.div.clerk", "soc.officer"])
    assert "กรรมการต้องเป็นเจ้าหน้าที่ของ" in refused.value.messages[0]
    assert "มาลี" in refused.value.messages[0]  # the outsider is named
    assert not dlist.committee.exists()
