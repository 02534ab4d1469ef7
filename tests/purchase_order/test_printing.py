"""Printed receiving documents: receivers with a scannable bar code, return orders, quick printing."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa
import zxingcpp  # the test extra's decoder (a wheel, no system library)
from PIL import Image, ImageDraw

from core.db import db
from plugins.purchase_order import services as svc
from plugins.purchase_order.models import PurchaseOrder, Return

from .helpers import make_po, set_options

PX_PER_MM = 12
_RECT = re.compile(r'<rect x="([\d.]+)mm" y="([\d.]+)mm" width="([\d.]+)mm" height="([\d.]+)mm" style="fill:black;"')
_SIZE = re.compile(r'<svg [^>]*width="([\d.]+)mm" height="([\d.]+)mm"')


def rasterize(svg: str):
    """Draw the page's bar code SVG (black rectangles on white, millimetres) as a bitmap."""
    width, height = (float(v) for v in _SIZE.search(svg).groups())
    img = Image.new("L", (round(width * PX_PER_MM), round(height * PX_PER_MM)), 255)
    draw = ImageDraw.Draw(img)
    bars = _RECT.findall(svg)
    assert bars, "the bar code has no bars"
    for x, y, w, h in (map(float, bar) for bar in bars):
        draw.rectangle([round(x * PX_PER_MM), round(y * PX_PER_MM), round((x + w) * PX_PER_MM) - 1,
                        round((y + h) * PX_PER_MM) - 1], fill=0)
    return img


def _po(app) -> tuple[int, str]:
    with app.app_context():
        po = make_po(lines=(("BOLT-10", 10, "1"), ("GLOVES", 4, "2")), comment="dock 3")
        return po.id, po.number


def test_receiver_bar_code_decodes_to_the_po_number(client, app, demo):
    po_id, number = _po(app)
    client.login("purchasing")
    plain = client.get(f"/purchase-orders/{po_id}/receiver").get_data(as_text=True)
    assert "Receiver — purchase order" in plain and "BOLT-10" in plain and "<svg" not in plain
    with app.app_context():
        set_options(barcode_receivers=True)
    page = client.get(f"/purchase-orders/{po_id}/receiver").get_data(as_text=True)
    svg = re.search(r'<div id="receiver-barcode">(.*?)</div>', page, re.S).group(1)
    assert svg.lstrip().startswith("<svg") and "<?xml" not in svg and "<script" not in svg
    found = zxingcpp.read_barcodes(rasterize(svg))
    assert [(r.text, r.format.name) for r in found] == [(number, "Code128")]


def test_receiver_lists_what_is_still_to_come(client, app, demo):
    po_id, _ = _po(app)
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        svc.post_receipt(po_id, {po.lines[0].id: 6})
        db.session.commit()
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}/receiver").get_data(as_text=True)
    row = re.search(r"<tr><td>1</td>.*?</tr>", page, re.S).group(0)
    assert "<strong>4</strong>" in row  # 10 ordered, 6 received: 4 expected


def test_return_orders_only_with_the_option_and_offered_after_a_return(client, app, demo):
    po_id, number = _po(app)
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        lid = po.lines[0].id
        svc.post_receipt(po_id, {lid: 6})
        db.session.commit()
    client.login("purchasing")
    resp = client.post(f"/purchase-orders/{po_id}/return", data={f"qty_{lid}": "1"})
    assert resp.headers["Location"].endswith(f"/purchase-orders/{po_id}")  # off: back to the PO, no document
    with app.app_context():
        first = db.session.scalars(sa.select(Return.id)).one()
    assert client.get(f"/returns/{first}/print").status_code == 404
    assert "Print return order" not in client.get("/returns").get_data(as_text=True)
    with app.app_context():
        set_options(print_return_orders=True)
    resp = client.post(f"/purchase-orders/{po_id}/return", data={f"qty_{lid}": "2", "comment": "wrong size"})
    assert resp.status_code == 302 and re.search(r"/returns/\d+/print$", resp.headers["Location"])
    doc = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Return order" in doc and number in doc and "Reason: wrong size" in doc and "BOLT-10" in doc
    assert "data-print" in doc
    assert "Print return order" in client.get("/returns").get_data(as_text=True)


def _after(page: str) -> str:
    return unescape(re.search(r'data-after-print="([^"]+)"', page).group(1))


@pytest.mark.parametrize("redisplay", [True, False])
def test_quick_printed_po_goes_back_to_the_po_or_the_list(client, app, demo, redisplay):
    po_id, _ = _po(app)
    with app.app_context():
        set_options(redisplay_po=redisplay)
    client.login("purchasing")
    listing = client.get("/purchase-orders").get_data(as_text=True)
    assert f"/purchase-orders/{po_id}/print?quick=1" in listing
    page = client.get(f"/purchase-orders/{po_id}/print?quick=1").get_data(as_text=True)
    assert "data-print-on-load" in page
    assert _after(page) == (f"/purchase-orders/{po_id}" if redisplay else "/purchase-orders")
    assert "data-after-print" not in client.get(f"/purchase-orders/{po_id}/print").get_data(as_text=True)


@pytest.mark.parametrize("redisplay", [True, False])
def test_quick_printed_receiver_follows_its_own_option(client, app, demo, redisplay):
    po_id, _ = _po(app)
    with app.app_context():
        set_options(redisplay_receiver=redisplay, redisplay_po=not redisplay)
    client.login("purchasing")
    page = client.get(f"/purchase-orders/{po_id}/receiver?quick=1").get_data(as_text=True)
    assert _after(page) == (f"/purchase-orders/{po_id}" if redisplay else "/purchase-orders")


def test_quick_printed_return_order_redisplay_needs_return_orders(client, app, demo):
    po_id, _ = _po(app)
    with app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        svc.post_receipt(po_id, {po.lines[0].id: 6})
        ret = svc.post_return(po_id, {po.lines[0].id: 1}).document
        db.session.commit()
        ret_id = ret.id
        set_options(print_return_orders=True, redisplay_return=True)
    client.login("purchasing")
    assert f"/returns/{ret_id}/print?quick=1" in client.get("/returns").get_data(as_text=True)
    assert _after(client.get(f"/returns/{ret_id}/print?quick=1").get_data(as_text=True)) == f"/returns/{ret_id}"
    with app.app_context():
        set_options(print_return_orders=False)
        from core.options import options_for

        # not available without return orders: it reads as its default (back to the list)
        assert options_for("purchase_order")["redisplay_return"] is False
