"""Pages and the command: Generate POs, reset, missing check, auto generate with preview."""

import sqlalchemy as sa

from core.db import db
from plugins.po_generation.generation import generate_for_order
from plugins.purchase_order import services as po_services
from plugins.purchase_order.models import PurchaseOrder

from .helpers import STANDARD_MIX, make_order, set_options, so_form


def count_pos(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder))


def test_generate_button_page_and_panels(app, client, demo):
    with app.app_context():
        so_id = make_order(STANDARD_MIX).id
    client.login("purchasing")
    page = client.get(f"/sales-orders/{so_id}")
    assert f"/po-generation/orders/{so_id}/generate".encode() in page.data  # page_actions
    assert b"Reset Purchase Orders" in page.data
    preview = client.get(f"/po-generation/orders/{so_id}/generate")
    assert preview.status_code == 200 and b"nothing has been written" in preview.data and count_pos(app) == 0
    resp = client.post(f"/po-generation/orders/{so_id}/generate")
    assert resp.status_code == 302 and count_pos(app) == 3
    listing = client.get(resp.headers["Location"])
    assert b"Purchase Order Number Assignment Listing" in listing.data
    page = client.get(f"/sales-orders/{so_id}")
    assert b"pogen-links" in page.data  # page_panels on the sales order
    with app.app_context():
        po_id = db.session.scalar(sa.select(PurchaseOrder.id).limit(1))
    assert b"Sales orders served" in client.get(f"/purchase-orders/{po_id}").data


def test_generation_off_hides_button(app, client, demo):
    with app.app_context():
        set_options(enable_in_entry=False)
        so_id = make_order(STANDARD_MIX).id
    client.login("purchasing")
    assert f"/po-generation/orders/{so_id}/generate".encode() not in client.get(f"/sales-orders/{so_id}").data
    client.post(f"/po-generation/orders/{so_id}/generate")
    assert count_pos(app) == 0
    missing = client.get("/po-generation/missing")
    assert b"generation off" in missing.data


def test_prompt_required_date_in_page(app, client, demo):
    with app.app_context():
        set_options(header_date="prompt")
        so_id = make_order(STANDARD_MIX).id
    client.login("purchasing")
    resp = client.post(f"/po-generation/orders/{so_id}/generate", data={"required_date": "nonsense"})
    assert resp.status_code == 422 and b"YYYY-MM-DD" in resp.data and count_pos(app) == 0
    resp = client.post(f"/po-generation/orders/{so_id}/generate", data={"required_date": "2030-05-06"})
    assert resp.status_code == 302 and count_pos(app) == 3


def test_reset_page_sent_confirmation(app, client, demo):
    with app.app_context():
        so = make_order(STANDARD_MIX)
        generate_for_order(so.id)
        po = db.session.scalars(sa.select(PurchaseOrder)).first()
        po_services.send_purchase_order(po, user_id=None)
        db.session.commit()
        so_id, sent_number = so.id, po.number
    client.login("purchasing")
    page = client.get(f"/po-generation/orders/{so_id}/reset")
    assert b"already sent to the vendor" in page.data and sent_number.encode() in page.data
    resp = client.post(f"/po-generation/orders/{so_id}/reset")
    assert resp.status_code == 422 and count_pos(app) == 3
    resp = client.post(f"/po-generation/orders/{so_id}/reset", data={"confirm_sent": "1"})
    assert resp.status_code == 302 and count_pos(app) == 0
    assert b"POs deleted" in client.get("/po-generation/missing").data


def test_auto_generate_preview_writes_nothing_then_generates(app, client, demo):
    with app.app_context():
        make_order(STANDARD_MIX)
        make_order([("SAW-TABLE", 1)], customer="C1002")
        set_options(print_listing_by_customer=False)
    client.login("purchasing")
    resp = client.post("/po-generation/auto", data={"action": "preview", "customer": "C1002"})
    assert resp.status_code == 200 and b"V2001" in resp.data and count_pos(app) == 0
    bad = client.post("/po-generation/auto", data={"action": "preview", "customer": "NOPE", "date_from": "x"})
    assert bad.status_code == 422 and b"NOPE" in bad.data
    resp = client.post("/po-generation/auto", data={"action": "generate"})
    assert resp.status_code == 302 and count_pos(app) == 4
    listing = client.get(resp.headers["Location"])
    assert b"Sorted by vendor number" in listing.data


def _generate_one_with(app, client, **options) -> str:
    """A buyer generates the PO of a new one-line order under ``options``: where they are sent."""
    with app.app_context():
        set_options(**options)
        so_id = make_order([("SAW-TABLE", 1)]).id
    client.login("purchasing")
    return client.post(f"/po-generation/orders/{so_id}/generate").headers["Location"]


