"""Acceptance points not shown elsewhere: the claim is a conditional update (and skips locked rows on
PostgreSQL), the sweep sends a crashed "sending" row to review without resending it, and the Pending
Emails filters by type and by the end date."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import utcnow
from core.testing import BACKEND
from plugins.email_templates import outbox
from plugins.email_templates.models import OutboxEmail

from .conftest import queue


def status_of(row_id: int) -> str:
    db.session.expire_all()
    return db.session.get(OutboxEmail, row_id).status


def test_claim_changes_only_rows_still_pending(mail_app):
    with mail_app.app_context():
        a, b, c, d = queue(4)
        for row_id, state in ((b, "sending"), (c, "cancelled"), (d, "sent")):
            db.session.get(OutboxEmail, row_id).status = state
        db.session.commit()
        assert outbox.claim(10, ids=[a, b, c, d]) == [a]  # only the pending one
        assert status_of(a) == "sending"
        assert outbox.claim(10, ids=[a]) == []  # a second claimer of the same row gets nothing
        row = db.session.get(OutboxEmail, a)
        assert row.attempts == 1 and row.claim_token and row.claimed_at is not None
        # and a finish from the wrong state changes nothing
        assert outbox._finish(c, "sending", status="sent") is False and status_of(c) == "cancelled"


@pytest.mark.skipif(BACKEND != "postgresql",
                    reason="SKIP LOCKED is PostgreSQL's; SQLite serialises writers with BEGIN IMMEDIATE")
def test_claim_skips_a_row_another_transaction_holds(mail_app):
    """PostgreSQL: ``FOR UPDATE SKIP LOCKED``: the claimer takes the next row instead of waiting."""
    with mail_app.app_context():
        a, b = queue(2)
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT id FROM em_outbox WHERE id = :a FOR UPDATE"), {"a": a})
            db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))  # waiting would fail, not hang
            started = time.monotonic()
            assert outbox.claim(1) == [b]
            assert time.monotonic() - started < 3
            other.rollback()
        assert outbox.claim(1) == [a]


def test_the_sweep_sends_a_crashed_sending_row_to_review_never_resending_it(mail_app, smtp_server):
    with mail_app.app_context():
        stale, fresh = queue(2)
        long_ago = utcnow() - timedelta(hours=1)
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == stale)
                           .values(status="sending", claimed_at=long_ago, attempts=1))
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == fresh)
                           .values(status="sending", claimed_at=utcnow(), attempts=1))
        db.session.commit()
        assert outbox.sweep_job().startswith("1 interrupted")
        assert status_of(stale) == "failed" and status_of(fresh) == "sending"  # in flight: left alone
        assert "Interrupted while sending" in db.session.get(OutboxEmail, stale).last_error
        assert outbox.send_pending().sent == 0
    assert smtp_server.handler.received == []
    with mail_app.app_context():
        assert outbox.requeue([stale]) == 1 and outbox.send_pending().sent == 1  # a person decided
    assert len(smtp_server.handler.received) == 1


def test_pending_page_filters_by_type_and_end_date(mail_app, client):
    with mail_app.app_context():
        a, b = queue(2, prefix="f")
        db.session.get(OutboxEmail, b).type = "ORDER ACKNOWLEDGEMENT"
        db.session.get(OutboxEmail, a).created_at = utcnow() - timedelta(days=3)
        db.session.commit()
        three_days_ago = (utcnow() - timedelta(days=3)).date().isoformat()
    client.login("sales")

    def shown(**args) -> set[str]:
        page = client.get("/email/pending", query_string=args).get_data(as_text=True)
        return {s for s in ("Message f 0", "Message f 1") if s in page}

    assert shown() == {"Message f 0", "Message f 1"}
    assert shown(type="ORDER ACKNOWLEDGEMENT") == {"Message f 1"}
    assert shown(type="BACK ORDER") == {"Message f 0"}
    assert shown(date_to=three_days_ago) == {"Message f 0"}
    assert shown(date_from=three_days_ago, date_to=three_days_ago, type="ORDER ACKNOWLEDGEMENT") == set()
