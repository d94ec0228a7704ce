"""Registry benchmark (issue #3). Needs PostgreSQL: run under scripts/with-services.

1. Numbering throughput: 16 concurrent clients (processes, each its own connection) registering
   lines in ONE book through ``numbering.entry_register`` (the counter row lock, the entry and its
   chained history row), for a fixed time; compared with this machine's ``pgbench`` at 16 clients
   doing single-row updates: (a) all on one row (the same hot-row lock numbering queues on) and
   (b) pgbench's built-in ``simple-update`` (random rows). Target: numbering / pgbench ≥ 0.5. For scale, the
   same hot-row UPDATE from 16 bare psycopg processes (no Django, no entry): what any Python client can reach;
   and pgbench itself running a registration's own locks and writes (``registration_sql``), statement by
   statement and as one server-side call: what any client at all can reach with those writes.
2. The register-line list API (``GET /api/v1/entries/``) over 1,000,000 lines, for a non-superuser
   (soc.exec) holding object grants on 5,000 classified items: p95 latency (target ≤ 50 ms) and the
   number of queries per request at page sizes 10, 50 and 200 (must not change); and the drafting page's
   reference choices over the same lines.

Rows are made with INSERT … SELECT generate_series (seconds, not hours).

    scripts/with-services .venv/bin/python bench/bench_registry.py [--seconds 10] [--entries 1000000]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eoffice.settings")

CLIENTS = 16


def _django():
    import django

    django.setup()


def _pg_args():
    url = urlparse(os.environ["DATABASE_URL"])
    return ["-h", url.hostname, "-p", str(url.port or 5432), "-U", url.username, url.path.lstrip("/")]


def _pg_bin(name):
    return str(Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / name)


def _tps(output: str) -> float:
    m = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    return float(m.group(1))


def pgbench(seconds: int) -> dict[str, float]:
    args = _pg_args()
    subprocess.run([_pg_bin("psql"), "-q", *args, "-c",
                    "DROP TABLE IF EXISTS bench_counter; CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint);"
                    "INSERT INTO bench_counter VALUES (1, 0);"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write("UPDATE bench_counter SET n = n + 1 WHERE id = 1;\n")
        script = f.name
    run = [_pg_bin("pgbench"), "-n", "-c", str(CLIENTS), "-j", str(min(CLIENTS, os.cpu_count() or 1)),
           "-T", str(seconds)]
    hot = subprocess.run([*run, "-f", script, *args], capture_output=True, text=True, check=True).stdout
    python = python_hot_row(seconds)  # on the same one-row table, before pgbench -i replaces the schema's tables
    subprocess.run([_pg_bin("pgbench"), "-i", "-q", "-s", "10", *args], capture_output=True, check=True)
    simple = subprocess.run([*run, "-b", "simple-update", *args], capture_output=True, text=True, check=True).stdout
    return {"hot_row": _tps(hot), "simple_update": _tps(simple), "python_hot_row": python}


def _bare_client(seconds, ready, go, queue):
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        cursor = conn.cursor()
        ready.put(1)
        go.wait()
        done, deadline_at = 0, time.time() + seconds
        while time.time() < deadline_at:
            cursor.execute("UPDATE bench_counter SET n = n + 1 WHERE id = 1")
            done += 1
    queue.put(done)


def python_hot_row(seconds: int) -> float:
    """The ceiling for any client written in Python on this machine: CLIENTS processes doing nothing but
    pgbench's hot-row UPDATE through psycopg (no Django, no entry, no history), per second."""
    ctx = mp.get_context("fork")
    queue, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_bare_client, args=(seconds, ready, go, queue)) for _ in range(CLIENTS)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    go.set()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def _client(unit_id, seconds, ready, go, queue):
    _django()
    from django.db import connections

    from agencies.models import Agency
    from correspondence.models import BookKind
    from correspondence.services import numbering

    unit = Agency.objects.get(pk=unit_id)
    # One registration before the clock: connection, code paths and the search segmenter's dictionary
    # are warm, as in a long-running worker.
    numbering.entry_register(unit=unit, kind=BookKind.OUTGOING, subject="เตรียมระบบ")
    ready.put(1)
    go.wait()
    done, deadline_at = 0, time.time() + seconds
    while time.time() < deadline_at:
        numbering.entry_register(unit=unit, kind=BookKind.OUTGOING, subject=f"ทดสอบ {done}")
        done += 1
    connections.close_all()
    queue.put(done)


def numbering_throughput(seconds: int, clients: int | None = None) -> tuple[float, bool]:
    from django.db import connections

    from agencies.models import Agency
    from correspondence.models import BookKind, RegisterEntry

    unit = Agency.objects.get(short_name="ศทส.")
    connections.close_all()
    ctx = mp.get_context("fork")
    queue, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_client, args=(unit.pk, seconds, ready, go, queue)) for _ in range(clients or CLIENTS)]
    for p in procs:
        p.start()
    for _ in procs:  # every process connected and warm before the clock starts
        ready.get()
    go.set()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    numbers = sorted(RegisterEntry.objects.filter(book__unit=unit, book__kind=BookKind.OUTGOING)
                     .values_list("number", flat=True))
    return total / seconds, numbers == list(range(1, len(numbers) + 1))


