"""The officials' lists with 1,000,000 incoming items (issue 7, acceptance 5). Needs PostgreSQL: run under
scripts/with-services.

For soc.exec (a non-superuser of สลค. holding object grants on 5,000 classified items), server-side
latency through the whole Django stack (test client, in process), p50/p95 over N requests each:

1. the incoming queue: the page /incoming/ (correspondence.views.incoming.queue, 50 a page, most urgent
   first) if the portal has it, else GET /api/v1/items/?page_size=50 (selectors.item_list); target
   p95 ≤ 100 ms;
2. search: GET /search/?q=… for a word inside Thai compounds, a sender's number typed with Arabic
   digits (the item has Thai digits), two words typed without a space, a word only in PDF text;
   target p95 ≤ 300 ms.

The data: 1,000,000 items over ten years in every unit (สลค. 30 %, its divisions 10 % each, the rest
spread), 80 % closed, 2 % classified, urgency 70/15/10/5 %; subjects and PDF text built from a Thai
vocabulary, their numbers in Thai digits. Rows are made with INSERT … SELECT generate_series, and the
search documents the same way; a sample of them is checked against what
correspondence.services.search writes for the same item, so the bench measures the real rows.

    scripts/with-services .venv/bin/python bench/bench_lists.py [--items 1000000] [--requests 100]
"""
from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eoffice.settings")

QUEUE_TARGET_MS = 100
SEARCH_TARGET_MS = 300
GRANTS = 5000
EXPLAIN = False

PREFIXES = ["ขอความเห็น", "ขอเชิญประชุม", "ขอความอนุเคราะห์", "แจ้งผลการพิจารณา", "ขอส่งรายงาน", "ขออนุมัติ",
            "ขอนำส่ง", "ขอหารือ", "ขอทราบผล", "ขอเชิญเข้าร่วมสัมมนา", "ขอประชาสัมพันธ์", "ขอเสนอชื่อ"]
TOPICS = ["งบประมาณรายจ่ายประจำปี", "การจัดซื้อจัดจ้างภาครัฐ", "หัวหน้าส่วนราชการ", "การบริหารราชการแผ่นดิน",
          "ข้าราชการพลเรือนสามัญ", "แผนปฏิบัติการดิจิทัล", "การพัฒนาบุคลากร", "โครงการชลประทาน",
          "การป้องกันและบรรเทาสาธารณภัย", "การส่งเสริมการท่องเที่ยว", "มาตรฐานสินค้าเกษตร",
          "การบริหารความเสี่ยง", "การตรวจสอบภายใน", "ร่างพระราชบัญญัติ", "ร่างระเบียบสำนักนายกรัฐมนตรี",
          "มติคณะรัฐมนตรี", "ความร่วมมือระหว่างประเทศ", "การค้าชายแดน", "สวัสดิการสังคม", "การศึกษาขั้นพื้นฐาน",
          "ระบบสาธารณสุข", "พลังงานทดแทน", "การขนส่งทางราง", "ทรัพยากรน้ำ", "การจัดการขยะมูลฝอย",
          "การปราบปรามยาเสพติด", "การคุ้มครองผู้บริโภค", "การเลือกตั้งท้องถิ่น", "วันหยุดราชการประจำปี",
          "การประเมินผลการปฏิบัติงาน", "อัตรากำลังคน", "การฝึกอบรมหลักสูตรนักบริหาร", "ทุนการศึกษา",
          "การรักษาความปลอดภัย", "ระบบสารบรรณอิเล็กทรอนิกส์", "การเบิกจ่ายเงิน", "การโอนงบประมาณ",
          "การติดตามประเมินผล", "ข้อร้องเรียนของประชาชน", "การจัดงานพระราชพิธี"]
SENTENCES = ["ตามหนังสือที่อ้างถึงขอให้พิจารณาเสนอความเห็นในส่วนที่เกี่ยวข้อง",
             "เพื่อประกอบการพิจารณาของคณะรัฐมนตรี",
             "จึงเรียนมาเพื่อโปรดทราบและพิจารณาดำเนินการต่อไปด้วย",
             "ทั้งนี้ ขอให้แจ้งผลภายในสิบห้าวันนับแต่วันที่ได้รับหนังสือนี้",
             "โดยได้แนบรายละเอียดมาพร้อมนี้",
             "ตามระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ",
             "ในการนี้ ได้มอบหมายให้ผู้แทนเข้าร่วมประชุมแล้ว",
             "หน่วยงานได้จัดทำแผนปฏิบัติการประจำปีเรียบร้อยแล้ว",
             "ซึ่งได้รับความเห็นชอบจากที่ประชุมคณะกรรมการแล้ว",
             "โปรดประสานเจ้าหน้าที่ผู้รับผิดชอบโดยตรง",
             "ขอขอบคุณในความร่วมมือมา ณ โอกาสนี้",
             "รายละเอียดปรากฏตามสิ่งที่ส่งมาด้วย"]
