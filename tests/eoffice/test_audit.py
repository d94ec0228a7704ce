"""History rows are chained, cannot be changed in the database, and tampering is found."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from agencies.models import Agency
from eoffice.audit import GENESIS, chain_of, verify_chain

pytestmark = pytest.mark.django_db


def _chains(model) -> dict[int, list]:
    chains: dict[int, list] = {}
    for row in model.objects.order_by("history_id"):
        chains.setdefault(chain_of(row.id), []).append(row)
    return chains


def test_each_history_row_links_to_the_one_before_in_its_chain(reference_data):
    model = Agency.history.model
    chains = _chains(model)
    assert len(chains) > 1  # records of many ids spread over several chains
    for rows in chains.values():
        assert rows[0].prev_hash == GENESIS
        assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(rows, rows[1:]))
    assert verify_chain(model) is None


def test_a_new_row_extends_the_chain_of_its_record(reference_data):
    model = Agency.history.model
    moi = Agency.objects.get(name="กระทรวงมหาดไทย")
    last_before = _chains(model)[chain_of(moi.pk)][-1]
    moi.phone = "๐ ๒๒๒๑ ๔๑๔๑"
    moi.save()
    latest = moi.history.first()
    assert latest.prev_hash == last_before.row_hash and verify_chain(model) is None


@pytest.mark.parametrize("statement", ["UPDATE {t} SET name = 'แก้ย้อนหลัง'", "DELETE FROM {t}"])
def test_update_or_delete_on_a_history_table_is_refused(reference_data, statement):
    table = Agency.history.model._meta.db_table
    before = Agency.history.model.objects.count()
    with pytest.raises(DatabaseError, match="append|เพิ่มได้อย่างเดียว"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(t=table))
    assert Agency.history.model.objects.count() == before


def test_verify_audit_finds_a_row_changed_behind_its_back(reference_data):
    model = Agency.history.model
    table = model._meta.db_table
    victim = model.objects.order_by("history_id")[5]
    call_command("verify_audit", stdout=open("/dev/null", "w"))
    # Someone with the table owner's rights turns the trigger off and edits a row.
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser bypassing triggers
        cursor.execute(f'UPDATE "{table}" SET name = %s WHERE history_id = %s', ["กระทรวงปลอม", victim.history_id])
        cursor.execute("SET session_replication_role = DEFAULT")
    broken = verify_chain(model)
    assert broken is not None and broken.history_id == victim.history_id
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=open("/dev/null", "w"))


def test_verify_audit_finds_a_deleted_row(reference_data):
    model = Agency.history.model
    table = model._meta.db_table
    rows = next(rows for rows in _chains(model).values() if len(rows) >= 2)  # a row with a later one in its chain
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(f'DELETE FROM "{table}" WHERE history_id = %s', [rows[0].history_id])
        cursor.execute("SET session_replication_role = DEFAULT")
    broken = verify_chain(model)
    assert broken is not None and broken.history_id == rows[1].history_id


def test_history_records_the_acting_user(client, reference_data, django_user_model, admin_login):
    user = django_user_model.objects.create_superuser("root", "r@example.go.th", "x-long-password-1")
    admin_login(client, user)
    moi = Agency.objects.get(name="กระทรวงมหาดไทย")
    from django.forms.models import model_to_dict

    data = {k: ("" if v is None else v) for k, v in model_to_dict(moi).items() if k not in {"id", "garuda"}}
    data.update({"phone": "๐ ๒๒๒๑ ๔๑๔๑", "letter_codes-TOTAL_FORMS": "0", "letter_codes-INITIAL_FORMS": "0",
                 "letter_codes-MIN_NUM_FORMS": "0", "letter_codes-MAX_NUM_FORMS": "1000",
                 "reminder_policies-TOTAL_FORMS": "0", "reminder_policies-INITIAL_FORMS": "0"})
    data["keeps_registers"] = "on"
    response = client.post(f"/admin/agencies/agency/{moi.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    latest = moi.history.first()
    assert latest.phone == "๐ ๒๒๒๑ ๔๑๔๑" and latest.history_user == user