def fill_entries(n: int) -> dict:
    """n register lines over ten yearly books of สลค. (incoming and outgoing), 2% classified lines
    tied to 10,000 classified items, 5,000 of them granted to soc.exec."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from agencies.models import Agency
    from correspondence.models import BookKind, IncomingItem, IncomingItemUserGrant, RegisterBook, RegisterEntry

    soc = Agency.objects.get(short_name="สลค.")
    user = get_user_model().objects.get(username="soc.exec")
    books = [RegisterBook.objects.get_or_create(unit=soc, kind=kind, prefix="", year=year)[0].pk
             for year in range(2560, 2570) for kind in (BookKind.INCOMING, BookKind.OUTGOING)]
    perm = Permission.objects.get(codename="view_incomingitem")
    items, entries, grants = IncomingItem._meta.db_table, RegisterEntry._meta.db_table, IncomingItemUserGrant._meta.db_table
    # Columns other features add (NOT NULL, with a model default) get that default.
    named = {"id", "unit", "channel", "state", "their_number", "their_number_key", "sender_text", "addressee",
             "subject", "urgency", "secrecy", "pdf", "message_id", "received_at", "receipt_number", "filed_at"}
    extra = [f for f in IncomingItem._meta.concrete_fields if f.name not in named and not f.null]
    extra_columns = "".join(f", {f.column}" for f in extra)
    extra_values = [f.get_db_prep_value(f.get_default(), connection) for f in extra]
    t0 = time.time()
    with connection.cursor() as c:
        c.execute(f"SELECT coalesce(max(id), 0) FROM {items}")
        before = c.fetchone()[0]
        c.execute(f"""
            INSERT INTO {items} (unit_id, channel, state, their_number, their_number_key, sender_text, addressee,
                subject, urgency, secrecy, pdf, message_id, received_at, receipt_number, filed_at{extra_columns})
            SELECT %s, 'scan', 'registered', 'กห ๐๒๐๑/' || g, 'กห0201/' || g, 'กระทรวงกลาโหม', '',
                'เรื่องลับที่ ' || g, 0, 1 + g %% 2, '', '', now(), g::text, ''{", %s" * len(extra)}
            FROM generate_series(1, 10000) g""", [soc.pk, *extra_values])
        c.execute(f"SELECT min(id) FROM {items} WHERE id > %s", [before])
        first_item = c.fetchone()[0]
        c.execute(f"""
            INSERT INTO {grants} (permission_id, user_id, content_object_id)
            SELECT %s, %s, id FROM {items} WHERE id >= %s AND id < %s + 5000""", [perm.pk, user.pk, first_item, first_item])
        c.execute(f"""
            INSERT INTO {entries} (book_id, number, status, their_number, dated, from_text, to_text, subject,
                action_taken, remarks, void_reason, secrecy, urgency, registered_at, item_id)
            SELECT (%s::bigint[])[1 + (g %% %s)], g, 'active', 'นร ๐๕๐๖/' || g, DATE '2020-01-01' + (g %% 3000),
                'กระทรวงมหาดไทย', 'สำนักเลขาธิการคณะรัฐมนตรี', 'เรื่องที่ ' || g, '', '', '',
                CASE WHEN g %% 50 = 0 THEN 1 + (g / 50) %% 2 ELSE 0 END, g %% 4,
                TIMESTAMPTZ '2017-01-01' + (g || ' minutes')::interval,
                CASE WHEN g %% 50 = 0 THEN %s + (g / 50) %% 10000 END
            FROM generate_series(1, %s) g""", [books, len(books), first_item, n])
    with connection.cursor() as c:
        # What autovacuum would have done by the time anyone reads: statistics, hint bits, visibility map.
        for table in (entries, items, grants):
            c.execute(f"VACUUM (ANALYZE) {table}")
    return {"seconds": time.time() - t0, "user": user}


def list_latency(user, requests: int) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    queries = {}
    for size in (10, 50, 200):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/api/v1/entries/", {"page_size": size})
        assert r.status_code == 200 and len(r.json()["results"]) == size, r.content[:300]
        queries[size] = len(ctx.captured_queries)
    timings = {}
    for label, params in (("first page", {"page_size": 50}), ("year 2567", {"page_size": 50, "year": 2567})):
        for _ in range(20):  # warm the connection, caches and code paths
            client.get("/api/v1/entries/", params)
        samples, db = [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                r = client.get("/api/v1/entries/", params)
                samples.append((time.perf_counter() - t) * 1000)
            db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            assert r.status_code == 200
        # the next page through the cursor, too
        nxt = client.get("/api/v1/entries/", params).json()["next"]
        t = time.perf_counter()
        assert client.get(nxt).status_code == 200
        samples.sort()
        timings[label] = {"p50": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1],
                          "db_p50": statistics.median(db),
                          "next_page": (time.perf_counter() - t) * 1000}
    reset_queries()
    return {"queries": queries, "timings": timings}


def main():
    global CLIENTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--skip-numbering", action="store_true")
    parser.add_argument("--skip-list", action="store_true")
    args = parser.parse_args()
    CLIENTS = args.clients
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_registry needs PostgreSQL: scripts/with-services .venv/bin/python bench/bench_registry.py")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    _django()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.EOFFICE_DEMO_DATA = True
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    from agencies.demo import demo_data_load

    demo_data_load()

    if args.skip_numbering:
        tps = None
    else:
        alone, _ = numbering_throughput(max(2, args.seconds // 2), clients=1)
        tps, gap_free = numbering_throughput(args.seconds)
    if tps is not None:
        print(f"numbering, one client alone: {alone:,.0f} numbers/s ({1000 / alone:.1f} ms a registration)")
        ceiling = registration_ceiling(args.seconds)
        report_numbering(tps, gap_free, pgbench(args.seconds), ceiling)
    if not args.skip_list:
        list_bench(args)


def registration_ceiling(seconds: int) -> dict:
    """pgbench running the registration's SQL on a book of its own (the incoming book of the same unit)."""
    from agencies.models import Agency
    from correspondence.models import BookKind
    from correspondence.services import numbering
    from registration_sql import ceiling

    book = numbering.book_open(Agency.objects.get(short_name="ศทส."), BookKind.INCOMING)
    return ceiling(book, CLIENTS, seconds, _pg_bin, _pg_args())


