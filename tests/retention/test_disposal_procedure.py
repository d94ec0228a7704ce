"""The disposal procedure of หมวด ๓: the head appoints the committee, only its members review, the head
approves once all agree, the list goes to the National Archives (กรมศิลปากร), and destruction waits for
its answer or for the waiting period (EOFFICE_ARCHIVES_REPLY_DAYS)."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from correspondence.models import (
    ArchivesAnswer,
    CommitteeRole,
    DestructionList,
    DestructionState,
    IncomingItem,
    RetentionClass,
)
from correspondence.services import retention
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db

SURVEY = dt.datetime(2026, 1, 15, 2, 0, tzinfo=BANGKOK)
APPROVAL = dt.datetime(2026, 1, 29, 10, 0, tzinfo=BANGKOK)
SENT_ON = dt.date(2026, 2, 2)


@pytest.fixture
def dlist(users, units, closed_item):
    closed_item(dt.date(2015, 3, 2), "สิบปี ครบแล้ว")
    closed_item(dt.date(2015, 6, 9), "สิบปี ครบแล้ว อีกเรื่อง")
    retention.destruction_lists_draft(now=SURVEY)
    return DestructionList.objects.get(unit=units["สลค."], year=2568)


def _officials(users, *names):
    return [users[n].official for n in names]


def _appoint(dlist, users, by="soc.exec", chair="soc.clerk", members=("soc.div.clerk", "soc.officer")):
    return retention.destruction_committee_appoint(dlist, by=users[by], chair=users[chair].official,
                                                   members=_officials(users, *members), now=SURVEY)


def _approved(dlist, users):
    _appoint(dlist, users)
    for name in ("soc.clerk", "soc.div.clerk", "soc.officer"):
        retention.destruction_review(dlist, by=users[name], agreed=True, now=SURVEY)
    return retention.destruction_approve(dlist, by=users["soc.exec"], now=APPROVAL)


def _sent(dlist, users):
    _approved(dlist, users)
    return retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=SENT_ON,
                                                  now=dt.datetime(2026, 2, 3, 9, 0, tzinfo=BANGKOK))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=BANGKOK)


# --- the appointment -------------------------------------------------------------------------------------------


def test_the_head_appoints_a_chair_and_two_members(users, dlist):
    rows = _appoint(dlist, users)
    assert [(r.official.user.username, r.role) for r in dlist.committee.select_related("official__user")] == [
        ("soc.clerk", CommitteeRole.CHAIR), ("soc.div.clerk", CommitteeRole.MEMBER),
        ("soc.officer", CommitteeRole.MEMBER)]
    assert all(r.appointed_by == users["soc.exec"] for r in rows)
    # Each appointed official is told.
    from correspondence.models import Notification

    assert Notification.objects.filter(user=users["soc.officer"], text__contains="ได้รับแต่งตั้งเป็นกรรมการ").exists()
    assert dlist.committee.first().history.exists()


@pytest.mark.parametrize("by", ["soc.clerk", "soc.officer"])
def test_only_the_head_appoints(users, dlist, by):
    with pytest.raises(PermissionDenied):
        _appoint(dlist, users, by=by, chair="soc.secret")
    assert not dlist.committee.exists()


@pytest.mark.parametrize("chair, members, expected", [
    ("soc.clerk", ("soc.div.clerk",), "กรรมการอย่างน้อยสองคน"),
    ("soc.clerk", ("soc.div.clerk", "soc.clerk"), "ซ้ำ"),
    ("soc.clerk", ("soc.div.clerk", "soc.div.clerk"), "ซ้ำ"),
    ("soc.clerk", ("soc.div.clerk", "soc.exec"), "ต้องไม่เป็นกรรมการเอง"),
    ("soc.clerk", ("soc.div.clerk", "mfa.clerk"), "กรรมการต้องเป็นเจ้าหน้าที่ของ"),
])
def test_appointment_rules(users, dlist, chair, members, expected):
    with pytest.raises(ValidationError) as refused:
        _appoint(dlist, users, chair=chair, members=members)
    assert expected in " ".join(refused.value.messages)
    assert not dlist.committee.exists()


def test_appointing_again_replaces_the_committee_and_drops_the_reviews_of_those_who_left(users, dlist):
    _appoint(dlist, users)
    retention.destruction_review(dlist, by=users["soc.officer"], agreed=False, note="ขอตรวจอีกครั้ง")
    retention.destruction_review(dlist, by=users["soc.div.clerk"], agreed=True)
    # soc.officer leaves; soc.div.clerk becomes the chair; soc.secret joins.
    _appoint(dlist, users, chair="soc.div.clerk", members=("soc.clerk", "soc.secret"))
    roles = dict(dlist.committee.values_list("official__user__username", "role"))
    assert roles == {"soc.div.clerk": "chair", "soc.clerk": "member", "soc.secret": "member"}
    reviews = dict(dlist.reviews.values_list("member__username", "role"))
    assert reviews == {"soc.div.clerk": "chair"}


# --- reviews and approval -------------------------------------------------------------------------------------


def test_an_official_not_appointed_cannot_review(users, dlist):
    with pytest.raises(ValidationError) as refused:
        retention.destruction_review(dlist, by=users["soc.clerk"], agreed=True)
    assert "เฉพาะกรรมการที่หัวหน้าส่วนราชการแต่งตั้ง" in refused.value.messages[0]
    _appoint(dlist, users)
    with pytest.raises(ValidationError):
        retention.destruction_review(dlist, by=users["soc.secret"], agreed=True)
    assert not dlist.reviews.exists()
    review = retention.destruction_review(dlist, by=users["soc.clerk"], agreed=True)
    assert review.role == CommitteeRole.CHAIR  # the role comes from the appointment


def test_approval_needs_every_appointed_member_agreeing_the_chair_included(users, dlist):
    _appoint(dlist, users)
    for name in ("soc.div.clerk", "soc.officer"):
        retention.destruction_review(dlist, by=users[name], agreed=True)
    with pytest.raises(ValidationError) as refused:
        retention.destruction_approve(dlist, by=users["soc.exec"])
    assert users["soc.clerk"].official.display_name in refused.value.messages[0]  # the chair has not reviewed
    retention.destruction_review(dlist, by=users["soc.clerk"], agreed=False, note="ยังไม่ครบถ้วน")
    with pytest.raises(ValidationError):
        retention.destruction_approve(dlist, by=users["soc.exec"])
    retention.destruction_review(dlist, by=users["soc.clerk"], agreed=True)
    retention.destruction_approve(dlist, by=users["soc.exec"])
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.APPROVED


# --- the National Archives ---------------------------------------------------------------------------------------


def test_execute_is_refused_before_the_list_is_sent(users, dlist):
    _approved(dlist, users)
    with pytest.raises(ValidationError) as refused:
        retention.destruction_execute(dlist, by=users["soc.clerk"])
    assert refused.value.messages == [retention.NOT_SENT]
    assert not IncomingItem.objects.filter(destroyed_at__isnull=False).exists()


def test_sending_needs_an_approved_list_and_a_plausible_day(users, dlist):
    with pytest.raises(ValidationError):
        retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=SENT_ON)
    _approved(dlist, users)
    with pytest.raises(PermissionDenied):
        retention.destruction_send_to_archives(dlist, by=users["soc.officer"], sent_on=SENT_ON)
    with pytest.raises(ValidationError) as refused:  # before the approval
        retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=dt.date(2026, 1, 20))
    assert "sent_on" in refused.value.message_dict
    with pytest.raises(ValidationError):  # in the future
        retention.destruction_send_to_archives(dlist, by=users["soc.clerk"], sent_on=dt.date(2026, 3, 1),
                                               now=_at(dt.date(2026, 2, 3)))
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.APPROVED and dlist.archives_sent_on is None


def test_execute_waits_for_the_archives_then_may_proceed_without_an_answer(users, dlist, settings):
    settings.EOFFICE_ARCHIVES_REPLY_DAYS = 60
    _sent(dlist, users)
    ready = SENT_ON + dt.timedelta(days=60)  # 3 April 2026
    with pytest.raises(ValidationError) as refused:
        retention.destruction_execute(dlist, by=users["soc.clerk"], now=_at(ready - dt.timedelta(days=1)))
    assert "๓ เมษายน ๒๕๖๙" in refused.value.messages[0]
    assert not IncomingItem.objects.filter(destroyed_at__isnull=False).exists()
    dlist.refresh_from_db()
    assert dlist.state == DestructionState.SENT

    result = retention.destruction_execute(dlist, by=users["soc.clerk"], now=_at(ready))
    assert result == {"destroyed": 2, "kept": 0}


def test_the_waiting_period_is_a_setting(users, dlist, settings):
    settings.EOFFICE_ARCHIVES_REPLY_DAYS = 10
    _sent(dlist, users)
    result = retention.destruction_execute(dlist, by=users["soc.clerk"], now=_at(SENT_ON + dt.timedelta(days=10)))
    assert result["destroyed"] == 2


def test_an_agreement_allows_destruction_at_once(users, dlist):
    _sent(dlist, users)
    answered = _at(dt.date(2026, 2, 20))
    retention.destruction_archives_answer(dlist, by=users["soc.clerk"], answered_on=answered.date(), now=answered)
    dlist.refresh_from_db()
    assert dlist.archives_answer == ArchivesAnswer.AGREED
    assert retention.destruction_execute(dlist, by=users["soc.clerk"], now=answered) == {"destroyed": 2, "kept": 0}


def test_items_the_archives_keep_are_not_destroyed_and_become_permanent(users, dlist):
    _sent(dlist, users)
    kept_line, other_line = dlist.lines.order_by("item_id")
    answered = _at(dt.date(2026, 2, 20))
    with pytest.raises(ValidationError):  # not a line of this list
        retention.destruction_archives_answer(dlist, by=users["soc.clerk"], keep_items=[10**9],
                                              answered_on=answered.date(), now=answered)
    retention.destruction_archives_answer(dlist, by=users["soc.clerk"], keep_items=[kept_line.item],
                                          answered_on=answered.date(), now=answered)
    dlist.refresh_from_db()
    kept_line.refresh_from_db()
    assert dlist.archives_answer == ArchivesAnswer.KEEP_SOME and kept_line.archives_keep
    assert IncomingItem.objects.get(pk=kept_line.item_id).retention == RetentionClass.PERMANENT

    result = retention.destruction_execute(dlist, by=users["soc.clerk"], now=answered)
    assert result == {"destroyed": 1, "kept": 1}
    assert IncomingItem.objects.get(pk=kept_line.item_id).destroyed_at is None
    assert IncomingItem.objects.get(pk=other_line.item_id).destroyed_at is not None
    assert retention.retention_label(IncomingItem.objects.get(pk=kept_line.item_id)) == "ห้ามทำลาย"


def test_an_answer_is_recorded_once(users, dlist):
    _sent(dlist, users)
    day = _at(dt.date(2026, 2, 20))
    retention.destruction_archives_answer(dlist, by=users["soc.clerk"], answered_on=day.date(), now=day)
    with pytest.raises(ValidationError):
        retention.destruction_archives_answer(dlist, by=users["soc.clerk"], answered_on=day.date(), now=day)
