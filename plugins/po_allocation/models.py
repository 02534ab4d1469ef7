"""The plugin's own tables (prefix ``pa_``): back-order links, per-PO-line lock rows, fills.

``pa_link`` is the truth of what waits on a PO line: ``qty`` is the back-ordered quantity
linked, ``qty_filled`` what receipts released to the sales order line since; the rest is
still open. ``pa_po_line`` holds one row per PO line that was ever allocated: allocation
takes its row lock, so two orders racing for one PO line are served one after the other
(the PO line itself belongs to purchase_order and is never written here). ``pa_fill``
records what each receipt released, for the Back Order Fill Report.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import ZERO, Quantity, db
from plugins.sales_order.fills import FillColumns, LinkColumns


class PaLink(LinkColumns, db.Model):
    """One sales order line's back order waiting on one PO line."""

    __tablename__ = "pa_link"
    __table_args__ = (sa.UniqueConstraint("so_line_id", "po_line_id", name="uq_pa_link_so_line_po_line"),)

    qty_filled: Mapped[Decimal] = mapped_column(Quantity, default=ZERO)
    manual: Mapped[bool] = mapped_column(default=False)

    @property
    def qty_open(self) -> Decimal:
        return max(ZERO, (self.qty or ZERO) - (self.qty_filled or ZERO))


class PaPoLine(db.Model):
    """The row an allocation locks for a PO line (``SELECT ... FOR UPDATE``)."""

    __tablename__ = "pa_po_line"

    po_line_id: Mapped[int] = mapped_column(sa.ForeignKey("po_line.id", ondelete="CASCADE"), primary_key=True)
    allocations: Mapped[int] = mapped_column(default=0)  # how many times it was allocated (diagnostics)


class PaFill(FillColumns, db.Model):
    """What one receipt line released to one sales order line through a link."""

    __tablename__ = "pa_fill"

    receipt_id: Mapped[int] = mapped_column(sa.ForeignKey("po_receipt.id", ondelete="CASCADE"), index=True)
