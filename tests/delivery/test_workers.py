"""Acceptance 1 and 2 of delivery: real `celery worker` processes on the test's Redis and PostgreSQL.

* A worker killed with SIGKILL in the middle of a delivery: the letter is delivered exactly once.
* Redis restarted with deliveries in flight: nothing lost, nothing doubled.

Deliveries are slowed down in the workers only (EOFFICE_DELIVERY_TEST_PAUSE), which also leave a mark
file when a delivery is under way, so the test strikes at the right moment.
"""
import os
import subprocess
import time
from pathlib import Path

import pytest

from correspondence.models import IncomingItem, OutboxMessage, OutboxState, RecipientState
from correspondence.services import delivery, letters
from correspondence.tasks import outbox_deliver
from delivery_support import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

REGISTRIES = ["สลค.", "ภค.", "กจค.", "สป.มท."]


def _child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


def _state(row) -> str:
    return OutboxMessage.objects.get(pk=row.pk).state


def test_worker_killed_mid_delivery_delivers_exactly_once(users, units, signed_letter, workers, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    first = workers.start("first", EOFFICE_DELIVERY_TEST_PAUSE=60, EOFFICE_DELIVERY_TEST_MARK_DIR=marks)
    letter = signed_letter([{"agency": units["สลค."].pk}])
    (row,) = letters.letter_send(letter, by=users["mfa.clerk"])  # commits; the task goes to Redis
    wait_for(lambda: (marks / f"delivering-{row.pk}").exists(), what="the delivery to start")
    # Half-way: the item exists only inside the worker's open transaction.
    assert not IncomingItem.objects.filter(letter=letter).exists()

    workers.kill(first)  # main process and pool child, no chance to clean up
    assert first.returncode == -9
    # The database rolled the half-done delivery back: the row is still owed.
    assert _state(row) == OutboxState.PENDING and not IncomingItem.objects.filter(letter=letter).exists()

    workers.start("second")
    # The dead worker's message sits unacknowledged in Redis until its visibility timeout (an hour):
    # beat's re-dispatch queues the row again once the message is presumed lost.
    assert delivery.outbox_redispatch(grace=0) == 1
    wait_for(lambda: _state(row) == OutboxState.DELIVERED, what="delivery by the second worker")

    # Late duplicates (the broker redelivering the first message, another re-dispatch) change nothing.
    outbox_deliver.delay(row.pk)
    delivery.outbox_redispatch(grace=0)
    time.sleep(2)
    items = IncomingItem.objects.filter(letter=letter)
    assert items.count() == 1
    (item,) = items
    row.refresh_from_db()
    assert (item.unit, item.message_id) == (units["สลค."], row.message_id)
    assert row.attempts == 1  # the killed attempt left nothing behind, not even its count
    assert letter.recipients.get().state == RecipientState.DELIVERED


def test_pool_child_killed_mid_delivery_is_redelivered_by_the_broker(users, units, signed_letter, workers,
                                                                     tmp_path):
    """Only the process running the task dies: acks_late + reject_on_worker_lost put the message back
    in the queue, and the worker's next child delivers it, once."""
    marks = tmp_path / "marks"
    marks.mkdir()
    worker = workers.start("lost-child", EOFFICE_DELIVERY_TEST_PAUSE=3, EOFFICE_DELIVERY_TEST_MARK_DIR=marks)
    letter = signed_letter([{"agency": units["ภค."].pk}])
    (row,) = letters.letter_send(letter, by=users["mfa.clerk"])
    mark = marks / f"delivering-{row.pk}"
    wait_for(mark.exists, what="the delivery to start")
    (child,) = _child_pids(worker.pid)
    os.kill(child, 9)
    mark.unlink()
    wait_for(lambda: _child_pids(worker.pid) and _child_pids(worker.pid) != [child], what="a new pool child")
    # The second run starts (mark again) and finishes, without any re-dispatch.
    wait_for(mark.exists, seconds=60, what="the redelivered task")
    wait_for(lambda: _state(row) == OutboxState.DELIVERED, what="delivery after the redelivery")
    assert IncomingItem.objects.filter(letter=letter).count() == 1
    assert "WorkerLostError" in worker.log.read_text(errors="replace")


def _redis(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", os.environ["REDIS_PORT"], *args],
                          capture_output=True, text=True, timeout=10)


def _redis_start() -> None:
    work = os.environ["EOFFICE_SERVICES_DIR"]
    subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", os.environ["REDIS_PORT"], "--save", "",
                    "--appendonly", "no", "--daemonize", "yes", "--dir", work, "--logfile", f"{work}/redis.log",
                    "--pidfile", f"{work}/redis.pid"], check=True, timeout=10)
    wait_for(lambda: _redis("ping").stdout.strip() == "PONG", seconds=10, what="Redis to answer")


def test_redis_restarted_with_deliveries_in_flight(users, units, signed_letter, workers, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    worker = workers.start("steady", EOFFICE_DELIVERY_TEST_PAUSE=1.5, EOFFICE_DELIVERY_TEST_MARK_DIR=marks)
    circular = signed_letter([{"agency": units[n].pk} for n in REGISTRIES], circular=True)
    late = signed_letter([{"agency": units["สป.กต."].pk}])
    rows = letters.letter_send(circular, by=users["mfa.clerk"])
    wait_for(lambda: any(marks.iterdir()), what="the first delivery to start")

    # Redis goes away with one delivery under way and three messages queued: the queue is lost.
    assert _redis("shutdown", "nosave").returncode in (0, 1)
    wait_for(lambda: _redis("ping").returncode != 0, seconds=10, what="Redis to stop")
    # Sending still works while the broker is down: the rows are committed, the messages are not.
    (late_row,) = letters.letter_send(late, by=users["mfa.clerk"])
    time.sleep(3)  # the delivery under way finishes meanwhile (its acknowledgement cannot)
    in_flight = OutboxMessage.objects.filter(pk__in=[r.pk for r in rows], state=OutboxState.DELIVERED)
    assert in_flight.count() == 1
    _redis_start()
    assert _redis("llen", "celery").stdout.strip() == "0"  # nothing survived in the broker

    # Beat's re-dispatch (every minute in production; every two seconds here, 5 s grace) catches up.
    all_rows = [*rows, late_row]

    def all_delivered():
        delivery.outbox_redispatch(grace=5)
        return not OutboxMessage.objects.filter(pk__in=[r.pk for r in all_rows]).exclude(
            state=OutboxState.DELIVERED).exists()

    wait_for(all_delivered, seconds=120, interval=2, what="every row delivered after the restart")
    items = IncomingItem.objects.filter(letter__in=[circular, late])
    assert items.count() == 5
    assert sorted(items.values_list("message_id", flat=True)) == sorted(r.message_id for r in all_rows)
    assert sorted(items.values_list("unit__short_name", flat=True)) == sorted([*REGISTRIES, "สป.กต."])
    assert set(OutboxMessage.objects.filter(pk__in=[r.pk for r in all_rows]).values_list("attempts", flat=True)) == {1}
    assert delivery.outbox_redispatch(grace=0) == 0
    assert "Connection to broker lost" in worker.log.read_text(errors="replace")
