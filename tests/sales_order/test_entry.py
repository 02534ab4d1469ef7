"""Order entry without selects (issues 14 and 15): type-ahead look-ups, typed codes resolved by
the server (the form works without JavaScript), decimals as the options say, and pages whose
size and query count do not grow with the catalogue."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core import lookup
from core.db import db
from core.models import Item, Partner
from plugins.sales_order.forms import shown_decimal
from plugins.sales_order.models import SalesOrder
from tests.catalogue import grow_catalogue, page_costs, save_cost


def order_form(so, customer="C1000", lines=(("BOLT-10", "5"),), **extra) -> dict:
    """The entry form as a browser without JavaScript posts it: codes typed, no ids."""
    data = {"customer_code": customer, "warehouse_id": str(so.warehouse()), "order_type": "O", **extra}
    for i, (code, qty, *rest) in enumerate(lines):
        data[f"lines-{i}-item_code"] = code
        data[f"lines-{i}-qty_ordered"] = qty
        if rest:
            data[f"lines-{i}-vendor_code"] = rest[0]
    return data


def value_of(page: str, name: str) -> str | None:
    """The value of the input named ``name`` (attributes in any order)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="error-([^"]+)">([^<]*)</p>', page))


# -- look-ups ------------------------------------------------------------------------------------


def test_lookups_need_a_signed_in_user_and_entry_lookups_a_sales_role(app, so, client_for):
    anonymous = client_for()
    for url in ("/lookup/items?q=b", "/sales-orders/lookup/items?q=b", "/sales-orders/lookup/customers?q=c"):
        resp = anonymous.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    readonly = client_for("readonly")
    assert readonly.get("/lookup/customers?q=c").status_code == 200  # code and name: master data any role sees
    assert readonly.get("/sales-orders/lookup/items?q=b").status_code == 403  # prices and stock: order entry
    assert readonly.get("/sales-orders/lookup/customers?q=c").status_code == 403
    assert client_for("sales").get("/sales-orders/lookup/items?q=b").status_code == 200
    assert readonly.get("/lookup/warehouses?q=m").status_code == 404  # only customers, vendors and items


def test_lookup_matches_the_beginning_of_code_or_name_in_any_case(app, so, client_for):
    c = client_for("sales")
    codes = lambda url: [r["code"] for r in c.get(url).json["results"]]  # noqa: E731
    assert codes("/lookup/items?q=bolt") == ["BOLT-10"]
    assert codes("/lookup/items?q=HEX") == ["BOLT-10"]  # the description "Hex bolt M10 ..."
    assert codes("/lookup/items?q=olt") == []  # not the middle of a word: that would read every row
    assert codes("/lookup/customers?q=acme") == ["C1000"]
    assert codes("/lookup/customers?q=V2") == []  # vendors are not customers
    assert "V2000" in codes("/lookup/vendors?q=v2")
    assert codes("/lookup/items?q=%25") == [] and codes("/lookup/items?q=_") == []  # wildcards are literal


def test_entry_lookups_say_what_choosing_fills(app, so, client_for, set_options):
    set_options("sales_order", price_decimals=3)
    c = client_for("sales")
    wh = so.warehouse()
    bolt = c.get(f"/sales-orders/lookup/items?q=bolt&warehouse={wh}").json["results"][0]
    assert bolt["name"] == "Hex bolt M10 (box of 50)" and bolt["unit"] == "EA"
    assert bolt["price"] == "7.500" and bolt["vendor"] is None  # stocked: no vendor filled
    assert Decimal(bolt["available"]) == so.stock("BOLT-10")[0] - so.stock("BOLT-10")[1]
    saw = c.get(f"/sales-orders/lookup/items?q=saw&warehouse={wh}").json["results"][0]
    assert saw["vendor"]["code"] == "V2001" and saw["available"] is None  # buy to order: its vendor
    customer = c.get("/sales-orders/lookup/customers?q=c1000").json["results"][0]
    assert customer["ship_to"].startswith("Acme Hardware") and customer["ship_via"] == "UPS Ground"
    assert customer["terms"] == "30 days" and customer["email"] == "orders@acme.example"


