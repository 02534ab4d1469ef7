"""Idempotency-Key: the same key and body within 24 h get the first answer; never two orders."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import db
from core.testing import BACKEND
from tests.api.test_sales_orders import order_body


def _orders(app) -> int:
    from plugins.sales_order.models import SalesOrder

    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder))


def test_same_key_same_body_replays_the_first_answer(app, demo, api):
    sales = api("sales")
    body = order_body(app)
    first = sales.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "order-1"})
    again = sales.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "order-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert _orders(app) == 1
    # a different body with the same key is refused; another user's same key is theirs
    other = sales.post("/api/v1/sales-orders", json={**body, "notes": "x"}, headers={"Idempotency-Key": "order-1"})
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert api("admin").post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "order-1"}).status_code == 201
    assert _orders(app) == 2
    # without a key, each request is its own
    assert sales.post("/api/v1/sales-orders", json=body).status_code == 201
    assert _orders(app) == 3


def test_refusals_are_not_kept_and_keys_expire_after_24_hours(app, demo, api):
    from core.api.models import IdempotentRequest

    sales = api("sales")
    body = order_body(app)
    bad = sales.post("/api/v1/sales-orders", json={**body, "customer_id": 0}, headers={"Idempotency-Key": "k"})
    assert bad.status_code == 422
    good = sales.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "k2"})
    assert good.status_code == 201
    with app.app_context():
        assert db.session.scalars(sa.select(IdempotentRequest.key)).all() == ["k2"]
        row = db.session.scalar(sa.select(IdempotentRequest))
        row.created_at -= timedelta(hours=25)
        db.session.commit()
    fresh = sales.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "k2"})
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert fresh.get_json()["order"]["id"] != good.get_json()["order"]["id"]
    bad_key = sales.post("/api/v1/sales-orders", json=body, headers={"Idempotency-Key": "é" * 3})
    assert bad_key.status_code == 422


def _send_at_once(workers, body: dict, headers: dict[str, str]) -> list[tuple[int, dict, dict]]:
    """Each worker app (its own engine, like a worker process) sends the request in its own
    thread, all released together: (status, body, headers) per answer."""
    barrier = threading.Barrier(len(workers))
    answers: list[tuple[int, dict, dict]] = []

    def send(worker):
        client = worker.test_client()
        barrier.wait()
        try:
            resp = client.post("/api/v1/sales-orders", json=body, headers=headers)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            answers.append((500, {"error": repr(exc)}, {}))
            return
        answers.append((resp.status_code, resp.get_json(), dict(resp.headers)))

    threads = [threading.Thread(target=send, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks and the unique index race only on PostgreSQL "
                    "(SQLite's variant is the test below)")
@pytest.mark.parametrize("attempt", range(2))
def test_concurrent_duplicates_never_create_two_orders(app, app_factory, demo, api, attempt):
    """Threads send the same request with the same key at once: the unique index decides."""
    headers = {**api("sales").headers, "Idempotency-Key": f"same-{attempt}"}
    answers = _send_at_once([app_factory() for _ in range(4)], order_body(app), headers)
    assert [code for code, _, _ in answers] == [201] * 4, answers
    assert len({a["order"]["id"] for _, a, _ in answers}) == 1
    assert _orders(app) == 1


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's one-writer lock (PostgreSQL: the test above)")
def test_concurrent_duplicates_on_sqlite_wait_or_are_told_busy_never_500(app, app_factory, demo, api):
    """SQLite: while another connection holds the write lock longer than the workers' busy
    timeout, each keyed request is a 503 with Retry-After and keeps nothing; sent again at
    once when the lock is free, they queue on it: one order, the others replay it."""
    from tests.api.test_busy import write_lock_held

    body = order_body(app)
    headers = {**api("sales").headers, "Idempotency-Key": "same-sqlite"}
    with write_lock_held():
        busy = _send_at_once([app_factory(SQLITE_BUSY_TIMEOUT_MS=50) for _ in range(4)], body, headers)
    assert [(code, h.get("Retry-After")) for code, _, h in busy] == [(503, "2")] * 4, busy
    assert _orders(app) == 0
    answers = _send_at_once([app_factory() for _ in range(4)], body, headers)
    assert [code for code, _, _ in answers] == [201] * 4, answers
    assert len({a["order"]["id"] for _, a, _ in answers}) == 1
    assert sorted(h.get("Idempotent-Replayed", "") for _, _, h in answers) == ["", "true", "true", "true"]
    assert _orders(app) == 1
