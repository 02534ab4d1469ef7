"""``orderbridge supplier-sync …``: the periodic sweep and a reconciliation on demand."""

from __future__ import annotations

import time

import click
from flask import current_app

from core.cli import subgroup
from core.plugins import host_of


def register(cli: click.Group) -> None:
    group = subgroup(cli, "supplier-sync", "Supplier sync: retry due notifications, reconcile vendors.")

    @group.command("sweep")
    @click.option("--every", type=click.FloatRange(min=1), default=None,
                  help="Keep running, sweeping every this many seconds.")
    def sweep(every: float | None) -> None:
        """Retry due notifications and reconcile every auto-sync vendor."""
        from . import jobs

        host_of(current_app).require_enabled("supplier_sync")
        while True:
            counts = jobs.sweep()
            click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing to do")
            if every is None:
                return
            time.sleep(every)

    @group.command("reconcile")
    @click.argument("vendor_number")
    def reconcile(vendor_number: str) -> None:
        """Pull every order the vendor's supplier changed since the last reconciliation."""
        import sqlalchemy as sa

        from core.db import db
        from core.models import Partner

        from . import sync

        host_of(current_app).require_enabled("supplier_sync")
        vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == vendor_number))
        if vendor_id is None:
            raise click.ClickException(f"no vendor numbered {vendor_number}")
        try:
            outcomes = sync.reconcile(vendor_id)
        except sync.SyncError as exc:
            raise click.ClickException(str(exc)) from None
        for ref, outcome in outcomes.items():
            click.echo(f"{ref}: {outcome}")