def test_lookups_are_bounded(app, so, client_for):
    c = client_for("sales")
    with app.app_context():
        vendor = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2000"))
        db.session.execute(sa.insert(Item), [dict(code=f"ZZ{i:03d}", description=f"Zed {i}", default_vendor_id=vendor)
                                             for i in range(30)])
        db.session.commit()
    assert len(c.get("/lookup/items?q=zz").json["results"]) == lookup.LIMIT
    assert len(c.get("/sales-orders/lookup/items?q=zz").json["results"]) == lookup.LIMIT
    long = c.get("/sales-orders/lookup/items?q=" + "z" * 5000)
    assert long.status_code == 200 and long.json["results"] == []
    nul = c.get("/lookup/items?q=zz%00")
    assert nul.status_code == 400 or nul.json["results"] == []  # core refuses NUL in any request
    assert len(c.get("/sales-orders/lookup/items?q=zz&warehouse=x").json["results"]) == lookup.LIMIT


def test_lookup_statements_read_through_the_prefix_indexes(app, backend):
    """Constant cost with the catalogue: each look-up is an index range scan, never a table scan."""
    with app.app_context():
        for model, column, index in ((Item, Item.code, "ix_lookup_item_code"),
                                     (Item, Item.description, "ix_lookup_item_description"),
                                     (Partner, Partner.number, "ix_lookup_partner_number"),
                                     (Partner, Partner.name, "ix_lookup_partner_name")):
            stmt = lookup.prefix_statement(sa.select(model.id), column, "ab")
            sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
            conn = db.session.connection()
            if backend == "postgresql":
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table would be scanned
                # with a few rows the planner may fetch them by bitmap and sort them, whatever the
                # index; asked for an index scan, it must find one that gives the range in order
                conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
                plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
            else:
                plan = " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert index in plan and "SORT" not in plan.upper() and "B-TREE" not in plan.upper(), plan
        db.session.rollback()


# -- the form without JavaScript ----------------------------------------------------------------


def test_codes_typed_without_javascript_are_resolved_in_any_case(app, so, client_for):
    c = client_for("sales")
    resp = c.post("/sales-orders/new", data=order_form(so, "c1000", [("bolt-10", "5"), ("saw-table", "1", "v2000")]))
    assert resp.status_code == 302, errors(resp.get_data(as_text=True))
    with app.app_context():
        order = db.session.scalar(sa.select(SalesOrder))
        assert order.customer.number == "C1000"
        assert [(line.item.code, line.vendor.number) for line in order.lines] == [("BOLT-10", "V2000"),
                                                                                 ("SAW-TABLE", "V2000")]


def test_a_code_that_names_nothing_is_refused_beside_its_field_and_kept(app, so, client_for):
    c = client_for("sales")
    resp = c.post("/sales-orders/new", data=order_form(so, "C9999", [("BOLT-10", "5"), ("NOPE", "1", "C1000")]))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert errors(page) == {"customer_id": "No customer has the number C9999.",
                            "lines-1-item_id": "No item has the code NOPE.",
                            "lines-1-vendor_id": "No vendor has the number C1000."}  # a customer is no vendor
    assert 'value="C9999"' in page and 'value="NOPE"' in page  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesOrder)) == 0


def test_a_typed_code_wins_over_a_stale_id(app, so, client_for):
    """The page keeps the chosen id beside the code; a code typed afterwards decides."""
    data = order_form(so, lines=[("DRILL-18V", "1")])
    data["lines-0-item_id"] = str(so.item("BOLT-10"))
    assert client_for("sales").post("/sales-orders/new", data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(SalesOrder)).lines[0].item.code == "DRILL-18V"