def test_access_po_entry_after_generation(app, client, demo):
    assert "/purchase-orders/" in _generate_one_with(app, client, access_po_entry=True)


def test_print_prompt_after_generation(app, client, demo):
    assert b"pogen-print-prompt" in client.get(_generate_one_with(app, client, print_after=True)).data


def test_prompt_after_new_order(app, client, demo, users):
    client.login("sales")
    resp = client.post("/sales-orders/new", data=so_form(app, [("SAW-TABLE", "1")]))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="pogen-prompt"' in page and "Generate purchase orders for this new sales order now?" in page
    assert 'id="pogen-prompt"' not in client.get(resp.headers["Location"]).get_data(as_text=True)  # asked once
    assert count_pos(app) == 0  # asking generates nothing
    with app.app_context():
        set_options(prompt_on_new=False)
    resp = client.post("/sales-orders/new", data=so_form(app, [("SAW-TABLE", "1")]))
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="pogen-prompt"' not in page and "Generate POs" in page  # the button stays


def test_cli_generate_dry_run_then_real(app, runner, demo):
    with app.app_context():
        make_order(STANDARD_MIX)
    res = runner.invoke(args=["purchasing", "generate", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "Would create 3 purchase order(s)" in res.output and count_pos(app) == 0
    res = runner.invoke(args=["purchasing", "generate"])
    assert res.exit_code == 0 and "Created 3 purchase order(s)" in res.output and count_pos(app) == 3
    res = runner.invoke(args=["purchasing", "generate"])
    assert "Created 0 purchase order(s)" in res.output


def test_cli_required_date_prompt(app, runner, demo):
    with app.app_context():
        set_options(line_date="prompt")
        make_order([("SAW-TABLE", 1)])
    res = runner.invoke(args=["purchasing", "generate"])
    assert res.exit_code != 0 and "--required-date" in res.output
    res = runner.invoke(args=["purchasing", "generate", "--required-date", "2030-01-01"])
    assert res.exit_code == 0 and count_pos(app) == 1


def test_prompt_and_buttons_only_when_they_can_apply(app, client, demo, users):
    """Issue 14: the new-order prompt only when something needs buying; no Generate with
    nothing to order, no Drop-ship PO without a drop-ship line, no Reset on a cancelled order."""
    client.login("admin")  # every role's buttons

    def saved(lines):
        resp = client.post("/sales-orders/new", data=so_form(app, lines))
        assert resp.status_code == 302, resp.get_data(as_text=True)
        order_id = int(resp.headers["Location"].rsplit("/", 1)[1])
        return order_id, client.get(f"/sales-orders/{order_id}").get_data(as_text=True)

    stock_id, page = saved([("BOLT-10", "2")])  # in stock: nothing to buy
    assert 'id="pogen-prompt"' not in page
    assert f"/po-generation/orders/{stock_id}/generate" not in page
    assert "/po-generation/drop-ship" not in page
    assert "Reset Purchase Orders" in page

    bought_id, page = saved([("SAW-TABLE", "1")])  # buy to order
    assert 'id="pogen-prompt"' in page and f"/po-generation/orders/{bought_id}/generate" in page
    assert "/po-generation/drop-ship" not in page

    drop_id, page = saved([("DESK-OAK", "1")])  # drop ship
    assert f"/po-generation/drop-ship?order_id={drop_id}" in page

    assert client.post(f"/po-generation/orders/{bought_id}/generate").status_code == 302
    page = client.get(f"/sales-orders/{bought_id}").get_data(as_text=True)
    assert "pogen-links" in page and f"/po-generation/orders/{bought_id}/generate" not in page  # all ordered

    assert client.post(f"/sales-orders/{stock_id}/cancel").status_code == 302
    page = client.get(f"/sales-orders/{stock_id}").get_data(as_text=True)
    assert "Cancelled" in page and "Reset Purchase Orders" not in page


def test_order_page_of_an_order_covered_from_stock_reads_no_generation_inputs(app, client, demo, monkeypatch):
    """The Generate POs button is decided in memory when every line is covered by its stock
    allocation; the inputs are read only when a line may need buying."""
    import plugins.po_generation.inputs as inputs

    reads = []
    real = inputs.load_inputs
    monkeypatch.setattr(inputs, "load_inputs", lambda *a, **kw: reads.append(a) or real(*a, **kw))
    with app.app_context():
        covered = make_order([("BOLT-10", 2)]).id  # stocked, in stock: allocated in full
        short = make_order(STANDARD_MIX).id  # buy-to-order and short lines
    client.login("purchasing")
    reads.clear()
    page = client.get(f"/sales-orders/{covered}").get_data(as_text=True)
    assert "Generate POs" not in page and "Reset Purchase Orders" in page and reads == []
    page = client.get(f"/sales-orders/{short}").get_data(as_text=True)
    assert "Generate POs" in page and len(reads) == 1
