"""The Order Purge program: completed and cancelled orders past retention are deleted or archived."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from core import activity
from core.db import db
from core.models import Item
from core.options import Options

from . import options, pricing
from .models import OPEN_STATUSES, SalesInvoice, SalesInvoiceLine, SalesOrder, SalesOrderLine
from .options import PURGE_PRICE_STATUSES
from .queries import purgeable_orders
from .rules import purge_cutoff

ARCHIVE_FORMAT = "orderbridge-sales-archive/1"
UNLIMITED_PER_FILE = 9999  # the seed's "unlimited number of sales orders in one file"


@dataclass
class PurgeResult:
    deleted: list[str] = field(default_factory=list)
    lines_removed: int = 0  # *Delete completed order lines*: shipped lines of orders still open
    prices_updated: int = 0  # lines given the item's current price (*Order status codes ... price update*)
    archived: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    cutoff: date | None = None

    def summary(self) -> str:
        lines = f" Removed {self.lines_removed} completed line(s) of open orders." if self.lines_removed else ""
        prices = f" Updated the price of {self.prices_updated} line(s)." if self.prices_updated else ""
        return self._orders_summary() + lines + prices

    def _orders_summary(self) -> str:
        if self.cutoff is None:
            return "Completed orders are kept indefinitely (999): nothing purged."
        if self.archived:
            return (f"Archived {len(self.archived)} completed order(s) to {len(self.files)} file(s) "
                    f"and removed them: {', '.join(self.archived)}.")
        if self.deleted:
            return f"Deleted {len(self.deleted)} completed order(s): {', '.join(self.deleted)}."
        return f"No completed orders dated before {self.cutoff.isoformat()}."


def order_to_dict(order: SalesOrder) -> dict:
    def val(v):
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, date | datetime):
            return v.isoformat()
        return v

    def row(obj, skip=()):
        return {c.key: val(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}

    data = row(order)
    data["status_label"] = order.status_label
    data["customer_number"] = order.customer.number
    data["lines"] = [{**row(line), "item_code": line.item.code} for line in order.lines]
    data["invoices"] = [{**row(inv), "lines": [row(il) for il in inv.lines]} for inv in order.invoices]
    return data


def purge(today: date | None = None, archive_dir: str | Path | None = None) -> PurgeResult:
    """Delete (or archive to JSON files, then delete) completed orders past the retention period."""
    o = options.current()
    today = today or date.today()
    result = PurgeResult(cutoff=purge_cutoff(today, o["retain_days"], o["retention_in_months"]))
    result.prices_updated = _update_prices(o)
    if o["delete_completed_lines"]:  # unavailable (so False) when completed orders are archived
        result.lines_removed = _delete_completed_lines()
    if result.cutoff is None:
        return result
    orders = purgeable_orders(result.cutoff)
    if not orders:
        return result
    if o["archive_completed"]:
        folder = Path(archive_dir or Path(current_app.instance_path) / "archive" / "sales_orders")
        result.files = _write_archive(orders, folder, o["archive_max_orders"], today)
        result.archived = [x.number for x in orders]
    else:
        result.deleted = [x.number for x in orders]
    _delete(orders)
    return result


def _write_archive(orders: list[SalesOrder], folder: Path, per_file: int, today: date) -> list[str]:
    size = len(orders) if per_file >= UNLIMITED_PER_FILE else per_file
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    files = []
    for n, start in enumerate(range(0, len(orders), size), 1):
        path = folder / f"so-archive-{stamp}-{n:03d}.json"
        path.write_text(json.dumps({"format": ARCHIVE_FORMAT, "purged_on": today.isoformat(),
                                    "orders": [order_to_dict(x) for x in orders[start:start + size]]}, indent=1))
        files.append(str(path))
    return files


PRICE_STATUSES = tuple(code for code, _name in PURGE_PRICE_STATUSES)


def _update_prices(o: Options) -> int:
    """Unshipped lines of stocked items on orders in the chosen statuses take the current list price."""
    statuses = [code for code in PRICE_STATUSES if o[f"purge_prices_{code.lower()}"]]
    if not statuses:
        return 0
    lines = db.session.scalars(
        sa.select(SalesOrderLine).join(SalesOrder).join(Item, Item.id == SalesOrderLine.item_id)
        .where(SalesOrder.status.in_(statuses), Item.stocked, SalesOrderLine.qty_shipped == 0,
               SalesOrderLine.unit_price != Item.list_price)
        .options(selectinload(SalesOrderLine.item))).all()
    for line in lines:
        line.unit_price = line.item.list_price
        line.line_value = pricing.line_value(line.unit_price, line.qty_ordered, line.discount_pct,
                                             o["discount_method"], o["price_decimals"])
    db.session.flush()
    return len(lines)


def _delete_completed_lines() -> int:
    """Lines fully shipped, with nothing left to ship or on back order, of orders not complete."""
    ids = list(db.session.scalars(
        sa.select(SalesOrderLine.id).join(SalesOrder)
        .where(SalesOrder.status.in_(OPEN_STATUSES), SalesOrderLine.qty_ordered != 0,
               SalesOrderLine.qty_shipped == SalesOrderLine.qty_ordered, SalesOrderLine.qty_to_ship == 0,
               SalesOrderLine.qty_backordered == 0, SalesOrderLine.qty_reserved == 0)))
    if not ids:
        return 0
    # the invoices keep their lines (their value is history); only the link to the order line goes
    db.session.execute(sa.update(SalesInvoiceLine).where(SalesInvoiceLine.so_line_id.in_(ids))
                       .values(so_line_id=None).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(SalesOrderLine).where(SalesOrderLine.id.in_(ids))
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    return len(ids)


def _delete(orders: list[SalesOrder]) -> None:
    ids = [x.id for x in orders]
    for x in orders:
        activity.record("sales_order", x.id, activity.DELETED, "Purged (Order Purge: kept long enough)",
                        number=x.number)
        db.session.expunge(x)
    db.session.execute(sa.delete(SalesInvoice).where(SalesInvoice.order_id.in_(ids)))
    db.session.execute(sa.delete(SalesOrderLine).where(SalesOrderLine.order_id.in_(ids)))
    db.session.execute(sa.delete(SalesOrder).where(SalesOrder.id.in_(ids)))
    db.session.flush()
