"""``orderbridge purchasing generate``: auto generate POs from open sales orders."""

from __future__ import annotations

import sys
from datetime import date

import click
import sqlalchemy as sa
from flask import current_app

from core.cli import subgroup


def register(cli: click.Group) -> None:
    purchasing = subgroup(cli, "purchasing", "Purchasing: purchase orders and their generation.")

    @purchasing.command("generate")
    @click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Order date from (YYYY-MM-DD).")
    @click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Order date to (YYYY-MM-DD).")
    @click.option("--customer", help="Only this customer's orders (customer number).")
    @click.option("--vendor", help="Only lines for this vendor (vendor number).")
    @click.option("--order", "orders", multiple=True, help="Only this sales order number (repeatable).")
    @click.option("--required-date", type=click.DateTime(["%Y-%m-%d"]),
                  help="The required date when the Generate options say Prompt.")
    @click.option("--dry-run", "--preview", "dry_run", is_flag=True, help="Show what would be created; write nothing.")
    def generate_cmd(date_from, date_to, customer, vendor, orders, required_date, dry_run):
        """Generate purchase orders for the selected open sales orders (all by default)."""
        from core.db import db
        from core.models import Partner
        from core.plugins import host_of
        from plugins.sales_order.models import SalesOrder

        from . import PLUGIN, generation
        from .rules import PromptNeeded

        host_of(current_app).require_enabled(PLUGIN)
        sel = generation.Selection(date_from=date_from.date() if date_from else None,
                                 date_to=date_to.date() if date_to else None)
        for name, code in (("customer", customer), ("vendor", vendor)):
            if code:
                pid = db.session.scalar(sa.select(Partner.id).where(Partner.number == code))
                if pid is None:
                    raise click.ClickException(f"no {name} with number {code!r}")
                setattr(sel, f"{name}_id", pid)
        if orders:
            sel.order_ids = list(db.session.scalars(sa.select(SalesOrder.id).where(SalesOrder.number.in_(orders))))
        prompt_date: date | None = required_date.date() if required_date else None
        options = generation.gen_options()
        if not dry_run:
            generation.lock_orders(sel)
        try:
            plan = generation.make_plan(sel, prompt_date=prompt_date, options=options)
        except PromptNeeded as exc:
            raise click.ClickException(f"{exc}: pass --required-date YYYY-MM-DD") from None
        if dry_run:
            generation.number_plan(plan, options, preview=True)
            db.session.rollback()
        else:
            with click.progressbar(length=max(1, plan.line_count), label="Generating",
                                   file=sys.stderr if sys.stderr.isatty() else None) as bar:
                result = generation.write_plan(plan, options)
                db.session.commit()
                bar.update(max(1, plan.line_count))
        for d in plan.drafts:
            click.echo(f"PO {d.number or '?':12} type {d.order_type} vendor {d.vendor_number:10} "
                       f"SO {', '.join(d.so_numbers[:3])}{' …' if len(d.so_numbers) > 3 else ''} "
                       f"lines {len(d.lines)}{' (added to open PO)' if d.number_source == 'existing' else ''}")
        for inc in plan.increases:
            click.echo(f"PO {inc.link.po_number:12} +{inc.qty} for SO {inc.so_number} line {inc.so_line_no}")
        for p in plan.problems:
            click.echo(f"warning: {p.message}", err=True)
        verb = "Would create" if dry_run else "Created"
        new = sum(1 for d in plan.drafts if d.number_source != "existing")
        click.echo(f"{verb} {new} purchase order(s) with {plan.line_count} line(s) from "
                   f"{len({o for d in plan.drafts for o in d.order_ids})} sales order(s); "
                   f"{len(plan.problems)} line(s) without a vendor."
                   + ("" if dry_run else f" ({result.lines} written)"))