def report_numbering(tps, gap_free, pg, ceiling):
    print(f"numbering, {CLIENTS} clients, one book: {tps:,.0f} numbers/s (gap-free 1..n: {gap_free})")
    print(f"pgbench, {CLIENTS} clients, single-row update of one hot row: {pg['hot_row']:,.0f} tps"
          f"  → ratio {tps / pg['hot_row']:.2f} (target ≥ 0.5)")
    print(f"pgbench, {CLIENTS} clients, built-in simple-update (random rows): {pg['simple_update']:,.0f} tps"
          f"  → ratio {tps / pg['simple_update']:.2f}")
    print(f"a bare Python client, {CLIENTS} processes doing only the hot-row UPDATE through psycopg: "
          f"{pg['python_hot_row']:,.0f}/s (ratio {pg['python_hot_row'] / pg['hot_row']:.2f} to pgbench), the most a"
          f" client in Python reaches on these {os.cpu_count()} CPUs")
    target = 0.5 * pg["hot_row"]
    print(f"pgbench, {CLIENTS} clients, running a registration's own locks and writes (counter, line, chained history"
          f" row, search row; {ceiling['lines']:,} lines, gap-free 1..n: {ceiling['gap_free']}):")
    for label, key in (("statement by statement, as every client sends them", "statements"),
                       ("as one server-side call, the fastest form", "one_call"),
                       ("the counter and the line alone (no history, no search row), one statement", "bare_minimum")):
        print(f"  {label}: {ceiling[key]:,.0f} tps → ratio {ceiling[key] / pg['hot_row']:.2f} to the hot row;"
              f" the portal reaches {tps / ceiling[key]:.2f} of it")
    full = max(ceiling["statements"], ceiling["one_call"])
    print(f"  the target, 0.5 × the hot row = {target:,.0f} numbers/s, is {target / full:.1f} × what pgbench itself reaches"
          f" with a registration's writes, and {target / ceiling['bare_minimum']:.1f} × with the counter and the line alone")


def list_bench(args):
    filled = fill_entries(args.entries)
    print(f"filled {args.entries:,} register lines + 10,000 classified items + 5,000 grants in {filled['seconds']:.1f} s")
    result = list_latency(filled["user"], args.requests)
    print(f"GET /api/v1/entries/ as soc.exec (non-superuser with grants), {args.requests} requests each:")
    for label, t in result["timings"].items():
        print(f"  {label}: p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms (target ≤ 50), next page {t['next_page']:.1f} ms;"
              f" time in the database p50 {t['db_p50']:.1f} ms")
    q = result["queries"]
    print(f"  queries per request at page size 10/50/200: {q[10]}/{q[50]}/{q[200]}"
          f" ({'constant' if len(set(q.values())) == 1 else 'NOT constant'})")
    print("reference choices of the drafting page (the newest 200 lines one may cite) over the same lines:")
    for username in ("soc.exec", "mfa.drafter"):
        p50, p95, n = reference_choices_latency(username)
        print(f"  {username}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({n} lines offered)")


def reference_choices_latency(username: str, requests: int = 40) -> tuple[float, float, int]:
    from django.contrib.auth import get_user_model

    from correspondence.selectors_portal import reference_choices

    user = get_user_model().objects.get(username=username)
    samples = []
    for _ in range(requests + 5):
        t = time.perf_counter()
        lines = reference_choices(user)
        samples.append((time.perf_counter() - t) * 1000)
    samples = sorted(samples[5:])
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(lines)


if __name__ == "__main__":
    main()
