"""The batch options on the purchase order options page: an alphanumeric *Next batch number*."""

from __future__ import annotations

import json
from io import BytesIO

import pytest

from core.db import db
from core.options import Option, OptionError, coerce, export_all, options_for

from .helpers import set_options


def test_code_option_accepts_letters_and_digits_ending_in_digits():
    opt = Option("next", "sequence", "00001", "Next", sequence={"name": "x", "alphanumeric": 1})
    assert coerce(opt, " a0005 ") == "A0005" and coerce(opt, "00001") == "00001"
    for bad in ("", "A-05", "ABC", "12345678901", "Ä0001"):
        with pytest.raises(OptionError):
            coerce(opt, bad)
    with pytest.raises(ValueError):
        Option("bad", "sequence", "ABC", "Bad", sequence={"name": "y", "alphanumeric": 1})


def _page_values(app) -> dict:
    with app.app_context():
        return {k: ("y" if v is True else "" if v is False else str(v))
                for k, v in options_for("purchase_order").items() if v is not False}


def test_next_batch_on_the_options_page(admin_client, app, demo):
    page = admin_client.get("/admin/options/purchase_order").get_data(as_text=True)
    assert 'name="next_batch" type="text"' in page and 'value="00001"' in page
    assert "Available only if Enable batch entry for receipts and returns is selected" in page
    for tab in ("Entry", "Printing"):
        assert f'data-tab="{tab}"' in page
    data = {**_page_values(app), "batch_entry": "y", "next_batch": "A-5"}
    resp = admin_client.post("/admin/options/purchase_order", data=data)
    assert resp.status_code != 302 and "letters and digits" in resp.get_data(as_text=True)
    resp = admin_client.post("/admin/options/purchase_order", data={**data, "next_batch": "b0120"})
    assert resp.status_code == 302
    with app.app_context():
        assert options_for("purchase_order")["next_batch"] == "B0120"
        exported = export_all()
        assert exported["plugins"]["purchase_order"]["next_batch"] == "B0120"
    page = admin_client.get("/admin/options/purchase_order").get_data(as_text=True)
    assert 'value="B0120"' in page
    exported["plugins"]["purchase_order"]["next_batch"] = "C0001"
    upload = {"document": (BytesIO(json.dumps(exported).encode()), "options.json")}
    resp = admin_client.post("/admin/options/import", data=upload, content_type="multipart/form-data")
    assert resp.status_code in (200, 302)
    with app.app_context():
        db.session.remove()
        assert options_for("purchase_order")["next_batch"] == "C0001"


def test_printing_options_are_offered_in_their_tab(admin_client, app, demo):
    with app.app_context():
        set_options(print_return_orders=False)
    page = admin_client.get("/admin/options/purchase_order").get_data(as_text=True)
    printing = page.split('<section data-tab="Printing"')[1].split("</section>")[0]
    for label in ("Print order comments on registers", "Print return orders",
                  "Print a bar code on purchase order receivers", "After quick printing a purchase order",
                  "After quick printing a receiver", "After quick printing a return order"):
        assert label in printing
    assert "Available only if Print return orders is selected" in printing


def test_reading_options_in_a_request_does_not_query_the_batch_counter_again(app, demo, count_queries):
    """The alphanumeric counter is read once per request with the others, not once per option read."""
    from plugins.purchase_order.options import options
    from plugins.purchase_order.services import batches

    with app.app_context():
        set_options(batch_entry=True)
    with app.test_request_context():
        assert options.next_batch == "00001"
        with count_queries() as n:
            for _ in range(5):
                assert options.batch_entry is True and options.next_batch == "00001"
        assert n.count == 0
        assert batches.open_batch("receipt").number == "00001"
        assert options.next_batch == "00002"  # the drawn number is seen at once
        db.session.rollback()
        assert options.next_batch == "00001"  # and given back with the rollback
