"""Delivery benchmark (issue #6, acceptance 7). Needs PostgreSQL and Redis: run under scripts/with-services.

A circular from ศทส. (กระทรวงการต่างประเทศ) to 1,000 agencies on the same portal, each with its own
registry and registry clerk (made with bulk inserts), rendered once, sent through the outbox, and
delivered and registered by every recipient (EOFFICE_DELIVERY_AUTO_REGISTER: the delivery task
registers the item in the unit's incoming book) by two Celery worker processes (prefork, one child
each). Prints the time from the send to the last registration (target ≤ 60 s) and the workers' peak
resident memory (VmHWM of each worker's main process and pool child).

    scripts/with-services .venv/bin/python bench/bench_delivery.py [--recipients 1000] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eoffice.settings")
TARGET_SECONDS = 60.0


def _setup():
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from agencies.demo import demo_data_load

    settings.EOFFICE_DEMO_DATA = True
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    demo_data_load()


def make_recipients(n: int, tag: str) -> list[int]:
    """n ministries-level agencies that keep registers, each with one registry clerk (bulk inserts)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agencies.models import Agency, AgencyLevel, Official, Role, RoleAssignment

    agencies = Agency.objects.bulk_create([
        Agency(level=AgencyLevel.INDEPENDENT, name=f"ส่วนราชการทดสอบการส่ง {i:04d} ({tag})", keeps_registers=True)
        for i in range(n)
    ])
    password = make_password(None)
    users = get_user_model().objects.bulk_create([
        get_user_model()(username=f"bench-{tag}-{i:04d}", password=password) for i in range(n)
    ])
    officials = Official.objects.bulk_create([
        Official(user=u, first_name="ธุรการ", last_name=f"ที่ {i:04d}", position="เจ้าพนักงานธุรการ", unit=a)
        for i, (u, a) in enumerate(zip(users, agencies))
    ])
    RoleAssignment.objects.bulk_create([
        RoleAssignment(official=o, role=Role.REGISTRY_CLERK, unit=a) for o, a in zip(officials, agencies)
    ])
    return [a.pk for a in agencies]


