"""``orderbridge sales ...`` commands."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app

from core.cli import subgroup
from core.db import db


def _require() -> None:
    from core.plugins import host_of

    host_of(current_app).require_enabled("sales_order")


def register(cli: click.Group) -> None:
    group = subgroup(cli, "sales", help="Sales orders.")

    @group.command("purge")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Run as if today were this date (YYYY-MM-DD).")
    def purge_command(today):
        """Order Purge: delete or archive completed orders past the retention period."""
        from .services import purge

        _require()
        try:
            result = purge(today.date() if today else date.today())
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        click.echo(result.summary())
        for path in result.files:
            click.echo(f"archive file: {path}")

    @group.command("allocate-scheduled")
    def allocate_scheduled_command():
        """Scheduled Order Allocation: allocate forward orders now inside the window."""
        from .services import allocate_scheduled

        _require()
        done = allocate_scheduled()
        db.session.commit()
        click.echo(f"Allocated {len(done)} scheduled order(s): {', '.join(o.number for o in done) or '-'}")
