"""Batch entry for receipts and returns: entered into a batch, reviewed, printed, posted together."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.errors import ValidationError
from plugins.purchase_order.models import GoodsBatch, PurchaseOrder, Receipt, Return
from plugins.purchase_order.services import batches

from . import probe_plugin as probe
from .helpers import make_po, on_hand, set_options

BOLTS, GLOVES = ("BOLT-10", 10, "1"), ("GLOVES", 4, "2")


def _receipts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Receipt))


def _open_receipt_batch(*lines: tuple[str, int, str]) -> tuple[list[PurchaseOrder], GoodsBatch]:
    """Batch entry on, one PO per line (item, quantity, cost) and a new receipt batch."""
    set_options(batch_entry=True)
    pos = [make_po(lines=(line,)) for line in lines]
    return pos, batches.open_batch("receipt")


def _one_entry(qty: str) -> tuple[PurchaseOrder, GoodsBatch]:
    """A receipt batch holding one entry of ``qty`` BOLT-10 for a PO of 10."""
    (po,), batch = _open_receipt_batch(BOLTS)
    batches.add_entry(batch.id, po.id, {po.lines[0].id: qty})
    return po, batch


def test_batch_receipts_move_nothing_until_posted_then_post_together(papp):
    """Entries change no stock and fire no hook; posting runs the receipt service for each."""
    with papp.app_context():
        (a, b), batch = _open_receipt_batch(BOLTS, GLOVES)
        before = on_hand("BOLT-10")
        assert batch.number == "00001"
        batches.add_entry(batch.id, a.id, {a.lines[0].id: "6"}, comment="first truck",
                          comment_lines=["pallet wrapped"])
        batches.add_entry(batch.id, b.id, {b.lines[0].id: "4"})
        db.session.commit()
        assert _receipts() == 0 and on_hand("BOLT-10") == before
        assert not [c for c in probe.CALLS if c[0] == "on_receipt"]
        assert db.session.get(PurchaseOrder, a.id).lines[0].qty_received == 0
        posted = batches.post_batch(batch.id)
        db.session.commit()
        assert len(posted) == 2 and _receipts() == 2
        assert on_hand("BOLT-10") == before + 6
        assert [c[0] for c in probe.CALLS if c[0] == "on_receipt"] == ["on_receipt", "on_receipt"]
        kept = db.session.get(GoodsBatch, batch.id)
        assert kept.status == "posted" and kept.posted_at is not None
        assert [e.document_number for e in kept.entries] == [p.document.number for p in posted]
        first = db.session.scalars(sa.select(Receipt).where(Receipt.number == posted[0].document.number)).one()
        assert first.comment == "first truck" and [ln.comment for ln in first.lines if ln.item_id is None] == [
            "pallet wrapped"]


def test_batch_posting_is_all_or_nothing(papp):
    """A refused entry refuses the batch: the entry before it is not posted, the batch stays open."""
    with papp.app_context():
        (a, b), batch = _open_receipt_batch(BOLTS, GLOVES)
        before = on_hand("BOLT-10")
        batches.add_entry(batch.id, a.id, {a.lines[0].id: "6"})
        batches.add_entry(batch.id, b.id, {b.lines[0].id: "4"})
        db.session.commit()
        from plugins.purchase_order import services as svc

        svc.post_receipt(b.id, {b.lines[0].id: 3})  # someone receives most of PO b directly meanwhile
        db.session.commit()
        with pytest.raises(ValidationError) as exc:
            with db.session.begin_nested():
                batches.post_batch(batch.id)
        assert "Entry 2" in str(exc.value) and "outstanding" in str(exc.value)
        db.session.commit()
        assert db.session.get(GoodsBatch, batch.id).status == "open"
        assert on_hand("BOLT-10") == before and _receipts() == 1


def test_batch_entry_counts_earlier_entries_of_the_batch(app, demo):
    with app.app_context():
        po, batch = _one_entry("6")
        with pytest.raises(ValidationError, match="only 10 outstanding"):
            batches.add_entry(batch.id, po.id, {po.lines[0].id: "6"})


def test_return_batch_posts_returns(app, demo):
    with app.app_context():
        set_options(batch_entry=True)
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        from plugins.purchase_order import services as svc

        svc.post_receipt(po.id, {po.lines[0].id: 5})
        batch = batches.open_batch("return")
        batches.add_entry(batch.id, po.id, {po.lines[0].id: "2"}, comment="damaged")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Return)) == 0
        batches.post_batch(batch.id)
        db.session.commit()
        ret = db.session.scalars(sa.select(Return)).one()
        assert ret.comment == "damaged" and ret.lines[0].qty == 2
        assert db.session.get(PurchaseOrder, po.id).lines[0].qty_received == 3


def test_posted_batch_is_not_posted_twice(app, demo):
    with app.app_context():
        po, batch = _one_entry("2")
        batches.post_batch(batch.id)
        db.session.commit()
        with pytest.raises(ValidationError, match="already posted"):
            batches.post_batch(batch.id)
        with pytest.raises(ValidationError, match="already posted"):
            batches.add_entry(batch.id, po.id, {po.lines[0].id: "1"})
        assert _receipts() == 1


def test_two_clerks_posting_one_batch_post_it_once(app, demo):
    """Concurrent posts of the same batch: one posts, the other is refused (conditional update)."""
    with app.app_context():
        po, batch = _one_entry("4")
        db.session.commit()
        batch_id, po_id, before = batch.id, po.id, on_hand("BOLT-10")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk():
        with app.app_context():
            barrier.wait()
            try:
                batches.post_batch(batch_id)
                db.session.commit()
                outcomes.append("posted")
            except ValidationError as exc:
                db.session.rollback()
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=len) == ["posted", "Batch 00001 was already posted."]
    with app.app_context():
        assert _receipts() == 1
        assert db.session.get(PurchaseOrder, po_id).lines[0].qty_received == 4
        assert on_hand("BOLT-10") == before + 4


def test_batch_numbers_follow_the_alphanumeric_next_batch_option(app, demo):
    from core.options import options_for

    with app.app_context():
        set_options(batch_entry=True, next_batch="a0009")
        assert options_for("purchase_order")["next_batch"] == "A0009"
        assert [batches.open_batch("receipt").number for _ in range(2)] == ["A0009", "A0010"]
        assert options_for("purchase_order")["next_batch"] == "A0011"
        set_options(next_batch="Z9999")
        assert batches.open_batch("return").number == "Z9999"
        with pytest.raises(ValidationError, match="No batch numbers are left"):
            batches.open_batch("return")


def test_without_batch_entry_no_batch_opens(app, demo):
    with app.app_context():
        with pytest.raises(ValidationError, match="switched off"):
            batches.open_batch("receipt")


# -- the pages -------------------------------------------------------------------------------------


def test_receive_page_adds_to_a_batch_when_batch_entry_is_on(client, app, demo):
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"),), comment="dock 3 only")
        po_id, lid = po.id, po.lines[0].id
    client.login("purchasing")
    # off: the receipt posts at once, as before
    assert client.post(f"/purchase-orders/{po_id}/receive", data={f"qty_{lid}": "1"}).status_code == 302
    with app.app_context():
        assert _receipts() == 1
        set_options(batch_entry=True)
    page = client.get(f"/purchase-orders/{po_id}/receive").get_data(as_text=True)
    assert "Open a new batch" in page and "Add to batch" in page
    resp = client.post(f"/purchase-orders/{po_id}/receive", data={f"qty_{lid}": "2", "batch": "",
                                                                  "comment": "carrier late"})
    assert resp.status_code == 302 and "/goods-batches/" in resp.headers["Location"]
    with app.app_context():
        batch = db.session.scalars(sa.select(GoodsBatch)).one()
        batch_id = batch.id
        assert _receipts() == 1 and batch.entries[0].lines[0].qty == 2
    page = client.get(f"/purchase-orders/{po_id}/receive").get_data(as_text=True)
    assert f'<option value="{batch_id}" selected>00001' in page  # the newest open batch comes first
    resp = client.post(f"/purchase-orders/{po_id}/receive", data={f"qty_{lid}": "3", "batch": str(batch_id)})
    assert resp.status_code == 302
    review = client.get(f"/goods-batches/{batch_id}").get_data(as_text=True)
    assert "carrier late" in review and "Post the batch" in review
    listing = client.get("/goods-batches").get_data(as_text=True)
    assert "00001" in listing and "Open" in listing
    register = client.get(f"/goods-batches/{batch_id}/register").get_data(as_text=True)
    assert "Receipt register" in register and "carrier late" in register and "not posted yet" in register
    assert client.post(f"/goods-batches/{batch_id}/post").status_code == 302
    with app.app_context():
        assert _receipts() == 3
        assert db.session.get(PurchaseOrder, po_id).lines[0].qty_received == 6
    assert "Posted" in client.get(f"/goods-batches/{batch_id}").get_data(as_text=True)
    client.post(f"/goods-batches/{batch_id}/post")
    with app.app_context():
        assert _receipts() == 3


def test_register_prints_order_comments_only_with_the_option(client, app, demo):
    with app.app_context():
        set_options(batch_entry=True)
        po = make_po(lines=(("BOLT-10", 10, "1"),), comment="dock 3 only")
        batch = batches.open_batch("receipt")
        batches.add_entry(batch.id, po.id, {po.lines[0].id: "2"})
        db.session.commit()
        batch_id = batch.id
    client.login("purchasing")
    assert "dock 3 only" not in client.get(f"/goods-batches/{batch_id}/register").get_data(as_text=True)
    with app.app_context():
        set_options(print_comments_on_registers=True)
    page = client.get(f"/goods-batches/{batch_id}/register").get_data(as_text=True)
    assert "Order comment: dock 3 only" in page


def test_batch_pages_need_purchasing_to_change(client, app, demo):
    with app.app_context():
        set_options(batch_entry=True)
        batch = batches.open_batch("receipt")
        db.session.commit()
        batch_id = batch.id
    client.login("sales")
    assert client.get(f"/goods-batches/{batch_id}").status_code == 200
    assert client.post(f"/goods-batches/{batch_id}/post").status_code == 403
    assert client.post("/goods-batches/new", data={"kind": "receipt"}).status_code == 403
    assert client.post(f"/goods-batches/{batch_id}/post", csrf=False).status_code in (400, 403)
    assert client.get("/goods-batches/999999").status_code == 404


def test_open_batch_can_be_deleted_and_entries_removed(client, app, demo):
    with app.app_context():
        set_options(batch_entry=True)
        po = make_po(lines=(("BOLT-10", 10, "1"),))
        batch = batches.open_batch("receipt")
        entry = batches.add_entry(batch.id, po.id, {po.lines[0].id: Decimal(2)})
        db.session.commit()
        batch_id, entry_id = batch.id, entry.id
    client.login("purchasing")
    assert client.post(f"/goods-batches/{batch_id}/entries/{entry_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(GoodsBatch, batch_id).entries == []
    assert client.post(f"/goods-batches/{batch_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(GoodsBatch, batch_id) is None


def test_posted_batch_reads_in_full_after_its_po_is_purged(client, app, demo):
    """Period end may purge a completed PO: the kept batch still names its PO, items and costs."""
    with app.app_context():
        set_options(batch_entry=True)
        po = make_po(lines=(("BOLT-10", 10, "1.50"),))
        number = po.number
        batch = batches.open_batch("receipt")
        batches.add_entry(batch.id, po.id, {po.lines[0].id: "10"})
        batches.post_batch(batch.id)
        db.session.commit()
        batch_id = batch.id
        db.session.delete(db.session.get(PurchaseOrder, po.id))  # what the purge does to a completed PO
        db.session.commit()
    client.login("purchasing")
    register = client.get(f"/goods-batches/{batch_id}/register").get_data(as_text=True)
    assert number in register and "BOLT-10" in register and "15.00" in register
    assert number in client.get(f"/goods-batches/{batch_id}").get_data(as_text=True)


def test_entry_whose_po_was_deleted_refuses_the_posting(app, demo):
    with app.app_context():
        po, batch = _one_entry("1")
        db.session.commit()
        from plugins.purchase_order import services as svc

        svc.delete_purchase_order(db.session.get(PurchaseOrder, po.id))
        db.session.commit()
        with pytest.raises(ValidationError, match=r"Entry 1 \(PO .*\): the purchase order .* was deleted"):
            batches.post_batch(batch.id)
