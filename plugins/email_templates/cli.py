"""``orderbridge mail …``: send pending emails in batch, run the local mail sink, send a test."""

from __future__ import annotations

import click
from flask import current_app

from core.cli import subgroup
from core.db import db
from core.mailsink import DEFAULT_HOST, mailbox_path, serve_forever
from core.plugins import host_of

from . import PLUGIN


def register(cli: click.Group) -> None:
    mail = subgroup(cli, "mail", "Email: pending emails, the local mail sink.")

    @mail.command("send-pending")
    @click.option("--limit", type=click.IntRange(1, None), default=None, help="Send at most this many.")
    def send_pending_cmd(limit: int | None) -> None:
        """Send the pending emails that are due (batch sending, seed 001)."""
        from .outbox import recover_stale, send_pending

        host_of(current_app).require_enabled(PLUGIN)
        interrupted = recover_stale()
        if interrupted:
            click.echo(f"{interrupted} email(s) interrupted by a crash marked failed for review.")
        result = send_pending(limit=limit)
        click.echo(f"Pending emails: {result.summary()}.")
        for text in result.errors[:20]:
            click.echo(f"  {text}", err=True)

    @mail.command("sink")
    @click.option("--port", type=click.IntRange(1, 65535), default=None,
                  help="Default: the option “Local mail sink port” (8025).")
    def sink_cmd(port: int | None) -> None:
        """Run the local SMTP sink on 127.0.0.1 (idle when an SMTP server is configured)."""
        from . import options

        enabled = PLUGIN in host_of(current_app).enabled()
        host = options.smtp_host if enabled else ""
        port = port or (options.sink_port if enabled else 8025)
        path = mailbox_path(current_app.instance_path)
        db.session.remove()  # never sit on a transaction (on SQLite: the write lock) while serving
        if host:
            click.echo(f"An SMTP server is configured ({host}): the local mail sink is not started.")
            _idle()
            return
        click.echo(f"Local mail sink on {DEFAULT_HOST}:{port}, storing messages in {path}")
        serve_forever(path, DEFAULT_HOST, port)

    @mail.command("test")
    @click.argument("to")
    def test_cmd(to: str) -> None:
        """Send a test message to TO now and print the server's answer."""
        from .smtp import send_test_message

        host_of(current_app).require_enabled(PLUGIN)
        click.echo(send_test_message(to))


def _idle() -> None:
    """Stay up doing nothing, so a process manager (honcho) does not stop its other processes."""
    import time

    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
