"""Pending Emails page, mail settings (password, test message), Mailbox, and the CLI."""

from __future__ import annotations

import json

import sqlalchemy as sa

from core.db import db
from core.mailsink import mailbox_path, start
from plugins.email_templates.models import OutboxEmail

from .conftest import queue, set_email_options


def statuses(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(OutboxEmail.id, OutboxEmail.status)).all())


def test_pending_page_filters_and_shows_the_rendered_message(mail_app, client):
    with mail_app.app_context():
        a, b = queue(2, prefix="po")
        db.session.get(OutboxEmail, b).status = "dead"
        db.session.commit()
    client.login("purchasing")
    page = client.get("/email/pending").get_data(as_text=True)
    assert "Message po 0" in page and "Message po 1" in page
    only_dead = client.get("/email/pending?state=dead").get_data(as_text=True)
    assert "Message po 1" in only_dead and "Message po 0" not in only_dead
    by_doc = client.get("/email/pending?document=DOC%20po0").get_data(as_text=True)
    assert "Message po 0" in by_doc and "Message po 1" not in by_doc
    assert "Message po 0" not in client.get("/email/pending?date_from=2099-01-01").get_data(as_text=True)
    assert client.get("/email/pending?date_from=%C2%B2&state=zz&type=x").status_code == 200
    view = client.get(f"/email/pending/{a}").get_data(as_text=True)
    assert "Body 0" in view and "srcdoc=\"&lt;p&gt;0&lt;/p&gt;\"" in view
    assert client.get("/email/pending/999999").status_code == 404


def test_send_selected_now_requeue_and_cancel(mail_app, client, smtp_server):
    with mail_app.app_context():
        a, b, c = queue(3)
    client.login("purchasing")
    resp = client.post("/email/pending/action", data={"ids": [str(a)], "action": "send"})
    assert resp.status_code == 302
    assert statuses(mail_app) == {a: "sent", b: "pending", c: "pending"}
    assert len(smtp_server.handler.received) == 1
    client.post("/email/pending/action", data={"ids": [str(b)], "action": "cancel"})
    assert statuses(mail_app)[b] == "cancelled"
    client.post("/email/pending/action", data={"ids": [str(a), str(c)], "action": "cancel"})  # sent stays sent
    assert statuses(mail_app) == {a: "sent", b: "cancelled", c: "cancelled"}
    client.post("/email/pending/action", data={"ids": [str(b), str(a)], "action": "requeue"})
    assert statuses(mail_app) == {a: "sent", b: "pending", c: "cancelled"}
    resp = client.post("/email/pending/action", data={"ids": [str(c)], "action": "cancel", "next": "//evil.example/x"})
    assert resp.headers["Location"].endswith("/email/pending") and "evil" not in resp.headers["Location"]
    resp = client.post("/email/pending/action", data={"ids": ["x", "²"], "action": "send"}, follow_redirects=True)
    assert resp.status_code == 200 and "Select at least one email" in resp.get_data(as_text=True)


def test_pending_emails_need_a_sales_or_purchasing_user(mail_app, client):
    client.login("readonly")
    assert client.get("/email/pending").status_code == 403
    assert client.post("/email/pending/action", data={"ids": ["1"], "action": "send"}).status_code == 403


def test_password_is_never_shown_nor_exported(admin_client, app):
    resp = admin_client.post("/email/settings", data={"pw-password": "s3cret-Pa55", "pw-submit": "1"})
    assert resp.status_code == 302
    page = admin_client.get("/email/settings").get_data(as_text=True)
    assert "s3cret-Pa55" not in page and "set (not shown)" in page
    options_page = admin_client.get("/admin/options/email_templates").get_data(as_text=True)
    assert "s3cret-Pa55" not in options_page
    export = admin_client.get("/admin/options/export.json").get_data(as_text=True)
    assert "s3cret-Pa55" not in export and "smtp_host" in json.loads(export)["plugins"]["email_templates"]
    with app.app_context():
        from plugins.email_templates.smtp import settings

        set_email_options(smtp_host="mail.example.com", smtp_user="me")
        assert settings().password == "" and settings(with_password=True).password == "s3cret-Pa55"


def test_send_test_message_reports_the_answer_in_words(mail_app, admin_client, smtp_server):
    resp = admin_client.post("/email/settings", data={"test-to": "me@example.com", "test-submit": "1"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Sent to me@example.com through 127.0.0.1:" in text
    assert smtp_server.handler.received[0]["Subject"] == "OrderBridge test message"
    smtp_server.handler.script = ["550 5.7.1 Relaying denied"]
    text = admin_client.post("/email/settings", data={"test-to": "me@example.com", "test-submit": "1"}).get_data(
        as_text=True)
    assert "Not sent: Recipient refused" in text or "Not sent: The server answered 550" in text
    with mail_app.app_context():
        set_email_options(smtp_port=1)
    text = admin_client.post("/email/settings", data={"test-to": "me@example.com", "test-submit": "1"}).get_data(
        as_text=True)
    assert "Not sent: Cannot reach the mail server" in text
    bad = admin_client.post("/email/settings", data={"test-to": "not an address", "test-submit": "1"})
    assert "Enter an e-mail address" in bad.get_data(as_text=True)


def test_mailbox_shows_what_the_local_sink_received(app, demo, admin_client, tmp_path, monkeypatch):
    """No SMTP server configured: mail goes to the sink on loopback and shows on the Mailbox page."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    sink = start(mailbox_path(str(tmp_path)), port=0)
    try:
        with app.app_context():
            set_email_options(smtp_host="", sink_port=sink.port)
            queue(1, prefix="sink")
            from plugins.email_templates.outbox import send_pending

            assert send_pending().sent == 1
    finally:
        sink.stop()
    page = admin_client.get("/email/mailbox").get_data(as_text=True)
    assert "Message sink 0" in page and "Body 0" in page and "someone@example.com" in page


def test_cli_send_pending_with_limit(mail_app, runner, smtp_server):
    with mail_app.app_context():
        queue(3)
    result = mail_app.test_cli_runner().invoke(args=["mail", "send-pending", "--limit", "2"])
    assert result.exit_code == 0 and "2 sent" in result.output, result.output
    assert sorted(statuses(mail_app).values()) == ["pending", "sent", "sent"]
    result = mail_app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert "1 sent" in result.output and set(statuses(mail_app).values()) == {"sent"}
