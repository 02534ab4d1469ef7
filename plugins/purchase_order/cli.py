"""``orderbridge purchasing period-end [--dry-run]``."""

from __future__ import annotations

import click
from flask import current_app

from core.cli import subgroup


def register(cli: click.Group) -> None:
    group = subgroup(cli, "purchasing", "Purchasing: purchase orders, period end, generation.")

    @group.command("period-end")
    @click.option("--dry-run", is_flag=True, help="Show what would be purged; change nothing.")
    def period_end_cmd(dry_run: bool) -> None:
        """Purchase Order period end: purge by the History options and advance the current period."""
        from core.db import db
        from core.plugins import host_of

        from .period_end import run_period_end

        host_of(current_app).require_enabled("purchase_order")
        try:
            result = run_period_end(dry_run=dry_run)
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        click.echo(("Dry run: would " if dry_run else "Period end done: ") + result.summary())
        for line in result.details:
            click.echo("  " + line)
