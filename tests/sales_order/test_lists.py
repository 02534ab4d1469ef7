"""Lists of documents: sortable columns, totals, status badges, search on item codes, CSV export."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from core.db import db
from core.lists import FORMULA_START, csv_cell


@pytest.fixture
def sales(client, so):
    client.login("sales")
    return client


def numbers(html: str, attr: str = "data-so") -> list[str]:
    return re.findall(rf'<tr {attr}="([^"]+)"', html)


def test_csv_cells_that_look_like_formulas_are_escaped():
    for start in FORMULA_START:
        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell("Acme =1") == "Acme =1" and csv_cell(None) == "" and csv_cell(D("-5")) == "'-5"


def _three(so) -> dict[str, str]:
    """Three orders of different totals: number -> item it holds."""
    small = so.save(lines=(("GLOVES", "1"),), customer_po_number="=HYPERLINK(\"http://x\")")
    big = so.save(lines=(("DRILL-18V", "5"),), customer_po_number="@SUM(A1)")
    mid = so.save(lines=(("BOLT-10", "40"),))
    return {so.order(i)["number"]: code for i, code in ((small, "GLOVES"), (big, "DRILL-18V"), (mid, "BOLT-10"))}


def test_so_list_sorts_by_a_whitelisted_column_both_ways(sales, so):
    made = _three(so)
    up = numbers(sales.get("/sales-orders?sort=total&dir=asc").get_data(as_text=True))
    down = numbers(sales.get("/sales-orders?sort=total&dir=desc").get_data(as_text=True))
    assert up == list(reversed(down)) and set(up) == set(made)
    assert made[up[-1]] == "DRILL-18V" and made[up[0]] == "GLOVES"
    page = sales.get("/sales-orders?sort=total&dir=asc").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and "sort=total&amp;dir=desc" in page  # click again: the other way
    # anything else falls back to the default order; never an error
    for bad in ("total;drop table so_order", "password_hash", ""):
        assert sales.get(f"/sales-orders?sort={bad}&dir=sideways").status_code == 200


def test_so_list_totals_and_badges(sales, so):
    ids = [so.save(lines=(("GLOVES", "1"),)), so.save(lines=(("BOLT-10", "3"),))]
    expected = sum(so.order(i)["total"] for i in ids)
    page = sales.get("/sales-orders").get_data(as_text=True)
    assert re.search(r'id="list-total">([^<]+)<', page).group(1) == f"{expected:,.2f}"
    assert '<span class="badge status tone-info" data-status="1">Open order</span>' in page


def test_whole_list_total_of_several_pages_is_read_only_when_asked(app, sales, so):
    """One page: the list total is the page's, no sum query. Several pages: the page total,
    and the whole list's sum over every order line only behind ``?total=all``."""
    ids = [so.save(lines=(("GLOVES", "1"),)), so.save(lines=(("BOLT-10", "3"),)), so.save(lines=(("GLOVES", "2"),))]
    expected = sum(so.order(i)["total"] for i in ids)
    sums: list[str] = []

    def listed_sums():  # queries.listed_total's statement: the sum over the listed orders' lines
        return sum(s.startswith("SELECT coalesce((SELECT coalesce(sum(so_line.line_value)") for s in sums)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_a: sums.append(statement))
    page = sales.get("/sales-orders").get_data(as_text=True)
    assert re.search(r'id="list-total">([^<]+)<', page).group(1) == f"{expected:,.2f}" and listed_sums() == 0
    app.config["PAGE_SIZE"] = 2
    page = sales.get("/sales-orders?sort=total&dir=asc").get_data(as_text=True)
    assert 'id="page-total"' in page and "Show the total" in page and listed_sums() == 0
    link = re.search(r'id="list-total"><a href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "total=all" in link and "sort=total" in link  # the same list, sorted and filtered as shown
    page = sales.get(link).get_data(as_text=True)
    assert re.search(r'id="list-total">([^<]+)<', page).group(1) == f"{expected:,.2f}" and listed_sums() == 1


def test_so_search_matches_item_codes_on_the_lines_in_constant_queries(sales, so, count_queries):
    made = _three(so)
    drill = next(n for n, code in made.items() if code == "DRILL-18V")
    assert numbers(sales.get("/sales-orders?q=drill-18").get_data(as_text=True)) == [drill]
    with count_queries() as few:
        sales.get("/sales-orders?q=drill")
    _three(so)
    with count_queries() as more:
        assert len(numbers(sales.get("/sales-orders?q=drill").get_data(as_text=True))) == 2
    assert more.count == few.count


def test_so_csv_export_is_what_the_list_shows_with_formulas_escaped(sales, so):
    made = _three(so)
    shown = numbers(sales.get("/sales-orders?sort=total&dir=desc").get_data(as_text=True))
    resp = sales.get("/sales-orders?sort=total&dir=desc&format=csv")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][:2] == ["Number", "Date"] and [r[0] for r in rows[1:]] == shown
    pos = {r[4] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in pos and "'@SUM(A1)" in pos
    filtered = list(csv.reader(io.StringIO(sales.get("/sales-orders?q=GLOVES&format=csv").get_data(as_text=True))))
    assert [r[0] for r in filtered[1:]] == [n for n, c in made.items() if c == "GLOVES"]


def test_po_list_sorts_totals_flags_exceptions_and_exports(app, demo, client_for):
    from core.db import db
    from plugins.purchase_order.documents import record_buyer_exception
    from plugins.purchase_order.models import PurchaseOrder
    from plugins.purchase_order.services import create_purchase_order
    from tests.po_generation.helpers import item, partner

    with app.app_context():
        made = {}
        for code, qty, cost in (("BOLT-10", 10, "1"), ("SAW-TABLE", 1, "500"), ("GLOVES", 4, "3")):
            po = create_purchase_order(vendor_id=partner("V2000").id, order_type="S", comment="-internal",
                                       lines=[{"item_id": item(code).id, "qty_ordered": D(qty), "unit_cost": D(cost)}])
            made[code] = po.number
        saw_id = db.session.scalar(sa.select(PurchaseOrder.id).where(PurchaseOrder.number == made["SAW-TABLE"]))
        record_buyer_exception(saw_id, "Sales order 1 cancelled")
        db.session.commit()
    client = client_for("purchasing")
    up = numbers(client.get("/purchase-orders?sort=total&dir=asc").get_data(as_text=True), "data-po")
    assert up == [made["BOLT-10"], made["GLOVES"], made["SAW-TABLE"]]
    page = client.get("/purchase-orders").get_data(as_text=True)
    assert re.search(r'id="list-total">([^<]+)<', page).group(1) == "522.00"
    flagged = re.findall(r'<tr data-po="([^"]+)">(?:(?!</tr>).)*data-flag="exception"', page, re.S)
    assert flagged == [made["SAW-TABLE"]]
    assert numbers(client.get("/purchase-orders?q=saw-tab").get_data(as_text=True), "data-po") == [made["SAW-TABLE"]]
    rows = list(csv.reader(io.StringIO(client.get("/purchase-orders?sort=total&dir=asc&format=csv")
                                       .get_data(as_text=True))))
    assert [r[0] for r in rows[1:]] == up and rows[0][-1] == "Total" and rows[3][7] == "1"


def test_opening_a_purged_order_says_it_was_deleted(client, so):
    from core.db import db
    from plugins.sales_order.models import SalesOrder
    from tests.sales_order.test_purge_and_extras import completed

    number = completed(so, 100)
    with so.app.app_context():
        order_id = db.session.scalar(sa.select(SalesOrder.id).where(SalesOrder.number == number))
    so.opts(retain_days=0)
    client.login("admin")
    client.post("/sales-orders/purge")
    resp = client.get(f"/sales-orders/{order_id}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and f"Sales order {number} was deleted on" in page and "by Admin" in page
    assert "Purged" in page
    assert client.get("/sales-orders/987654").get_data(as_text=True).count("was deleted") == 0
