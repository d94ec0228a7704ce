"""History written before a migration added columns still verifies after it: a row's hash covers the
columns its table had when it was written (audit.column_eras), and the eras only move forward."""
import pytest
from django.db import connection

from correspondence.models import Channel, IncomingItem
from correspondence.services import receiving
from eoffice import audit

pytestmark = pytest.mark.django_db

HISTORY = IncomingItem.history.model


def _receive(users, units, subject):
    return receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject=subject, sender_text="กระทรวงการคลัง")


def _written_before_the_columns(monkeypatch, era_index=-1):
    """Rows hashed now are hashed as the table was before its later columns were added."""
    eras = audit.column_eras(HISTORY)
    original = audit.row_digest
    monkeypatch.setattr(audit, "row_digest",
                        lambda row, prev_hash, without=frozenset(): original(row, prev_hash, eras[era_index]))
    return original


def _tamper(history_id, column, value):
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser bypassing the trigger
        cursor.execute(f'UPDATE "{HISTORY._meta.db_table}" SET {column} = %s WHERE history_id = %s',
                       [value, history_id])
        cursor.execute("SET session_replication_role = DEFAULT")


def test_the_migrations_tell_which_columns_came_later():
    eras = audit.column_eras(HISTORY)
    assert eras[0] == frozenset()  # today's rows: every column
    # 0002 and 0004 added these to the incoming items after the table was made.
    assert {"retention_years", "on_hold", "rejected_reason"} <= eras[-1]
    assert all(a < b for a, b in zip(eras, eras[1:]))


def test_rows_written_before_an_upgrade_verify_after_it(users, units, monkeypatch):
    original = _written_before_the_columns(monkeypatch)
    old = _receive(users, units, "ก่อนปรับรุ่น")
    monkeypatch.setattr(audit, "row_digest", original)
    # Without the eras this row reads as changed: its hash does not cover today's columns.
    row = old.history.first()
    assert row.row_hash != audit.row_digest(row, row.prev_hash)
    _receive(users, units, "หลังปรับรุ่น")
    assert audit.verify_chain(HISTORY) is None


def test_an_old_row_changed_behind_its_back_is_still_found(users, units, monkeypatch):
    original = _written_before_the_columns(monkeypatch)
    old = _receive(users, units, "ก่อนปรับรุ่น")
    monkeypatch.setattr(audit, "row_digest", original)
    victim = old.history.first()
    _tamper(victim.history_id, "subject", "เรื่องที่แก้ย้อนหลัง")
    broken = audit.verify_chain(HISTORY)
    assert broken is not None and broken.history_id == victim.history_id


def test_a_late_column_of_a_new_row_is_covered(users, units):
    row = _receive(users, units, "หลังปรับรุ่น").history.first()
    _tamper(row.history_id, "retention_years", 99)
    broken = audit.verify_chain(HISTORY)
    assert broken is not None and broken.history_id == row.history_id


def test_a_row_hashed_as_older_than_the_row_before_it_is_found(users, units, monkeypatch):
    _receive(users, units, "หลังปรับรุ่น")
    _written_before_the_columns(monkeypatch)
    # Forged or inserted: a row claiming the old table after rows of the new one were written.
    late = _receive(users, units, "แทรกทีหลัง").history.first()
    monkeypatch.undo()
    broken = audit.verify_chain(HISTORY)
    assert broken is not None and broken.history_id == late.history_id


def test_no_migration_removes_or_renames_a_history_column():
    # Old rows' hashes cover such a column: without its value they could never be verified again.
    offending = [(app, op.describe()) for app, op in audit._migration_operations()
                 if op.__class__.__name__ in ("RemoveField", "RenameField")
                 and op.model_name.lower().startswith("historical")]
    assert offending == []
