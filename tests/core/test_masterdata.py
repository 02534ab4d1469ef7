"""Partners, items, warehouses: forms with errors beside fields, lists at a constant query count, CSV import."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import Item, Partner, StockLevel, Warehouse
from tests.core.csv_upload import refused_upload, upload


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_partner_create_and_edit_with_errors_beside_fields(app, admin_client):
    resp = admin_client.post("/partners/new", data={"number": "C1", "name": "", "email": "not-an-email",
                                                    "credit_limit": "-5", "terms_days": "abc", "ship_via": "UPS"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "This field is required." in page.split('id="field-name"')[1].split('class="field')[0]
    assert "Enter an e-mail address" in page.split('id="field-email"')[1].split('class="field')[0]
    assert "Enter a number of at least 0." in page.split('id="field-credit_limit"')[1].split('class="field')[0]
    assert "Enter a whole number." in page.split('id="field-terms_days"')[1].split('class="field')[0]
    assert "A partner must be a customer, a vendor or both." in page
    assert 'value="UPS"' in page and 'value="C1"' in page  # what was typed stays
    assert _count(app, Partner) == 0
    resp = admin_client.post("/partners/new", data={"number": " C1 ", "name": "Acme", "is_customer": "y",
                                                    "credit_limit": "1500.50", "terms_days": "45"})
    assert resp.status_code == 302
    with app.app_context():
        p = db.session.scalar(sa.select(Partner))
        assert (p.number, p.credit_limit, p.terms_days, p.is_vendor) == ("C1", Decimal("1500.50"), 45, False)
        pid = p.id
    resp = admin_client.post("/partners/new", data={"number": "C1", "name": "Again", "is_vendor": "y"})
    assert resp.status_code == 422 and "This number is already used." in resp.get_data(as_text=True)
    resp = admin_client.post(f"/partners/{pid}", data={"number": "C1", "name": "Acme Ltd", "is_customer": "y",
                                                       "is_vendor": "y"})
    assert resp.status_code == 302
    with app.app_context():
        p = db.session.get(Partner, pid)
        assert (p.name, p.is_vendor, p.terms_days) == ("Acme Ltd", True, 45)  # not posted: kept
    assert admin_client.get("/partners/999999").status_code == 404


def test_item_create_and_edit(app, admin_client, demo):
    with app.app_context():
        vendor_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == "V2000"))
        customer_id = db.session.scalar(sa.select(Partner.id).where(Partner.number == "C1000"))
    new_page = admin_client.get("/items/new").get_data(as_text=True)
    # the default vendor is typed by number, with suggestions: the page lists no vendors
    assert 'name="default_vendor_id"' in new_page and 'data-suggest="vendors"' in new_page
    assert "Northwind Supply" not in new_page
    resp = admin_client.post("/items/new", data={"code": "BOLT-10", "uom": "EA", "supply_method": "stock",
                                                 "unit_cost": "x", "default_vendor_id": str(customer_id)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "This item code is already used." not in page  # field errors come first
    assert "Enter a number like 12 or 12.50." in page.split('id="field-unit_cost"')[1].split('class="field')[0]
    assert "Choose a vendor." in page.split('id="field-default_vendor_id"')[1].split('class="field')[0]
    resp = admin_client.post("/items/new", data={"code": "BOLT-10", "uom": "EA", "supply_method": "stock"})
    assert resp.status_code == 422 and "This item code is already used." in resp.get_data(as_text=True)
    resp = admin_client.post("/items/new", data={"code": "NEW-1", "uom": "BX", "supply_method": "drop_ship",
                                                 "unit_cost": "1.23456", "default_vendor_id": "v2000"})
    assert resp.status_code == 302  # the number typed in any case
    resp = admin_client.post("/items/new", data={"code": "NEW-2", "uom": "BX", "supply_method": "stock",
                                                 "default_vendor_id": str(vendor_id)})
    assert resp.status_code == 302  # an id, as a script or an older page posts it
    with app.app_context():
        item = db.session.scalar(sa.select(Item).where(Item.code == "NEW-1"))
        assert item.unit_cost == Decimal("1.23456") and item.default_vendor.number == "V2000"
        assert item.stocked is False and item.supply_method == "drop_ship"
        iid = item.id
    edit_page = admin_client.get(f"/items/{iid}").get_data(as_text=True)
    assert 'value="V2000"' in edit_page.split('id="field-default_vendor_id"')[1].split('class="field')[0]
    resp = admin_client.post(f"/items/{iid}", data={"code": "NEW-1", "uom": "BX", "supply_method": "stock",
                                                    "stocked": "y", "default_vendor_id": ""})
    assert resp.status_code == 302
    with app.app_context():
        item = db.session.get(Item, iid)
        assert item.default_vendor_id is None and item.stocked


def test_warehouse_create_edit_and_stock_adjust(app, admin_client, demo):
    resp = admin_client.post("/warehouses/new", data={"code": "MAIN", "name": "Dup"})
    assert resp.status_code == 422 and "This warehouse code is already used." in resp.get_data(as_text=True)
    resp = admin_client.post("/warehouses/new", data={"code": "WEST", "name": ""})
    assert resp.status_code == 422 and "This field is required." in resp.get_data(as_text=True)
    assert admin_client.post("/warehouses/new", data={"code": "WEST", "name": "West"}).status_code == 302
    with app.app_context():
        wh = db.session.scalar(sa.select(Warehouse).where(Warehouse.code == "WEST"))
    assert admin_client.post(f"/warehouses/{wh.id}", data={"code": "WEST", "name": "West side"}).status_code == 302
    assert "West side" in admin_client.get("/warehouses").get_data(as_text=True)
    resp = admin_client.post("/stock/adjust", data={"item_code": "GLOVES", "warehouse_id": str(wh.id),
                                                    "on_hand": "12.5"})
    assert resp.status_code == 302
    resp = admin_client.post("/stock/adjust", data={"item_code": "NOPE", "warehouse_id": str(wh.id), "on_hand": "1"})
    assert resp.status_code == 422 and "No item with this code." in resp.get_data(as_text=True)
    with app.app_context():
        level = db.session.scalar(sa.select(StockLevel).where(StockLevel.warehouse_id == wh.id))
        assert level.on_hand == Decimal("12.5")


def _bulk(app, n: int) -> None:
    with app.app_context():
        db.session.execute(sa.insert(Partner), [
            {"number": f"P{i:05d}", "name": f"Partner {i}", "email": f"p{i}@example.com", "phone": "",
             "is_customer": i % 2 == 0, "is_vendor": i % 2 == 1, "bill_to_address": "", "ship_to_address": "",
             "ship_via": "", "fob": "", "credit_limit": 0, "terms_days": 30, "current_balance": 0,
             "credit_status": 0, "active": True} for i in range(n)])
        vendor = db.session.scalar(sa.select(Partner.id).where(Partner.is_vendor).limit(1))
        db.session.execute(sa.insert(Warehouse), [{"code": "MAIN", "name": "Main", "address": ""}])
        wh = db.session.scalar(sa.select(Warehouse.id))
        db.session.execute(sa.insert(Item), [
            {"code": f"IT{i:05d}", "description": f"Item {i}", "uom": "EA", "unit_cost": 1, "list_price": 2,
             "stocked": True, "supply_method": "stock" if i % 3 else "buy_to_order", "default_vendor_id": vendor,
             "vendor_item_code": "", "min_margin_pct": 0, "active": True} for i in range(n)])
        ids = db.session.scalars(sa.select(Item.id)).all()
        db.session.execute(sa.insert(StockLevel), [
            {"item_id": i, "warehouse_id": wh, "on_hand": 5, "allocated": 0} for i in ids])
        db.session.commit()


LISTS = ["/partners", "/partners?q=Partner+1&kind=vendor", "/partners?page=2", "/items",
         "/items?q=IT0&supply_method=stock", "/items?page=2", "/stock", "/stock?q=Item&page=2", "/warehouses"]


@pytest.fixture
def query_counts(app, client, count_queries):
    client.login("readonly")

    def measure() -> dict[str, int]:
        counts = {}
        for url in LISTS:
            with count_queries() as n:
                resp = client.get(url)
            assert resp.status_code == 200, url
            counts[url] = n.count
        return counts

    return measure


def test_list_pages_take_a_constant_number_of_queries(app, client, query_counts):
    _bulk(app, 10)
    small = query_counts()
    with app.app_context():
        db.session.execute(sa.delete(StockLevel))
        db.session.execute(sa.delete(Item))
        db.session.execute(sa.delete(Warehouse))
        db.session.execute(sa.delete(Partner))
        db.session.commit()
    _bulk(app, 1000)
    large = query_counts()
    assert small == large, (small, large)
    assert max(large.values()) <= 8


def test_list_search_filter_and_pagination(app, client):
    _bulk(app, 120)
    client.login("readonly")
    page = client.get("/partners").get_data(as_text=True)
    assert "120 records · page 1 of 3" in page and "P00000" in page and "P00050" not in page
    page = client.get("/partners?page=3").get_data(as_text=True)
    assert "P00119" in page and "P00000" not in page and "page 3 of 3" in page
    page = client.get("/partners?q=p7%40example&kind=vendor").get_data(as_text=True)
    assert "1 record · page 1 of 1" in page and "P00007" in page
    assert "0 records" in client.get("/partners?q=p7%40example&kind=customer").get_data(as_text=True)
    page = client.get("/items?supply_method=buy_to_order").get_data(as_text=True)
    assert "40 records" in page and "IT00003" in page and "IT00001" not in page
    assert client.get("/items?page=abc").status_code == 200
    assert "0 records" in client.get("/stock?q=zzz").get_data(as_text=True)


PARTNER_CSV = (
    "number,name,email,is_customer,is_vendor,bill_to_address,credit_limit\n"
    'C100,Good One,a@example.com,yes,no,"Line 1\nLine 2",100\n'
    "C101,,b@example.com,yes,no,,50\n"           # line 4: no name
    "C102,Bad Mail,not-an-email,yes,no,,abc\n"   # line 5: e-mail and credit limit
    "C103,Neither,,no,no,,\n"                    # line 6: neither customer nor vendor
    "C100,Repeat,,yes,,,\n"                      # line 7: repeats line 2
    "C104,Too many,,yes,,,1,extra\n"             # line 8
)



def test_partner_csv_import_reports_every_bad_line_and_imports_nothing(app, admin_client):
    page = refused_upload(admin_client, "partners", PARTNER_CSV)
    errors = page.split('id="import-errors"')[1]
    for expected in ("Line 4: name: This field is required.", "Line 5: email: Enter an e-mail address",
                     "Line 5: credit_limit: Enter a number like 12 or 12.50.",
                     "Line 6: is_vendor: A partner must be a customer, a vendor or both.",
                     "Line 7: number: &#39;C100&#39; repeats line 2", "Line 8: more values than columns"):
        assert expected in errors, expected
    assert "Line 2" not in errors  # the good line has no error
    assert errors.count("Line 5: email") == 1  # one error per mistake
    assert _count(app, Partner) == 0
    good = "number,name,email,is_customer,is_vendor,bill_to_address\n" \
           'C100,Good One,a@example.com,yes,no,"Line 1\nLine 2"\nV200,Vendor,,,y,\n'
    resp = upload(admin_client, "partners", good)
    assert resp.status_code == 302
    with app.app_context():
        rows = {p.number: p for p in db.session.scalars(sa.select(Partner))}
        assert set(rows) == {"C100", "V200"}
        assert rows["C100"].bill_to_address == "Line 1\nLine 2" and rows["V200"].is_vendor
        assert rows["C100"].active
    # a second import updates by key
    assert upload(admin_client, "partners", "number,name,is_customer\nC100,Renamed,y\n").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Partner.name).where(Partner.number == "C100")) == "Renamed"
    assert _count(app, Partner) == 2


def test_item_csv_import(app, admin_client, demo):
    before = _count(app, Item)
    bad = ("code,description,unit_cost,supply_method,default_vendor,stocked\n"
           "N1,New one,1.50,stock,V2000,y\n"
           "N2,Bad cost,-1,stock,,y\n"
           "N3,Bad vendor,1,stock,V9999,y\n"
           "N4,Bad method,1,teleport,,y\n")
    page = refused_upload(admin_client, "items", bad)
    assert "Line 3: unit_cost: Enter a number of at least 0." in page
    assert "Line 4: default_vendor: no vendor numbered &#39;V9999&#39;" in page
    assert "Line 5: supply_method: &#39;teleport&#39; is not one of buy_to_order, drop_ship, stock" in page
    assert _count(app, Item) == before
    assert "the header must name the column &#39;code&#39;" in upload(admin_client, "items", "x,y\n1,2\n").get_data(
        as_text=True)
    assert "unknown column(s): colour" in upload(admin_client, "items", "code,colour\nA,red\n").get_data(as_text=True)
    good = "code,description,unit_cost,supply_method,default_vendor,stocked\nN1,New one,1.50,stock,V2000,y\n" \
           "N2,Two,2,buy_to_order,V2000,n\n"
    assert upload(admin_client, "items", good).status_code == 302
    with app.app_context():
        n1 = db.session.scalar(sa.select(Item).where(Item.code == "N1"))
        n2 = db.session.scalar(sa.select(Item).where(Item.code == "N2"))
        assert n1.default_vendor.number == "V2000" and n1.unit_cost == Decimal("1.5") and n1.stocked
        assert n2.stocked is False and n2.supply_method == "buy_to_order"
    assert _count(app, Item) == before + 2
