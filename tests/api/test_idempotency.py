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


@pytest.mark.postgres_only
@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks and the unique index race only on PostgreSQL "
                    "(SQLite serialises writers; concurrent writers in one test process hit 'database is locked')")
@pytest.mark.parametrize("attempt", range(2))
def test_concurrent_duplicates_never_create_two_orders(app, app_factory, demo, api, attempt):
    """Threads send the same request with the same key at once (PostgreSQL: the unique index
    decides; SQLite: the write lock queues them)."""
    body = order_body(app)
    headers = api("sales").headers
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []
    workers = [app_factory() for _ in range(4)]  # one app (engine) per thread, like worker processes

    def send(worker):
        client = worker.test_client()
        barrier.wait()
        try:
            resp = client.post("/api/v1/sales-orders", json=body,
                               headers={**headers, "Idempotency-Key": f"same-{attempt}"})
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers.append((500, {"error": repr(exc)}))
            return
        answers.append((resp.status_code, resp.get_json()))

    threads = [threading.Thread(target=send, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [code for code, _ in answers] == [201] * 4, answers
    assert len({a["order"]["id"] for _, a in answers}) == 1
    assert _orders(app) == 1