SENDERS = ["กระทรวงการคลัง", "กระทรวงมหาดไทย", "กระทรวงการต่างประเทศ", "กระทรวงกลาโหม", "กระทรวงศึกษาธิการ",
           "กระทรวงสาธารณสุข", "กระทรวงพาณิชย์", "กระทรวงคมนาคม", "กระทรวงเกษตรและสหกรณ์", "กระทรวงแรงงาน",
           "สำนักงบประมาณ", "สำนักงานคณะกรรมการข้าราชการพลเรือน", "กรมบัญชีกลาง"]
CODES = ["กค", "มท", "กต", "กห", "ศธ", "สธ", "พณ", "คค", "กษ", "รง", "นร", "นร", "กค"]

# (label, query, what it shows)
SEARCHES = [
    ("compound", "ราชการ", "a word inside compounds (ส่วนราชการ, ข้าราชการ, วันหยุดราชการ …): many hits, newest 50"),
    ("number", "กห 0201/4321", "a sender's number typed with Arabic digits, stored in Thai digits: one hit"),
    ("two words", "งบประมาณขออนุมัติ", "two words typed without a space, segmented by PyThaiNLP"),
    ("pdf text", "ปลอดภัยไซเบอร์", "a word only in the text of the PDFs"),
    ("rare", "พระราชพิธีขอเสนอชื่อ", "two words that seldom meet"),
]


def _django():
    import django

    django.setup()


