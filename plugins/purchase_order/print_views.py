"""Printed documents of receiving: the PO receiver, return orders and the returns list.

*Quick printing* is printing straight from a list (``?quick=1``): the page opens the
print dialog by itself and, once printed, goes back to the document or to the list as
the *redisplay after quick printing* option of that document type says.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from core.auth import require
from core.db import db
from core.web import paginate

from .barcodes import code128_svg
from .models import PurchaseOrder, Return, ReturnLine
from .options import options
from .views import _get_po, bp


def after_quick_print(redisplay: bool, document_url: str, list_url: str) -> str | None:
    """Where a quick-printed page goes once printed; None when not printed from a list."""
    if request.args.get("quick") != "1":
        return None
    return document_url if redisplay else list_url


@bp.route("/purchase-orders/<int:po_id>/receiver")
@require()
def receiver(po_id: int):
    """The receiving document of a PO: what is still to come, with room to count it."""
    po = _get_po(po_id)
    after = after_quick_print(options.redisplay_receiver, url_for(".view", po_id=po.id), url_for(".index"))
    return render_template("purchase_order/receiver.html", po=po, after_print=after,
                           barcode=code128_svg(po.number) if options.barcode_receivers else None)


def _load_return(return_id: int) -> Return:
    ret = db.session.scalars(sa.select(Return).where(Return.id == return_id).options(
        selectinload(Return.lines).selectinload(ReturnLine.item))).one_or_none()
    if ret is None:
        abort(404)
    return ret


@bp.route("/returns")
@require()
def returns():
    q = request.args.get("q", "").strip()
    stmt = sa.select(Return).options(joinedload(Return.vendor)).order_by(Return.id.desc())
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(sa.or_(Return.number.ilike(like), Return.po_number.ilike(like)))
    return render_template("purchase_order/returns.html", page=paginate(stmt), q=q,
                           printable=options.print_return_orders)


@bp.route("/returns/<int:return_id>")
@require()
def return_view(return_id: int):
    return render_template("purchase_order/return.html", r=_load_return(return_id),
                           printable=options.print_return_orders)


@bp.route("/returns/<int:return_id>/print")
@require()
def return_order(return_id: int):
    """The return order that goes back with the goods (*Print return orders*)."""
    if not options.print_return_orders:
        abort(404)
    ret = _load_return(return_id)
    after = after_quick_print(options.redisplay_return, url_for(".return_view", return_id=ret.id),
                              url_for(".returns"))
    po = db.session.get(PurchaseOrder, ret.po_id) if ret.po_id else None
    return render_template("purchase_order/return_order.html", r=ret, po=po, after_print=after)
