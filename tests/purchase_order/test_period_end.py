"""Period end removes exactly what the History and Main options say, and nothing else."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import utcnow
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import (
    PoHistory,
    PurchaseHistory,
    PurchaseOrder,
    PurchaseOrderException,
    Receipt,
    ReceiptLine,
    Return,
)
from plugins.purchase_order.options import options
from plugins.purchase_order.period_end import run_period_end

from .helpers import ids, make_po, set_options


def _prepare():
    """Old complete PO, recent complete PO, open PO, cancelled PO, receipts with comments, history."""
    set_options(current_year=2026, current_period=12, retain_days=30, history_years=3)
    k = ids()
    old = make_po(lines=(("BOLT-10", 5, "1"),))
    svc.post_receipt(old.id, {old.lines[0].id: 5}, comment_lines=["pallet wrapped"],
                     line_comments={old.lines[0].id: "counted twice"})
    svc.add_exception(old, "old exception")
    old.completed_at = utcnow() - timedelta(days=40)
    recent = make_po(lines=(("GLOVES", 2, "1"),))
    svc.post_receipt(recent.id, {recent.lines[0].id: 2})
    recent.completed_at = utcnow() - timedelta(days=10)
    open_ = make_po(lines=(("BOLT-10", 10, "1"),))
    svc.post_receipt(open_.id, {open_.lines[0].id: 1})
    svc.post_return(open_.id, {open_.lines[0].id: 1})
    cancelled = make_po(commit=False)
    svc.cancel_purchase_order(cancelled)
    for year in (2020, 2023, 2024):
        db.session.add(PurchaseHistory(item_id=k["BOLT-10"], vendor_id=k["V2000"], fiscal_year=year, period=1,
                                       qty_received=Decimal(1), amount_received=Decimal(1)))
    db.session.commit()
    return {n: po.number for n, po in
            (("old", old), ("recent", recent), ("open", open_), ("cancelled", cancelled))}


def _numbers():
    return set(db.session.scalars(sa.select(PurchaseOrder.number)))


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_default_rules(app, demo):
    with app.app_context():
        n = _prepare()
        dry = run_period_end(dry_run=True)
        db.session.rollback()
        assert dry.counts["completed_pos"] == 1 and dry.counts["purchase_history_rows"] == 2
        assert _numbers() == set(n.values())  # the dry run changed nothing
        assert options.current()["current_period"] == 12
        res = run_period_end()
        db.session.commit()
        assert res.counts["completed_pos"] == 1 and res.counts["cancelled_pos"] == 0
        assert _numbers() == {n["recent"], n["open"], n["cancelled"]}
        assert _count(PurchaseOrderException) == 0  # went with its PO
        # receipt history kept in detail (Yes), including comment lines; the purged PO's receipt stays
        assert _count(Receipt) == 3 and _count(ReceiptLine, ReceiptLine.item_id.is_(None)) == 1
        assert db.session.scalar(sa.select(Receipt.po_number).where(Receipt.po_id.is_(None))) == n["old"]
        assert _count(Return) == 1
        # purchase history: 2024-2026 kept with 3 years; this year's receipts too
        years = set(db.session.scalars(sa.select(PurchaseHistory.fiscal_year)))
        assert years == {2024, 2026}
        # recap: cancelled + completed rows written, not purged
        kinds = sorted(db.session.scalars(sa.select(PoHistory.kind)))
        assert kinds == ["cancelled", "completed"]
        o = options.current()
        assert (o["current_year"], o["current_period"]) == (2027, 1)


def test_retain_days_zero_purges_every_completed(app, demo):
    with app.app_context():
        n = _prepare()
        set_options(retain_days=0)
        run_period_end()
        db.session.commit()
        assert _numbers() == {n["open"], n["cancelled"]}


def test_receipt_history_no(app, demo):
    with app.app_context():
        _prepare()
        set_options(retain_receipt_history="no")
        res = run_period_end()
        db.session.commit()
        assert res.counts["receipts"] == 3 and _count(Receipt) == 0 and _count(ReceiptLine) == 0
        assert _count(Return) == 1


def test_receipt_history_summary_only(app, demo):
    with app.app_context():
        _prepare()
        set_options(retain_receipt_history="summary")
        run_period_end()
        db.session.commit()
        assert _count(Receipt) == 3 and _count(ReceiptLine) == 0
        assert all(r.summary_only and r.total_qty > 0 for r in db.session.scalars(sa.select(Receipt)))


def test_receipt_history_until_period_end_purges_cancelled(app, demo):
    with app.app_context():
        n = _prepare()
        set_options(retain_receipt_history="period_end")
        run_period_end()
        db.session.commit()
        assert n["cancelled"] not in _numbers() and n["open"] in _numbers()
        assert _count(ReceiptLine) == 4  # detail kept


def test_comment_lines_dropped_when_not_retained(app, demo):
    with app.app_context():
        _prepare()
        set_options(retain_receipt_comments=False)
        res = run_period_end()
        db.session.commit()
        assert res.counts["comment_lines"] == 1 and res.counts["comment_texts"] == 1
        assert _count(ReceiptLine, ReceiptLine.item_id.is_(None)) == 0
        assert _count(ReceiptLine, ReceiptLine.comment != "") == 0
        assert _count(ReceiptLine) == 3


def test_comment_option_ignored_with_summary(app, demo):
    with app.app_context():
        set_options(retain_receipt_comments=False, retain_receipt_history="summary")
        assert options.current()["retain_receipt_comments"] is True  # not available: reads as its default


@pytest.mark.parametrize("purge", [True, False])
def test_purge_recap(app, demo, purge):
    with app.app_context():
        n = _prepare()
        db.session.add(PoHistory(kind="deleted", po_number="ZZ1", reason_code="DUP"))
        db.session.commit()
        set_options(purge_recap=purge)
        res = run_period_end()
        db.session.commit()
        if purge:
            assert res.counts["recap_rows"] == 2 and _count(PoHistory) == 0
            assert n["cancelled"] not in _numbers()
        else:
            assert _count(PoHistory) == 3 and n["cancelled"] in _numbers()


def test_no_po_history_writes_no_recap(app, demo):
    with app.app_context():
        _prepare()
        set_options(retain_po_history=False)
        run_period_end()
        db.session.commit()
        assert _count(PoHistory, PoHistory.kind == "completed") == 0


def test_cli_dry_run_and_run(app, demo, runner):
    with app.app_context():
        n = _prepare()
    result = runner.invoke(args=["purchasing", "period-end", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and n["old"] in result.output
    with app.app_context():
        assert n["old"] in _numbers()
    result = runner.invoke(args=["purchasing", "period-end"])
    assert result.exit_code == 0, result.output
    assert "Period end done" in result.output and "12/2026 -> 1/2027" in result.output
    with app.app_context():
        assert n["old"] not in _numbers()


def test_page_preview_and_button(client, demo, app):
    with app.app_context():
        n = _prepare()
    client.login("purchasing")
    page = client.get("/purchasing/period-end").get_data(as_text=True)
    assert "Dry run" in page and n["old"] in page
    with app.app_context():
        assert n["old"] in _numbers()
    resp = client.post("/purchasing/period-end", follow_redirects=True)
    assert "Period end done" in resp.get_data(as_text=True)
    with app.app_context():
        assert n["old"] not in _numbers()