def _arr(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


NUMBER_ROW = 424242  # an item of สลค. whose number the "number" search types with Arabic digits


def _number(g: int) -> str:
    return f"{CODES[g % len(CODES)]} {200 + g % 17:04d}/{g}"


def fill(n: int) -> dict:
    """n items, grants to soc.exec on GRANTS classified items of สลค., and their search documents."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db import connection

    from agencies.models import Agency
    from correspondence.models import IncomingItem, IncomingItemUserGrant, SearchDocument

    user = get_user_model().objects.get(username="soc.exec")
    soc = Agency.objects.get(short_name="สลค.")
    divisions = list(Agency.objects.filter(parent=soc).order_by("pk").values_list("pk", flat=True))[:2]
    others = list(Agency.objects.exclude(pk__in=[soc.pk, *divisions]).order_by("pk").values_list("pk", flat=True))
    perm = Permission.objects.get(codename="view_incomingitem")
    items, grants, docs = (IncomingItem._meta.db_table, IncomingItemUserGrant._meta.db_table,
                           SearchDocument._meta.db_table)
    migration = importlib.import_module("correspondence.migrations.0003_search")
    p = {"soc": soc.pk, "d1": divisions[0], "d2": divisions[1], "others": others, "n": n,
         "thai": "๐๑๒๓๔๕๖๗๘๙", "arabic": "0123456789", "senders": SENDERS, "prefixes": PREFIXES,
         "topics": TOPICS, "codes": CODES, "sentences": SENTENCES}
    # Columns other features add later (NOT NULL with a default) get their default.
    named = {"id", "unit", "channel", "state", "their_number", "their_number_key", "sender_text", "addressee",
             "subject", "urgency", "secrecy", "pdf", "message_id", "received_at", "receipt_number", "registered_at",
             "filed_at", "dated", "rejected_reason"}
    extra_columns, extra_values = "", ""
    for f in IncomingItem._meta.concrete_fields:
        if f.name not in named and not f.null:
            p[f"x_{f.column}"] = f.get_db_prep_value(f.get_default(), connection)
            extra_columns += f", {f.column}"
            extra_values += f", %(x_{f.column})s"
    timings = {}
    t0 = time.time()
    with connection.cursor() as c:
        c.execute("SET maintenance_work_mem = '1GB'")
        # Other benchmarks may have left items (and their documents) in the same database: only the rows
        # made here get documents and grants from here.
        c.execute(f"SELECT coalesce(max(id), 0) FROM {items}")
        p["first_id"] = c.fetchone()[0]
        c.execute(f"""
            INSERT INTO {items} (unit_id, channel, state, their_number, their_number_key, sender_text, addressee,
                subject, urgency, secrecy, pdf, message_id, received_at, receipt_number, registered_at,
                filed_at, dated, rejected_reason {extra_columns})
            SELECT
                CASE WHEN g %% 10 < 3 THEN %(soc)s WHEN g %% 10 = 3 THEN %(d1)s WHEN g %% 10 = 4 THEN %(d2)s
                     ELSE (%(others)s::bigint[])[1 + (g / 10) %% cardinality(%(others)s::bigint[])] END,
                'scan',
                CASE WHEN g > %(n)s - %(n)s / 50 THEN (ARRAY['received', 'registered', 'routed'])[1 + g %% 3]
                     WHEN (g / 10) %% 5 = 0 THEN 'registered' ELSE 'closed' END,
                translate(num, %(arabic)s, %(thai)s), replace(num, ' ', ''),
                (%(senders)s::text[])[1 + g %% cardinality(%(senders)s::text[])], '',
                (%(prefixes)s::text[])[1 + g %% cardinality(%(prefixes)s::text[])] || 'เรื่อง'
                    || (%(topics)s::text[])[1 + (g / 7) %% cardinality(%(topics)s::text[])]
                    || ' ครั้งที่ ' || translate(((g / 13) %% 40 + 1)::text, %(arabic)s, %(thai)s),
                CASE WHEN g %% 20 = 0 THEN 3 WHEN g %% 10 = 1 THEN 2 WHEN g %% 7 IN (2, 5) THEN 1 ELSE 0 END,
                CASE WHEN g %% 100 IN (2, 17) THEN 1 + (g / 100) %% 2 ELSE 0 END,
                CASE WHEN g %% 4 = 3 THEN '' ELSE 'incoming/bench.pdf' END, '', at, g::text, at, '', at::date,
                '' {extra_values}
            FROM (
                SELECT g, TIMESTAMPTZ '2016-10-01' + (g * (315360000.0 / %(n)s)) * INTERVAL '1 second' AS at,
                       (%(codes)s::text[])[1 + g %% cardinality(%(codes)s::text[])] || ' '
                       || lpad((200 + g %% 17)::text, 4, '0') || '/' || g AS num
                FROM generate_series(1, %(n)s) g) s
            """, p)
        timings["items"] = time.time() - t0
        # soc.exec is granted the first GRANTS classified items of สลค.
        c.execute(f"""
            INSERT INTO {grants} (permission_id, user_id, content_object_id)
            SELECT %s, %s, id FROM {items} WHERE unit_id = %s AND secrecy > 0 AND id > %s ORDER BY id LIMIT %s""",
                  [perm.pk, user.pk, soc.pk, p["first_id"], GRANTS])
        t1 = time.time()
        # The documents as correspondence.services.search writes them (checked on a sample below); the
        # trigram index is built once afterwards, as a restore would.
        c.execute(f"DROP INDEX IF EXISTS {migration.TRGM_INDEX}")
        c.execute(f"""
            INSERT INTO {docs} (kind, item_id, unit_id, unit2_id, secrecy, secret_book, urgency, at, title, number,
                sender, body, pdf_name, text, updated_at)
            SELECT 'item', id, unit_id, NULL, secrecy, false, urgency, received_at, subject, their_number,
                sender_text, body, pdf,
                btrim(regexp_replace(lower(translate(
                    concat_ws(' ', subject, their_number, their_number_key, sender_text, addressee, receipt_number,
                              filed_at, body),
                    %(thai)s, %(arabic)s)), '\\s+', ' ', 'g')),
                now()
            FROM (SELECT i.*, CASE WHEN i.pdf = '' THEN '' ELSE
                    (%(sentences)s::text[])[1 + g %% 7] || ' ' || (%(sentences)s::text[])[1 + (g / 7) %% 7] || ' '
                    || CASE WHEN g %% 97 = 0 THEN 'หน่วยงานได้ดำเนินการตามมาตรการรักษาความมั่นคงปลอดภัยไซเบอร์ '
                            ELSE '' END
                    || (%(sentences)s::text[])[8 + (g / 49) %% 5] END AS body
                  FROM (SELECT *, receipt_number::int AS g FROM {items} WHERE id > %(first_id)s) i) s
            """, p)
        timings["documents"] = time.time() - t1
        t2 = time.time()
        c.execute(f"CREATE INDEX {migration.TRGM_INDEX} ON {docs} USING gin (text gin_trgm_ops)")
        timings["trigram index"] = time.time() - t2
    with connection.cursor() as c:
        # What autovacuum would have done by the time anyone reads: statistics, hint bits, visibility map.
        for table in (items, grants, docs):
            c.execute(f"VACUUM (ANALYZE) {table}")
        c.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{docs}')), "
                  f"pg_size_pretty(pg_relation_size('{migration.TRGM_INDEX}'))")
        sizes = c.fetchone()
    timings["total"] = time.time() - t0
    return {"timings": timings, "user": user, "sizes": sizes}


def documents_match_the_service(sample: int = 200) -> int:
    """The SQL-built documents are what the service writes for the same item (text, visibility columns)."""
    from correspondence.models import SearchDocument
    from correspondence.services import search as service

    checked = 0
    for doc in SearchDocument.objects.select_related("item").order_by("?")[:sample]:
        fields = service._item_fields(doc.item, doc)
        assert service._text(fields) == doc.text, (doc.pk, service._text(fields), doc.text)
        assert (fields["unit_id"], fields["secrecy"], fields["urgency"], fields["at"], fields["title"],
                fields["number"], fields["sender"]) == (doc.unit_id, doc.secrecy, doc.urgency, doc.at, doc.title,
                                                        doc.number, doc.sender), doc.pk
        checked += 1
    return checked


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _measure(client, path, params, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):  # warm the connection, caches and code paths
        r = client.get(path, params)
        assert r.status_code == 200, (path, r.status_code, r.content[:300])
    samples, db, queries = [], [], set()
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            r = client.get(path, params)
            samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
        db.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        queries.add(len(ctx.captured_queries))
    samples.sort()
    if EXPLAIN:
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        with connection.cursor() as c:
            c.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            print(f"-- slowest query of {path} {params} ({float(slowest['time']) * 1000:.1f} ms):\n{slowest['sql']}\n"
                  + "\n".join(row[0] for row in c.fetchall()))
    return {"p50": statistics.median(samples), "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
            "db_p50": statistics.median(db), "queries": sorted(queries), "response": r}


def queue_bench(user, requests):
    from django.urls import NoReverseMatch, reverse

    client = _client(user)
    try:
        path, label = reverse("portal:queue"), "the queue page"
        params = {}
    except NoReverseMatch:
        path, label = "/api/v1/items/", "GET /api/v1/items/ (selectors.item_list)"
        params = {"page_size": 50}
    result = _measure(client, path, params, requests)
    page2 = _measure(client, path, {**params, "page": 2}, max(20, requests // 5))
    return label, path, result, page2


def search_bench(user, requests):
    from correspondence.selectors_search import search

    client = _client(user)
    out = []
    for label, q, what in SEARCHES:
        if label == "number":
            q = _number(NUMBER_ROW)
        hits = search(user, q)
        result = _measure(client, "/search/", {"q": q}, requests)
        out.append((label, q, what, len(hits), result))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's slowest query")
    args = parser.parse_args()
    global EXPLAIN
    EXPLAIN = args.explain
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench_lists needs PostgreSQL: scripts/with-services .venv/bin/python bench/bench_lists.py")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    _django()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.EOFFICE_DEMO_DATA = True
    # The official has given the second factor: classified records they are granted are listed.
    settings.EOFFICE_SECOND_FACTOR = False
    # No collectstatic in a bench run: plain static URLs (the manifest's lookup is not what is measured).
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    from agencies.demo import demo_data_load

    demo_data_load()
    filled = fill(args.items)
    t = filled["timings"]
    print(f"filled {args.items:,} incoming items + {GRANTS:,} grants to soc.exec + their search documents in "
          f"{t['total']:.0f} s (items {t['items']:.0f} s, documents {t['documents']:.0f} s, trigram index "
          f"{t['trigram index']:.0f} s); documents {filled['sizes'][0]}, of which trigram index {filled['sizes'][1]}")
    print(f"  {documents_match_the_service()} sampled documents equal what the indexing service writes")
    user = filled["user"]

    label, path, q, page2 = queue_bench(user, args.requests)
    n = q["response"].content.count(b"<tr")
    print(f"incoming queue as soc.exec (non-superuser, {GRANTS:,} object grants): {label} {path}, "
          f"{args.requests} requests:")
    print(f"  first page: p50 {q['p50']:.1f} ms, p95 {q['p95']:.1f} ms → {q['p95'] / QUEUE_TARGET_MS:.2f} of the "
          f"target ≤ {QUEUE_TARGET_MS} ms; database p50 {q['db_p50']:.1f} ms; queries {q['queries']}; rows ~{n}")
    print(f"  page 2: p50 {page2['p50']:.1f} ms, p95 {page2['p95']:.1f} ms → {page2['p95'] / QUEUE_TARGET_MS:.2f};"
          f" queries {page2['queries']}")
    print(f"search as soc.exec: GET /search/?q=…, {args.requests} requests each:")
    worst = 0.0
    for label, query, what, hits, r in search_bench(user, args.requests):
        worst = max(worst, r["p95"])
        print(f"  {label} «{query}» ({what}; {hits} hits shown): p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms"
              f" → {r['p95'] / SEARCH_TARGET_MS:.2f} of the target ≤ {SEARCH_TARGET_MS} ms;"
              f" database p50 {r['db_p50']:.1f} ms; queries {r['queries']}")
    print(f"search worst p95 {worst:.1f} ms → ratio {worst / SEARCH_TARGET_MS:.2f} (target ≤ {SEARCH_TARGET_MS} ms);"
          f" queue p95 {q['p95']:.1f} ms → ratio {q['p95'] / QUEUE_TARGET_MS:.2f} (target ≤ {QUEUE_TARGET_MS} ms)")


if __name__ == "__main__":
    main()