def test_edit_page_shows_codes_names_stock_and_the_options_decimals(app, so, client_for, set_options):
    set_options("sales_order", price_decimals=3)
    order_id = so.save(lines=(("BOLT-10", "5"), ("GLOVES", "6", {"unit_price": Decimal("5.80412")})))
    c = client_for("sales")
    page = c.get(f"/sales-orders/{order_id}/edit").get_data(as_text=True)
    assert value_of(page, "customer_code") == "C1000"
    assert value_of(page, "lines-0-item_code") == "BOLT-10"
    assert "Acme Hardware" in page and "Hex bolt M10 (box of 50)" in page and "Available: 395" in page
    assert value_of(page, "lines-0-qty_ordered") == "5"  # not 5.0000
    assert value_of(page, "lines-0-unit_price") == "7.500"  # 3 decimals, as the options say
    assert value_of(page, "lines-1-unit_price") == "5.80412"  # more decimals are kept
    set_options("sales_order", price_decimals=2)
    page = c.get(f"/sales-orders/{order_id}/edit").get_data(as_text=True)
    assert value_of(page, "lines-0-unit_price") == "7.50"


@pytest.mark.parametrize(("value", "places", "shown"), [
    (Decimal("10.0000"), 0, "10"), (Decimal("3650"), 3, "3650.000"), (Decimal("3650.0"), 2, "3650.00"),
    (Decimal("1.23456"), 3, "1.23456"), (Decimal("0E-5"), 2, "0.00"), (Decimal("2.5000"), 0, "2.5")])
def test_shown_decimal(value, places, shown):
    assert shown_decimal(value, places) == shown


def test_list_filters_take_typed_codes_and_old_id_links(app, so, client_for):
    first = so.save(customer="C1000", lines=(("BOLT-10", "1"),))
    second = so.save(customer="C1001", lines=(("DRILL-18V", "1"),))
    c = client_for("readonly")

    def numbers(query: str) -> set[str]:
        page = c.get(f"/sales-orders?{query}").get_data(as_text=True)
        return set(re.findall(r'<a href="/sales-orders/\d+">(\d+)</a>', page))

    with app.app_context():
        one, two = (db.session.get(SalesOrder, i).number for i in (first, second))
    assert numbers("customer=c1001") == {two}
    assert numbers("item=bolt-10") == {one}
    assert numbers(f"customer={so.partner('C1000')}") == {one}  # a link with the id still works
    assert numbers("customer=NOBODY") == set() and numbers("item=" + "x" * 500) == set()


# -- cost that does not grow with the catalogue ------------------------------------------------


def measure(app, c, count_queries, order_id: int, so) -> dict[str, tuple[int, int]]:
    """(queries, bytes) of the SO list, entry form and edit form, and the queries of a save."""
    out = page_costs(c, count_queries, {"list": "/sales-orders", "new": "/sales-orders/new",
                                        "edit": f"/sales-orders/{order_id}/edit",
                                        "list filtered": "/sales-orders?customer=C1000&item=BOLT-10"})
    out["save"] = save_cost(c, count_queries, "/sales-orders/new",
                            order_form(so, "C1000", [("BOLT-10", "2"), ("SAW-TABLE", "1")]))
    return out


def test_pages_and_save_do_not_grow_with_the_catalogue(app, so, client_for, count_queries):
    """50 items and customers, then 2,000: the same queries, the same page size within 1 %."""
    app.config["PAGE_SIZE"] = 3  # the list shows a full first page of several both times (a save adds an order)
    order_id = [so.save(lines=(("BOLT-10", "2"), ("SAW-TABLE", "1"))) for _ in range(4)][0]
    c = client_for("sales")
    grow_catalogue(app, 50)
    small = measure(app, c, count_queries, order_id, so)
    grow_catalogue(app, 2000)
    large = measure(app, c, count_queries, order_id, so)
    for name, (queries, size) in small.items():
        assert large[name][0] == queries, (name, small, large)
        assert abs(large[name][1] - size) <= size / 100, (name, small, large)
    assert large["new"][1] < 100_000 and large["list"][1] < 100_000
