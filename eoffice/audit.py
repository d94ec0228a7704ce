"""The audit trail: django-simple-history rows, hash-chained and append-only.

Every history table holds CHAIN_SHARDS chains; a row belongs to the chain of its record's id modulo
CHAIN_SHARDS. Each row stores the SHA-256 of its own content and of the row before it in its chain,
so changing, inserting or deleting a row behind the portal's back breaks that chain at that point,
and ``manage.py verify_audit`` names it. On PostgreSQL a trigger also refuses UPDATE and DELETE on
history tables, so the portal's own database role cannot rewrite history either.

Why several chains per table: appending to a chain must be serialised until the transaction
commits (two transactions must not both extend the same last row). With one chain per table every
registration, delivery and routing in the portal queued on that one lock, whatever record it touched;
with 64 chains, unrelated records almost never wait for each other. CHAIN_SHARDS is part of the
stored format: changing it would make verify_audit report every existing chain as broken.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.apps import apps
from django.db import connections, models
from django.db.models.fields.files import FieldFile
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

GENESIS = "0" * 64
CHAIN_SHARDS = 64
CHAIN_FIELDS = {"row_hash", "prev_hash", "history_id"}


class ChainedHistory(models.Model):
    """Base of every history model: the two links of the chain."""

    prev_hash = models.CharField(max_length=64, default="", editable=False)
    row_hash = models.CharField(max_length=64, default="", editable=False)

    class Meta:
        abstract = True


def audited_history(**kwargs) -> HistoricalRecords:
    """HistoricalRecords for every model of the portal: chained, with the acting user."""
    return HistoricalRecords(bases=[ChainedHistory], **kwargs)


def is_chained(model) -> bool:
    return isinstance(model, type) and issubclass(model, ChainedHistory)


def _canonical(value):
    # One text for one value whether it was just assigned or read back from the database.
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time, Decimal, UUID)):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def row_digest(row: models.Model, prev_hash: str, without: frozenset[str] = frozenset()) -> str:
    """The row's hash over its columns (``without``: columns added to the table after the row was written,
    see ``column_eras``)."""
    content = {
        f.attname: _canonical(getattr(row, f.attname))
        for f in row._meta.concrete_fields
        if f.attname not in CHAIN_FIELDS and f.attname not in without
    }
    payload = json.dumps([prev_hash, content], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_of(record_id) -> int:
    return int(record_id) % CHAIN_SHARDS


def _lock_chain(model, shard: int, using: str) -> None:
    """Serialise appends to one chain so two transactions cannot both extend the same last row."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [model._meta.db_table, shard])
    # SQLite: IMMEDIATE transactions already hold the one write lock.


def _last_hash(model, shard: int, using: str) -> str | None:
    # Plain SQL: this runs for every history row, inside transactions that may hold a register book's
    # counter lock, where the ORM's query building would be paid by every registration in the book.
    connection = connections[using]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn('row_hash')} FROM {qn(model._meta.db_table)} WHERE {qn('id')} %% {CHAIN_SHARDS} = %s"
                       f" ORDER BY {qn('history_id')} DESC LIMIT 1", [shard])
        row = cursor.fetchone()
    return row[0] if row else None


def _link(sender, history_instance, using=None, **kwargs):
    if not is_chained(sender):
        return
    using = using or "default"
    shard = chain_of(history_instance.id)
    _lock_chain(sender, shard, using)
    history_instance.prev_hash = _last_hash(sender, shard, using) or GENESIS
    history_instance.row_hash = row_digest(history_instance, history_instance.prev_hash)


pre_create_historical_record.connect(_link, dispatch_uid="eoffice.audit.link")


def link_bulk(model, rows: list, using: str = "default") -> None:
    """Link unsaved history rows for a bulk insert, in list order (django-simple-history's bulk helpers
    send no signal). The chains are locked in ascending order, so two bulk writers cannot deadlock."""
    shards = sorted({chain_of(row.id) for row in rows})
    last = {}
    for shard in shards:
        _lock_chain(model, shard, using)
        last[shard] = _last_hash(model, shard, using) or GENESIS
    for row in rows:
        shard = chain_of(row.id)
        row.prev_hash = last[shard]
        row.row_hash = last[shard] = row_digest(row, row.prev_hash)


