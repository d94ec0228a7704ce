"""Load test (issue #8): registry clerks and officials at peak hour against gunicorn with two workers on
127.0.0.1, driven by locust for a bounded time. Prints throughput, p95 latency (overall and per request
kind) and the error rate (target 0). Needs PostgreSQL: run under scripts/with-services (make bench does).

Clerks open their queue page and the API queue, receive and register letters, read the register;
officials open their dashboard, list letters and items, read an item. The portal runs in a database of its
own (created and dropped here), with the reference and demo data and a few hundred registered items.

    scripts/with-services .venv/bin/python bench/bench_load.py [--seconds 30] [--users 24]
"""
from __future__ import annotations

import locust  # noqa: F401  (first: gevent patches the standard library)

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, between, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "demo-saraban-2569"
TARGET_ERROR_RATE = 0.0

SEED = r"""
import json
from rest_framework.authtoken.models import Token
from django.contrib.auth import get_user_model
from agencies.models import Agency
from correspondence.models import Channel
from correspondence.services import receiving
users = {u.username: u for u in get_user_model().objects.all()}
soc = Agency.objects.get(short_name="สลค.")
for i in range(300):
    item = receiving.incoming_receive(unit=soc, by=users["soc.clerk"], channel=Channel.SCAN, subject=f"เรื่องที่ {i}",
                                      sender_text="กระทรวงมหาดไทย")
    if i % 3:
        receiving.incoming_register(item, by=users["soc.clerk"])
tokens = {n: Token.objects.get_or_create(user=users[n])[0].key for n in ("soc.clerk", "soc.exec", "mfa.drafter")}
print("SEED " + json.dumps({"tokens": tokens, "unit": soc.pk}))
"""


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _db_url(name: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def _pg(tool: str) -> str:
    return str(Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / tool)


CONTEXT: dict = {}


class _Portal(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)

    def _login(self, username):
        self.client.get("/login/", name="login page")
        csrf = self.client.cookies.get("csrftoken", "")
        self.client.post("/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
                         headers={"Referer": self.host + "/login/"}, name="login")

    def api(self, token):
        return {"Authorization": f"Token {token}"}

    def writes(self):
        # The session cookie is sent too (pages), so DRF's session authentication wants the CSRF token.
        return {**self.h, "X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/"}


class RegistryClerk(_Portal):
    weight = 3

    def on_start(self):
        self._login("soc.clerk")
        self.h = self.api(CONTEXT["tokens"]["soc.clerk"])

    @task(3)
    def queue_page(self):
        self.client.get("/incoming/", name="page: incoming queue")

    @task(3)
    def queue_api(self):
        self.client.get("/api/v1/items/?state=received", headers=self.h, name="api: queue")

    @task(2)
    def receive_and_register(self):
        r = self.client.post("/api/v1/items/", data={"unit": CONTEXT["unit"], "channel": "scan",
                                                     "subject": f"หนังสือเข้า {uuid.uuid4().hex[:8]}",
                                                     "sender_text": "กระทรวงกลาโหม"},
                             headers=self.writes(), name="api: receive")
        if r.status_code == 201:
            self.client.post(f"/api/v1/items/{r.json()['id']}/register/", headers=self.writes(),
                             name="api: register")

    @task(2)
    def register_lines(self):
        self.client.get("/api/v1/entries/?page_size=50", headers=self.h, name="api: register lines")


class Official(_Portal):
    weight = 2

    def on_start(self):
        self.who = random.choice(["soc.exec", "mfa.drafter"])
        self._login(self.who)
        self.h = self.api(CONTEXT["tokens"][self.who])

    @task(3)
    def dashboard(self):
        self.client.get("/", name="page: dashboard")

    @task(2)
    def letters(self):
        self.client.get("/api/v1/letters/", headers=self.h, name="api: letters")

    @task(2)
    def items(self):
        r = self.client.get("/api/v1/items/?page_size=20", headers=self.h, name="api: items")
        if r.status_code == 200 and r.json()["results"]:
            pk = random.choice(r.json()["results"])["id"]
            self.client.get(f"/api/v1/items/{pk}/", headers=self.h, name="api: item")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--users", type=int, default=24)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("bench_load: needs PostgreSQL (run under scripts/with-services)")
        return 0
    name = f"eoffice_load_{os.getpid()}"
    subprocess.run([_pg("createdb"), "--maintenance-db", _db_url("postgres"), name], check=True)
    var = Path(os.environ.get("EOFFICE_VAR_DIR") or f"/tmp/{name}")
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": _db_url(name), "EOFFICE_VAR_DIR": str(var), "EOFFICE_DEMO_DATA": "1",
           "DJANGO_SECRET_KEY": "load-test-" + "x" * 50, "LOG_LEVEL": "WARNING", "DJANGO_STATIC_ROOT": str(var / "static")}
    server = None
    try:
        for cmd in (["migrate", "--noinput"], ["load_reference_data"], ["load_demo_data"],
                    ["collectstatic", "--noinput"]):
            subprocess.run([PYTHON, "manage.py", *cmd], cwd=ROOT, env=env, check=True, capture_output=True)
        seeded = subprocess.run([PYTHON, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True,
                                capture_output=True, text=True)
        CONTEXT.update(json.loads(re.search(r"^SEED (.*)$", seeded.stdout, re.M).group(1)))
        port = _free_port()
        server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "eoffice.wsgi:application", "--workers", "2",
                                   "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
        host = f"http://127.0.0.1:{port}"
        import requests

        for _ in range(100):
            try:
                if requests.get(host + "/login/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        environment = Environment(user_classes=[RegistryClerk, Official], host=host)
        runner = environment.create_local_runner()
        runner.start(args.users, spawn_rate=args.users)
        gevent.spawn_later(args.seconds, runner.quit)
        runner.greenlet.join()
        stats = environment.stats
        total = stats.total
        rate = total.num_failures / total.num_requests if total.num_requests else 0.0
        print(f"load test: {args.users} users ({RegistryClerk.__name__} 3 : {Official.__name__} 2) for "
              f"{args.seconds:.0f} s, gunicorn --workers 2 on 127.0.0.1")
        print(f"  requests {total.num_requests}, throughput {total.total_rps:.1f} req/s, "
              f"p50 {total.get_response_time_percentile(0.5):.0f} ms, p95 {total.get_response_time_percentile(0.95):.0f} ms")
        print(f"  errors {total.num_failures} ({rate:.2%}; target {TARGET_ERROR_RATE:.0%})")
        for entry in sorted(stats.entries.values(), key=lambda e: e.name):
            print(f"  {entry.method:4} {entry.name:26} n={entry.num_requests:5}  "
                  f"p95 {entry.get_response_time_percentile(0.95):6.0f} ms  failures {entry.num_failures}")
        for err in list(stats.errors.values())[:5]:
            print(f"  error: {err.method} {err.name}: {err.error} x{err.occurrences}")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        subprocess.run([_pg("dropdb"), "--maintenance-db", _db_url("postgres"), "--force", name], check=False)


if __name__ == "__main__":
    sys.exit(main())
