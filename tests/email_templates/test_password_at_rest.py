"""The SMTP password at rest: Fernet-encrypted under a key derived from SECRET_KEY, decrypted only to
log in; a rotated SECRET_KEY makes it unreadable, which is said in words, never a crash."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from core.migrate import script_dirs, upgrade
from core.plugins import host_of
from core.testing import client_of
from plugins.email_templates import outbox
from plugins.email_templates.models import OutboxEmail
from plugins.email_templates.secrets_store import PREFIX, decrypt
from plugins.email_templates.smtp import send_test_message, settings
from tests.core.test_migrations import scratch_url  # noqa: F401  (the fixture: an empty database)

from .conftest import queue, set_email_options

PASSWORD = "s3cret-Pa55"


def raw_value() -> str:
    return db.session.execute(sa.text("SELECT value FROM em_secret WHERE \"key\" = 'smtp_password'")).scalar()


def auth_server(accepted: list[tuple[str, str]]):
    """aiosmtpd on loopback with AUTH (no TLS: loopback only), recording the logins it accepts."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from .conftest import ScriptedHandler

    def authenticator(server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        ok = login == ("me", PASSWORD)
        if ok:
            accepted.append(login)
        return AuthResult(success=ok)

    class _Controller(Controller):
        def _trigger_server(self):
            if self.server is not None:
                self.port = self.server.sockets[0].getsockname()[1]
            super()._trigger_server()

    return _Controller(ScriptedHandler(), hostname="127.0.0.1", port=0, authenticator=authenticator,
                       auth_require_tls=False)


def test_password_is_stored_encrypted_and_decrypted_only_to_log_in(app, admin_client):
    assert admin_client.post("/email/settings", data={"pw-password": PASSWORD, "pw-submit": "1"}).status_code == 302
    accepted: list[tuple[str, str]] = []
    server = auth_server(accepted)
    server.start()
    try:
        with app.app_context():
            stored = raw_value()
            assert PASSWORD not in stored and PASSWORD.encode().hex() not in stored and stored.startswith(PREFIX)
            assert decrypt(stored) == PASSWORD
            set_email_options(smtp_host="127.0.0.1", smtp_port=server.port, smtp_user="me",
                              from_address="po@orderbridge.test")
            assert settings().password == ""  # not decrypted for showing settings
            [row_id] = queue(1)
            assert outbox.send_pending().sent == 1  # logged in with the decrypted password
            assert db.session.get(OutboxEmail, row_id).status == "sent"
            assert send_test_message("me@example.com").startswith("Sent to me@example.com")
    finally:
        server.stop()
    assert accepted == [("me", PASSWORD), ("me", PASSWORD)]
    page = admin_client.get("/email/settings").get_data(as_text=True)
    assert PASSWORD not in page and "set (not shown), stored encrypted" in page


def test_a_rotated_secret_key_makes_the_password_unreadable_and_says_so(app, admin_client, app_factory, users):
    assert admin_client.post("/email/settings", data={"pw-password": PASSWORD, "pw-submit": "1"}).status_code == 302
    with app.app_context():
        set_email_options(smtp_host="127.0.0.1", smtp_port=1, smtp_user="me")
        [row_id] = queue(1)
    rotated = app_factory(SECRET_KEY="a-new-secret-key")
    admin = client_of(rotated, "admin")
    page = admin.get("/email/settings")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The stored SMTP password can no longer be read: the application&#39;s secret key has changed" in text
    assert "Enter the password again" in text
    answer = admin.post("/email/settings", data={"test-to": "me@example.com", "test-submit": "1"})
    assert answer.status_code == 200 and "Not sent: The stored SMTP password can no longer be read" in \
        answer.get_data(as_text=True)
    with rotated.app_context():
        result = outbox.send_pending()
        assert result.sent == 0 and "can no longer be read" in result.errors[0]
        assert db.session.get(OutboxEmail, row_id).status == "pending"  # not claimed: waits for the password
        db.session.remove()
    assert admin.post("/email/settings", data={"pw-password": PASSWORD, "pw-submit": "1"}).status_code == 302
    assert "set (not shown), stored encrypted" in admin.get("/email/settings").get_data(as_text=True)


def test_upgrade_encrypts_a_password_stored_in_plain_text(app_factory, scratch_url):  # noqa: F811
    app = app_factory(SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        dirs = dict(script_dirs(host_of(app)))
        for plugin in ("core", "sales_order", "purchase_order"):
            upgrade(db.engine, plugin, dirs[plugin])
        upgrade(db.engine, "email_templates", dirs["email_templates"], target="1252150e5090")
        db.session.execute(sa.text("INSERT INTO em_secret (\"key\", value, updated_at) "
                                   "VALUES ('smtp_password', :v, CURRENT_TIMESTAMP)"), {"v": PASSWORD})
        db.session.commit()
        db.session.remove()
        upgrade(db.engine, "email_templates", dirs["email_templates"])
        stored = raw_value()
        assert PASSWORD not in stored and decrypt(stored) == PASSWORD
