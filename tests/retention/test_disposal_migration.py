"""Migration 0012: reviews left on draft destruction lists from before the appointed committee are removed
(kept in the audit history); approved lists stay approved, waiting for the National Archives step."""
import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from correspondence.models import (
    DestructionCommitteeMember,
    DestructionList,
    DestructionReview,
    DestructionState,
)
from correspondence.services import retention
from eoffice.audit import verify_chain
from eoffice.thai import BANGKOK

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("correspondence", "0011_reminder_kind_present")]
AFTER = [("correspondence", "0012_disposal_reviews_without_appointment")]
REASON = importlib.import_module("correspondence.migrations.0012_disposal_reviews_without_appointment").REASON

T0 = dt.datetime(2026, 1, 20, 10, 0, tzinfo=BANGKOK)  # reviews recorded under the old procedure
T1 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK)  # the head appoints a committee (new procedure)
T2 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BANGKOK)  # an appointed member reviews


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    # Going back to 0011 also unapplies every later migration: the tests after these need them again.
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _review(dlist, user, role, at):
    return DestructionReview.objects.create(destruction_list=dlist, member=user, role=role, agreed=True,
                                            reviewed_at=at)


def _list(units, year, **fields):
    return DestructionList.objects.create(unit=units["สลค."], year=year, drafted_at=T0, **fields)


def test_reviews_on_drafts_without_an_appointment_go_and_approved_lists_keep_their_state(users, units):
    _migrate(BEFORE)
    head = users["soc.exec"]
    # A draft where two officials recorded themselves as members (no appointment existed then).
    old_draft = _list(units, 2568)
    gone = [_review(old_draft, users["soc.clerk"], "chair", T0), _review(old_draft, users["soc.officer"], "member", T0)]
    # A draft the head has since appointed a committee for: soc.officer's review predates the appointment.
    appointed = _list(units, 2567)
    for official, role in ((users["soc.div.clerk"], "chair"), (users["soc.officer"], "member"),
                           (users["soc.secret"], "member")):
        DestructionCommitteeMember.objects.create(destruction_list=appointed, official=official.official, role=role,
                                                  appointed_by=head, appointed_at=T1)
    gone.append(_review(appointed, users["soc.officer"], "member", T0))
    kept = _review(appointed, users["soc.div.clerk"], "chair", T2)
    # Approved under the old procedure, never sent to the National Archives.
    approved = _list(units, 2566, state=DestructionState.APPROVED, approved_by=head, approved_at=T0)
    approved_review = _review(approved, users["soc.clerk"], "chair", T0)

    _migrate(AFTER)

    assert not old_draft.reviews.exists()
    assert list(appointed.reviews.all()) == [kept]
    assert [o.pk for o in retention.committee_pending(appointed)] == [users["soc.officer"].official.pk,
                                                                      users["soc.secret"].official.pk]
    approved.refresh_from_db()
    assert list(approved.reviews.all()) == [approved_review]
    assert approved.state == DestructionState.APPROVED and approved.archives_sent_on is None
    assert not retention.destruction_may_execute(approved)  # still waits for the Archives step

    # Nothing is lost: each removed review's deletion is in its audit chain, with the reason.
    History = DestructionReview.history.model
    deleted = History.objects.filter(history_type="-")
    assert sorted(deleted.values_list("id", flat=True)) == sorted(r.pk for r in gone)
    assert set(deleted.values_list("history_change_reason", flat=True)) == {REASON}
    assert History.objects.filter(id=gone[0].pk, history_type="+").exists()
    assert verify_chain(History) is None

    # The reverse changes nothing, and running it again removes nothing more.
    _migrate(BEFORE)
    _migrate(AFTER)
    assert DestructionReview.objects.count() == 2 and deleted.count() == 3
