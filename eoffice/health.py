"""Liveness of the parts the portal depends on: database, broker, and at least one Celery worker."""
from dataclasses import dataclass

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Check(False, f"{type(exc).__name__}: {exc}")
    return Check(True, connection.vendor)


def check_broker(app) -> Check:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}")
    return Check(True, str(transport))


def check_worker(app) -> Check:
    try:
        replies = app.control.ping(timeout=settings.HEALTHZ_WORKER_TIMEOUT)
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}")
    if not replies:
        return Check(False, "no worker answered")
    return Check(True, ", ".join(sorted(name for reply in replies for name in reply)))


def report(app) -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker(app)}
    # A worker cannot answer through a broker that is down; say so rather than wait for the timeout.
    checks["worker"] = check_worker(app) if checks["broker"].ok else Check(False, "broker down")
    healthy = all(c.ok for c in checks.values())
    body = {"status": "ok" if healthy else "fail", **{k: {"ok": c.ok, "detail": c.detail} for k, c in checks.items()}}
    return healthy, body