@dataclass(frozen=True)
class Break:
    table: str
    history_id: int
    reason: str


def chained_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if is_chained(m)]


@functools.cache
def _migration_operations() -> tuple:
    """(app label, operation) of every migration on disk, in the order the migration graph applies them."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    seen, ordered = set(), []
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                ordered.append(key)
    return tuple((app, op) for app, name in ordered for op in loader.graph.nodes[(app, name)].operations)


@functools.cache
def column_eras(model) -> tuple[frozenset[str], ...]:
    """The columns a history row of ``model`` may have been hashed without: one set per era of the table,
    newest first, each holding the columns added since that era (the first is empty: every column).

    A row is hashed over the columns its table has when it is written. A column added later (a migration's
    AddField) gets a value in the old rows too, which their stored hash never covered: without this those rows
    would read as tampered after every such upgrade. Eras come from the migrations themselves, so nothing
    has to be remembered when a column is added; a migration removing or renaming a column of a history
    table would make old rows unverifiable, and a test refuses one."""
    app_label, name = model._meta.app_label, model._meta.model_name
    added: list[set[str]] = []
    for app, op in _migration_operations():
        if app != app_label or getattr(op, "model_name", getattr(op, "name", "")).lower() != name:
            continue
        if op.__class__.__name__ == "CreateModel":
            added = []  # the table as first created: no era before it
        elif op.__class__.__name__ == "AddField":
            try:
                attname = model._meta.get_field(op.name).attname
            except Exception:  # noqa: BLE001 - a column since removed is not hashed at all
                continue
            added.append({attname})
    eras, since = [frozenset()], set()
    for columns in reversed(added):
        since |= columns
        eras.append(frozenset(since))
    return tuple(eras)


def _row_era(row, eras, oldest_allowed: int) -> int | None:
    """Index of the era whose columns the row's hash covers (0: all of today's), or None if none does.
    Eras only move forward in history order: a row cannot be older than one written before it."""
    for era in range(0, oldest_allowed + 1):
        if row.row_hash == row_digest(row, row.prev_hash, eras[era]):
            return era
    return None


def verify_chain(model, using: str = "default") -> Break | None:
    """The first row (in history order) whose links do not hold, or None."""
    expected_prev: dict[int, str] = {}
    eras = column_eras(model)
    oldest_allowed = len(eras) - 1  # lowered to the era of each row verified: eras never go back
    for row in model.objects.using(using).order_by("history_id").iterator(chunk_size=2000):
        shard = chain_of(row.id)
        if row.prev_hash != expected_prev.get(shard, GENESIS):
            return Break(model._meta.db_table, row.history_id, "ลิงก์ไปยังแถวก่อนหน้าไม่ตรงกัน (มีแถวถูกลบหรือแทรก)")
        era = _row_era(row, eras, oldest_allowed)
        if era is None:
            return Break(model._meta.db_table, row.history_id, "เนื้อหาของแถวถูกแก้ไขหลังบันทึก")
        oldest_allowed = era
        expected_prev[shard] = row.row_hash
    return None


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION eoffice_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ประวัติการแก้ไขเป็นแบบเพิ่มได้อย่างเดียว: % บนตาราง % ถูกปฏิเสธ', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def install_append_only_triggers(using: str = "default") -> int:
    """Refuse UPDATE and DELETE on every history table (PostgreSQL). Idempotent; run after migrate."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    tables = [m._meta.db_table for m in chained_models()]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in tables:
            if table not in existing:
                continue
            cursor.execute(f'DROP TRIGGER IF EXISTS eoffice_append_only ON "{table}"')
            cursor.execute(
                f'CREATE TRIGGER eoffice_append_only BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION eoffice_history_append_only()"
            )
    return len(tables)
