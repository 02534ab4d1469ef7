"""CSV import in plain words: accepted values listed, labels in any case, a template, one error per mistake."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from core.db import db
from core.models import Item
from tests.core.csv_upload import upload


def test_the_page_lists_accepted_values_and_offers_a_template(admin_client):
    page = admin_client.get("/items/import").get_data(as_text=True)
    accepted = page.split('id="accepted-values"')[1].split("</table>")[0]
    assert "supply_method" in accepted and "buy_to_order (Buy to order)" in accepted
    assert "stocked" in accepted and "yes or no" in accepted
    resp = admin_client.get("/items/import/template.csv")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    header, example = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert header[0] == "code" and "supply_method" in header and "default_vendor" in header
    assert example[header.index("supply_method")] == "stock"


def test_the_template_imports_as_it_is(app, admin_client, demo):
    text = admin_client.get("/items/import/template.csv").get_data(as_text=True)
    text = text.replace("\r\n", "\n")
    lines = text.splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("default_vendor")] = "V2000"
    assert upload(admin_client, "items", lines[0] + "\n" + ",".join(row) + "\n").status_code == 302


def test_labels_in_any_case_and_yes_no_words(app, admin_client, demo):
    good = ("code,description,supply_method,default_vendor,stocked\n"
            "L1,One,BUY TO ORDER,V2000,No\nL2,Two,Drop-Ship,V2000,NO\nL3,Three,Stock,,YES\n")
    assert upload(admin_client, "items", good).status_code == 302
    with app.app_context():
        got = dict(db.session.execute(sa.select(Item.code, Item.supply_method).where(Item.code.in_(("L1", "L2", "L3")))).all())
    assert got == {"L1": "buy_to_order", "L2": "drop_ship", "L3": "stock"}


def test_one_error_per_mistake_each_starting_with_a_capital(admin_client, demo):
    bad = "code,description,supply_method,stocked\nB1,One,teleport,y\nB2,Two,stock,maybe\n"
    page = upload(admin_client, "items", bad).get_data(as_text=True)
    errors = page.split('id="import-errors"')[1].split("</ul>")[0]
    items = [li.strip() for li in errors.split("<li>")[1:]]
    assert len(items) == 2, items
    assert items[0].startswith("Line 2: supply_method: &#39;teleport&#39; is not one of")
    assert items[1].startswith("Line 3: stocked: &#39;maybe&#39; is not yes or no.")