def signed_circular(agency_ids: list[int]):
    """The circular, through review, numbering and signature; its PDF rendered once."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from correspondence.rendering.pdf import render_letter_pdf
    from correspondence.services import letters

    u = {x.username: x for x in get_user_model().objects.filter(username__startswith="mfa.")}
    spec = json.loads((ROOT / "tests/rendering/fixtures/mfa-2563.json").read_text(encoding="utf-8"))
    for key in ("number", "date"):
        spec.pop(key)
    spec["subject"] = "ขอเชิญประชุมผู้บริหารเทคโนโลยีสารสนเทศระดับสูงภาครัฐ (หนังสือเวียน)"
    letter = letters.letter_create(by=u["mfa.drafter"], content=spec, signer=u["mfa.signer"].official,
                                   recipients=[{"agency": pk} for pk in agency_ids],
                                   reviewers=[u["mfa.reviewer"].official], is_circular=True)
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letters.letter_issue(letter, by=u["mfa.clerk"])
    letter.refresh_from_db()
    # A letter is sent with its PDF (rendered once here); the signature's state step follows.
    letter.pdf.save(f"circular-{letter.pk}.pdf", ContentFile(render_letter_pdf(letter.content)))
    letters.letter_sign(letter, by=u["mfa.signer"])
    letter.refresh_from_db()
    return letter, u["mfa.clerk"]


def start_workers(count: int, log_dir: Path) -> list[subprocess.Popen]:
    from eoffice.celery import app

    env = {**os.environ, "EOFFICE_DELIVERY_AUTO_REGISTER": "1", "LOG_LEVEL": "WARNING"}
    procs = []
    for i in range(count):
        log = open(log_dir / f"worker-{i}.log", "wb")
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "eoffice", "worker", "-P", "prefork", "-c", "1",
             "--without-gossip", "--without-mingle", "-n", f"bench{i}@delivery", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))
    nodes = {f"bench{i}@delivery" for i in range(count)}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answered = {n for reply in app.control.ping(timeout=0.5) for n in reply}
        if nodes <= answered:
            return procs
    raise SystemExit(f"workers did not start; see {log_dir}")


def _kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def peak_memory(procs) -> list[tuple[int, int, int]]:
    """(main pid, main VmHWM KiB, pool children's VmHWM KiB) per worker."""
    out = []
    for p in procs:
        try:
            children = [int(c) for c in Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split()]
        except FileNotFoundError:
            children = []
        out.append((p.pid, _kib(p.pid, "VmHWM"), sum(_kib(c, "VmHWM") for c in children)))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench_delivery needs PostgreSQL and Redis: scripts/with-services .venv/bin/python bench/bench_delivery.py")
    _setup()
    from django.db import connections

    from correspondence.models import IncomingItem, ItemState, OutboxMessage, RecipientState
    from correspondence.selectors import delivery_progress
    from correspondence.services import letters
    from eoffice.celery import app

    tag = uuid.uuid4().hex[:6]
    t = time.perf_counter()
    ids = make_recipients(args.recipients, tag)
    letter, clerk = signed_circular(ids)
    print(f"prepared {args.recipients:,} agencies with registries and clerks and the circular "
          f"{letter.number} (PDF rendered once) in {time.perf_counter() - t:.1f} s")
    connections.close_all()
    log_dir = Path(os.environ.get("EOFFICE_VAR_DIR", "/tmp"))
    procs = start_workers(args.workers, log_dir)
    try:
        t0 = time.perf_counter()
        rows = letters.letter_send(letter, by=clerk)
        sent = time.perf_counter() - t0
        registered = IncomingItem.objects.filter(letter=letter, state=ItemState.REGISTERED)
        deadline = time.monotonic() + 600
        while registered.count() < len(rows) and time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                sys.exit(f"a worker died; see {log_dir}")
            time.sleep(0.25)
        elapsed = time.perf_counter() - t0
        memory = peak_memory(procs)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        # Receipt-stamp tasks of the registered items are the signatures app's follow-up, not part of
        # this measurement: drop what is left so later benchmarks start with an empty queue.
        app.control.purge()

    delivered, total = delivery_progress(letter)
    items = IncomingItem.objects.filter(letter=letter)
    units = items.values("unit").distinct().count()
    recipients_registered = letter.recipients.filter(state=RecipientState.REGISTERED).count()
    attempts = sorted(set(OutboxMessage.objects.filter(letter=letter).values_list("attempts", flat=True)))
    print(f"send (1 transaction: {len(rows):,} outbox rows, then {len(rows):,} task messages): {sent:.2f} s")
    print(f"circular to {args.recipients:,} agencies, {args.workers} worker processes: delivered and registered by "
          f"all in {elapsed:.1f} s (target ≤ {TARGET_SECONDS:.0f} s, ratio {elapsed / TARGET_SECONDS:.2f})")
    print(f"  delivered {delivered:,} of {total:,}; incoming items {items.count():,} in {units:,} registries; "
          f"registered {registered.count():,}; recipient lines registered {recipients_registered:,}; "
          f"attempts per row {attempts}; throughput {len(rows) / elapsed:.0f} letters/s")
    for i, (pid, main_kib, child_kib) in enumerate(memory):
        print(f"  worker {i} (pid {pid}): peak RSS (VmHWM) main {main_kib / 1024:.0f} MiB + pool child "
              f"{child_kib / 1024:.0f} MiB = {(main_kib + child_kib) / 1024:.0f} MiB")
    total_kib = sum(m + c for _, m, c in memory)
    print(f"  workers' peak memory, all processes: {total_kib / 1024:.0f} MiB")
    ok = items.count() == args.recipients == units == registered.count() and delivered == total
    if not ok:
        sys.exit("NOT every recipient delivered and registered exactly once")


if __name__ == "__main__":
    main()
