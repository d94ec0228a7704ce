"""The SQL of one registration, run by pgbench itself: the most any client can reach on this machine.

A registration writes, in one transaction under the book's counter lock: the counter (UPDATE … RETURNING),
the register line, its history row (after the audit chain's advisory lock and the chain's last hash) and
its search row. Here the same locks and writes, with the same tables and indexes, are run by pgbench (a C
client with no application code) in two forms:

- ``statements``: one statement a round trip, as any client library sends them, the portal included;
- ``one_call``: the same statements in a PL/pgSQL function, one round trip a registration (the fastest
  form a registration can take; the lock is held only while the server runs it);
- ``bare_minimum``: only what the numbering rule itself asks, the counter and the line in one transaction,
  with no history and no search row, as one statement (``WITH … UPDATE … RETURNING`` feeding the INSERT;
  it measured as fast as the same two statements in a PL/pgSQL function).

The history digest is computed in SQL over the line's text (the portal hashes the row's canonical JSON
in Python); the rows, locks and indexes are the same. Column lists come from the models, so a column
added later is filled with its default.
"""
from __future__ import annotations

import os
import re
import subprocess
import tempfile

from django.db import connection

FUNCTION = "bench_registration"
SUBJECT = "หนังสือทดสอบความเร็วการลงทะเบียน"

# The tokens of the statements, written for each form.
PLPGSQL = {"num": "v_num", "eid": "v_eid", "prev": "v_prev", "book": "p_book", "unit": "p_unit", "subject": "p_subject"}
PGBENCH = {"num": ":num", "eid": ":eid", "prev": "':prev'", "book": ":book", "unit": ":unit",
           "subject": f"'{SUBJECT}'"}


def _literal(value) -> str:
    from psycopg import sql

    return sql.Literal(value).as_string(connection.connection)


def _insert(model, given: dict[str, str], source: str = "") -> str:
    """INSERT of one row of ``model``: the columns in ``given`` as written, every other column its default
    (NULL where nullable), the auto primary key left to its sequence; ``source``: the values are SELECTed
    from it instead."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in given:
            columns.append(field.column)
            values.append(given[field.column])
        elif field.primary_key:
            continue
        else:
            columns.append(field.column)
            values.append("NULL" if field.null else _literal(field.get_db_prep_value(field.get_default(), connection)))
    rows = f"SELECT {', '.join(values)} FROM {source}" if source else f"VALUES ({', '.join(values)})"
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) {rows}"


def _counter() -> str:
    from correspondence.models import RegisterBook

    return f"UPDATE {RegisterBook._meta.db_table} SET last_number = last_number + 1 WHERE id = {{book}} RETURNING last_number"


def _line(num: str = "{num}", source: str = "") -> str:
    from correspondence.models import RegisterEntry

    return _insert(RegisterEntry, {"book_id": "{book}", "number": num, "subject": "{subject}",
                                   "registered_at": "now()"}, source)


def bare_minimum_sql() -> str:
    """The counter and the line in one statement, for pgbench."""
    return _render(f"WITH counter AS ({_counter()}) {_line('counter.last_number', 'counter')}", PGBENCH) + ";\n"


def statements() -> list[tuple[str, str | None]]:
    """(SQL with {tokens}, the token its one returned value is kept in, or None), in the portal's order."""
    from correspondence.models import RegisterEntry, SearchDocument
    from eoffice.audit import CHAIN_SHARDS, GENESIS

    history = RegisterEntry.history.model
    table = history._meta.db_table
    now = "now()"
    digest = f"encode(sha256(convert_to(concat_ws('|', {{prev}}, {{num}}, {{subject}}, {now}), 'UTF8')), 'hex')"
    history_row = _insert(history, {"id": "{eid}", "prev_hash": "{prev}", "row_hash": digest, "book_id": "{book}",
                                    "number": "{num}", "subject": "{subject}", "registered_at": now,
                                    "history_date": now, "history_type": "'+'"})
    search_row = _insert(SearchDocument, {"kind": "'entry'", "entry_id": "{eid}", "unit_id": "{unit}", "at": now,
                                          "title": "{subject}", "text": "{subject}", "updated_at": now})
    return [
        (_counter(), "num"),
        (_line() + " RETURNING id", "eid"),
        (f"SELECT pg_advisory_xact_lock(hashtext('{table}'), ({{eid}} % {CHAIN_SHARDS})::int)", None),
        (f"SELECT coalesce((SELECT row_hash FROM {table} WHERE MOD(id, {CHAIN_SHARDS}) = {{eid}} % {CHAIN_SHARDS}"
         f" ORDER BY history_id DESC LIMIT 1), '{GENESIS}')", "prev"),
        (history_row, None),
        (search_row, None),
    ]


def _render(sql: str, tokens: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: tokens[m.group(1)], sql)


def pgbench_script() -> str:
    lines = ["BEGIN;"]
    for sql, keep in statements():
        sql = _render(sql, PGBENCH)
        lines.append(f"{sql} AS {keep} \\gset" if keep else f"{sql};")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def function_sql() -> str:
    body = []
    for sql, keep in statements():
        sql = _render(sql, PLPGSQL)
        if keep is None:
            body.append(f"  PERFORM {sql[len('SELECT '):]};" if sql.startswith("SELECT") else f"  {sql};")
        elif sql.startswith("SELECT"):
            body.append(f"  v_{keep} := ({sql});")
        else:
            body.append(f"  {sql} INTO v_{keep};")
    return (f"CREATE OR REPLACE FUNCTION {FUNCTION}(p_book bigint, p_unit bigint, p_subject text) RETURNS bigint"
            " AS $$\nDECLARE v_num bigint; v_eid bigint; v_prev text;\nBEGIN\n" + "\n".join(body)
            + "\n  RETURN v_num;\nEND $$ LANGUAGE plpgsql")


def _pgbench(script: str, clients: int, seconds: int, pg_bin, pg_args, variables: dict) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as f:
        f.write(script)
    try:
        run = [pg_bin("pgbench"), "-n", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
               "-T", str(seconds), "-f", f.name]
        for name, value in variables.items():
            run += ["-D", f"{name}={value}"]
        out = subprocess.run([*run, *pg_args], capture_output=True, text=True)
        if out.returncode != 0 or "aborted" in out.stderr:
            raise RuntimeError(f"pgbench failed: {out.stderr[-1000:]}")
        return float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out.stdout).group(1))
    finally:
        os.unlink(f.name)


def ceiling(book, clients: int, seconds: int, pg_bin, pg_args) -> dict:
    """pgbench running the registration in both forms on ``book`` (a book no one else writes to), and
    whether the book's numbers are still exactly 1..n afterwards."""
    from correspondence.models import RegisterEntry

    variables = {"book": book.pk, "unit": book.unit_id}
    with connection.cursor() as cursor:
        cursor.execute(function_sql())
    try:
        scripts = {"statements": pgbench_script(), "one_call": f"SELECT {FUNCTION}(:book, :unit, '{SUBJECT}');\n",
                   "bare_minimum": bare_minimum_sql()}
        result = {}
        for form, script in scripts.items():
            # A short run first: the first seconds on fresh tables and a fresh function run slower.
            _pgbench(script, clients, 2, pg_bin, pg_args, variables)
            result[form] = _pgbench(script, clients, seconds, pg_bin, pg_args, variables)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint, bigint, text)")
    numbers = list(RegisterEntry.objects.filter(book=book).order_by("number").values_list("number", flat=True))
    result["gap_free"] = numbers == list(range(1, len(numbers) + 1))
    result["lines"] = len(numbers)
    return result
