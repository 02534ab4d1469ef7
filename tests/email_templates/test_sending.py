"""Sending Pending Emails through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from core.db import db
from core.models import utcnow
from core.testing import BACKEND
from plugins.email_templates import outbox
from plugins.email_templates.models import OutboxEmail
from tests.conftest import DB_URL

from .conftest import queue, set_email_options

ROOT = Path(__file__).resolve().parents[2]


def rows() -> dict[int, OutboxEmail]:
    db.session.expire_all()
    return {r.id: r for r in db.session.scalars(sa.select(OutboxEmail))}


def test_250_sends_with_the_message_id_fixed_at_queue_time(mail_app, smtp_server):
    with mail_app.app_context():
        [row_id] = queue(1)
        message_id = db.session.get(OutboxEmail, row_id).message_id
        result = outbox.send_pending()
        row = rows()[row_id]
        assert result.sent == 1 and row.status == "sent" and row.sent_at is not None and row.attempts == 1
    [got] = smtp_server.handler.received
    assert got["Message-ID"] == message_id and got["Subject"] == "Message t 0"
    assert got["From"] == "po@orderbridge.test" and got["To"] == "someone@example.com"
    assert got.get_body(("plain",)).get_content().strip() == "Body 0"
    assert "<p>0</p>" in got.get_body(("html",)).get_content()


def test_451_then_250_is_retried_once_and_delivered_once(mail_app, smtp_server):
    smtp_server.handler.script = ["451 4.3.0 Try again later"]
    with mail_app.app_context():
        [row_id] = queue(1)
        before = utcnow()
        first = outbox.send_pending()
        row = rows()[row_id]
        assert first.retry == 1 and row.status == "pending" and row.attempts == 1
        assert "451" in row.last_error
        # backoff: not due before the retry delay (60 s)
        assert row.next_attempt_at >= before + timedelta(seconds=59)
        assert outbox.send_pending().sent == 0
        second = outbox.send_pending(now=utcnow() + timedelta(seconds=61))
        row = rows()[row_id]
        assert second.sent == 1 and row.status == "sent" and row.attempts == 2
    assert smtp_server.handler.message_ids == [row.message_id]


def test_backoff_doubles_and_gives_up_as_failed_after_max_attempts(mail_app, smtp_server):
    smtp_server.handler.script = ["421 4.7.0 busy"] * 3
    with mail_app.app_context():
        set_email_options(max_attempts=3, retry_delay_seconds=10)
        [row_id] = queue(1)
        delays = []
        now = utcnow() + timedelta(minutes=1)  # the claim's clock, ahead of a slow machine's real one
        for _ in range(3):
            outbox.send_pending(now=now)
            row = rows()[row_id]
            if row.status == "pending":
                delays.append(round((row.next_attempt_at - row.claimed_at).total_seconds()))
            now = row.next_attempt_at + timedelta(seconds=1)
        assert delays == [10, 20]
        assert row.status == "failed" and "gave up after 3 attempts" in row.last_error
    assert smtp_server.handler.received == []


def test_550_goes_dead_at_once_and_can_be_requeued(mail_app, smtp_server):
    smtp_server.handler.script = ["550 5.1.1 No such user"]
    with mail_app.app_context():
        [row_id] = queue(1)
        assert outbox.send_pending().dead == 1
        row = rows()[row_id]
        assert row.status == "dead" and "550" in row.last_error and row.attempts == 1
        assert outbox.send_pending(now=utcnow() + timedelta(days=1)).sent == 0  # never retried by itself
        assert outbox.requeue([row_id]) == 1
        db.session.commit()
        assert outbox.send_pending().sent == 1
    assert len(smtp_server.handler.received) == 1


def test_disconnect_mid_data_is_retried_and_delivered_once(mail_app, smtp_server):
    smtp_server.handler.script = ["disconnect"]
    with mail_app.app_context():
        a, b = queue(2)
        result = outbox.send_pending()
        got = rows()
        # the first lost its connection during DATA: retried later; the second went on a new connection
        assert got[a].status == "pending" and "closed the connection" in got[a].last_error
        assert got[b].status == "sent" and result.sent == 1 and result.retry == 1
        assert outbox.send_pending(now=utcnow() + timedelta(minutes=5)).sent == 1
        got = rows()
    ids = smtp_server.handler.message_ids
    assert sorted(ids) == sorted([got[a].message_id, got[b].message_id]) and len(set(ids)) == 2


def test_connection_refused_retries(mail_app, smtp_server):
    with mail_app.app_context():
        set_email_options(smtp_port=1)  # nothing listens there
        [row_id] = queue(1)
        result = outbox.send_pending()
        row = rows()[row_id]
        assert result.retry == 1 and row.status == "pending" and "Cannot reach" in row.last_error


def test_same_event_never_queues_twice(mail_app):
    with mail_app.app_context():
        first = queue(1, prefix="same")
        from plugins.email_templates.outbox import queue_email
        from plugins.email_templates.render import Rendered

        again = queue_email(dedupe_key="same:0", type="BACK ORDER", recipient="x@example.com",
                            rendered=Rendered("s", "", "t"))
        db.session.commit()
        assert again is None and list(rows()) == first


def test_two_senders_racing_never_send_one_message_twice(mail_app, smtp_server, app_factory):
    smtp_server.handler.delay = 0.02  # both senders are busy at once
    with mail_app.app_context():
        ids = queue(60)
    results = []
    second_app = app_factory()
    both_ready = threading.Barrier(2)

    def run(app):
        with app.app_context():
            both_ready.wait(30)  # both apps are built and start sending together
            results.append(outbox.send_pending())
            db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in (mail_app, second_app)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    sent = smtp_server.handler.message_ids
    assert len(sent) == 60 and len(set(sent)) == 60
    assert sum(r.sent for r in results) == 60, [r.sent for r in results]
    if BACKEND == "postgresql":  # SQLite serialises writers: there one sender may starve the other
        assert all(r.sent > 0 for r in results), [r.sent for r in results]
    with mail_app.app_context():
        assert {r.status for r in rows().values()} == {"sent"} and set(rows()) == set(ids)


def _cli(*args: str, env_extra: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": DB_URL, "ORDERBRIDGE_INSTANCE": str(ROOT / "instance"),
           "SECRET_KEY": "test-secret", **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-c", "from core.cli import main; main()", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_worker_killed_with_sigkill_in_a_batch_of_500(mail_app, smtp_server):
    """No message delivered twice, none lost: every row ends sent, or failed awaiting review."""
    smtp_server.handler.delay = 0.003
    with mail_app.app_context():
        ids = queue(500, prefix="kill")
    proc = _cli("mail", "send-pending")
    deadline = time.time() + 60
    while len(smtp_server.handler.received) < 120 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert proc.poll() is None, proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    delivered_before = set(smtp_server.handler.message_ids)
    assert 120 <= len(delivered_before) < 500
    with mail_app.app_context():
        states = {r.status for r in rows().values()}
        assert states <= {"sent", "sending", "pending"}
        # the crash leaves at most the message in flight in "sending": it goes to failed, not resent
        assert outbox.recover_stale(older_than=timedelta(0)) <= 1
        result = outbox.send_pending()
        final = rows()
    delivered = smtp_server.handler.message_ids
    assert len(delivered) == len(set(delivered)), "a message was delivered twice"
    assert set(final) == set(ids)
    assert {r.status for r in final.values()} <= {"sent", "failed"}
    failed = [r for r in final.values() if r.status == "failed"]
    assert len(failed) <= 1 and all("Interrupted while sending" in r.last_error for r in failed)
    sent_ids = {r.message_id for r in final.values() if r.status == "sent"}
    assert sent_ids <= set(delivered) and result.sent == len(sent_ids) - len(
        {r.message_id for r in final.values() if r.status == "sent"} & delivered_before)


def test_send_automatically_decides_whether_the_job_sends(mail_app, smtp_server):
    """Jobs run at once in the tests (Huey's immediate mode): on, the commit sends; off, mail waits."""
    with mail_app.app_context():
        [waiting] = queue(1, prefix="manual")
        assert rows()[waiting].status == "pending" and smtp_server.handler.received == []
        set_email_options(send_automatically=True)
        [auto] = queue(1, prefix="auto")
        got = rows()
        assert got[auto].status == "sent" and got[waiting].status == "sent"  # the job sends all that is due
    assert len(smtp_server.handler.received) == 2


def test_rolled_back_business_change_queues_and_sends_nothing(mail_app, smtp_server):
    from plugins.email_templates.outbox import queue_email
    from plugins.email_templates.render import Rendered

    with mail_app.app_context():
        set_email_options(send_automatically=True)
        queue_email(dedupe_key="gone", type="BACK ORDER", recipient="a@example.com", rendered=Rendered("s", "", "t"))
        db.session.rollback()
        assert rows() == {}
    assert smtp_server.handler.received == []
