"""History tab (purge, archive), the CLI, the options page, demo data and the example plugin."""

import json
from datetime import date, timedelta
from decimal import Decimal as D

import sqlalchemy as sa

from core.db import db
from core.plugins import host_of
from plugins.sales_order.models import SalesInvoice, SalesOrder


def completed(so, days_ago: int, status="9") -> str:
    oid = so.save(lines=[("BOLT-10", "1")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        order.status, order.completed_on = status, date.today() - timedelta(days=days_ago)
        db.session.commit()
        return order.number


def numbers(so) -> set[str]:
    with so.app.app_context():
        return set(db.session.scalars(sa.select(SalesOrder.number)))


def test_retention_999_keeps_forever_and_0_deletes_all_before_today(so, runner):
    old, today_done = completed(so, 4000), completed(so, 0)
    open_order = so.order(so.save())["number"]
    result = runner.invoke(args=["sales", "purge"])
    assert "kept indefinitely" in result.output and numbers(so) == {old, today_done, open_order}
    so.opts(retain_days=0)
    result = runner.invoke(args=["sales", "purge"])
    assert result.exit_code == 0 and f"Deleted 1 completed order(s): {old}" in result.output
    assert numbers(so) == {today_done, open_order}


def test_retention_in_days_and_months(so, runner):
    completed(so, 40), completed(so, 70)
    d10 = completed(so, 10, status="*")
    so.opts(retain_days=30)
    runner.invoke(args=["sales", "purge"])
    assert numbers(so) == {d10}
    d40 = completed(so, 40)
    completed(so, 70)
    so.opts(retain_days=2, retention_in_months=True)
    runner.invoke(args=["sales", "purge"])
    assert numbers(so) == {d10, d40}


def test_archive_with_maximum_orders_per_file(so, runner, tmp_path, app):
    app.instance_path = str(tmp_path)
    nums = [completed(so, 50 + i) for i in range(5)]
    oid = so.save(lines=[("BOLT-10", "3")])
    with so.app.app_context():  # an invoiced order goes to the archive with its invoice
        from plugins.sales_order.services import ship_order

        order = db.session.get(SalesOrder, oid)
        ship_order(order, {order.lines[0].id: D(3)}, today=date.today() - timedelta(days=60))
        order.completed_on = date.today() - timedelta(days=60)
        db.session.commit()
        nums.append(order.number)
    so.opts(retain_days=30, archive_completed=True, archive_max_orders=4)
    result = runner.invoke(args=["sales", "purge"])
    assert "Archived 6 completed order(s) to 2 file(s)" in result.output
    files = sorted((tmp_path / "archive" / "sales_orders").glob("*.json"))
    docs = [json.loads(f.read_text()) for f in files]
    assert [len(d["orders"]) for d in docs] == [4, 2]
    archived = {o["number"]: o for d in docs for o in d["orders"]}
    assert set(archived) == set(nums) and numbers(so) == set()
    assert archived[nums[-1]]["invoices"][0]["lines"][0]["qty"] == "3.0000"
    assert archived[nums[-1]]["lines"][0]["item_code"] == "BOLT-10"
    with so.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SalesInvoice)) == 0


def test_archive_max_9999_means_one_file(so, runner, tmp_path, app):
    app.instance_path = str(tmp_path)
    for i in range(3):
        completed(so, 50 + i)
    so.opts(retain_days=30, archive_completed=True)
    runner.invoke(args=["sales", "purge"])
    assert len(list((tmp_path / "archive" / "sales_orders").glob("*.json"))) == 1


def test_purge_button(client, so):
    old = completed(so, 100)
    so.opts(retain_days=0)
    client.login("admin")
    resp = client.post("/sales-orders/purge", follow_redirects=True)
    assert f"Deleted 1 completed order(s): {old}" in resp.get_data(as_text=True)
    assert numbers(so) == set()


def test_options_page_has_the_tabs_and_seed_wording(admin_client, so):
    page = admin_client.get("/admin/options/sales_order").get_data(as_text=True)
    for tab in ("General", "Credit", "Margins", "Pricing", "Numbering", "History"):
        assert tab in page
    assert "This number must be in the range 800000 to 899999." in page
    assert "Available only if" in page


def test_allocate_scheduled_command_and_disabled_plugin(so, runner, app):
    result = runner.invoke(args=["sales", "allocate-scheduled"])
    assert result.exit_code == 0 and "Allocated 0" in result.output
    with app.app_context():
        host_of(app).set_enabled("sales_order", False, cascade=True)
    result = runner.invoke(args=["sales", "purge"])
    assert result.exit_code != 0 and "disabled" in result.output


def test_demo_data_adds_sales_orders(app):
    from core.demo import load_demo

    with app.app_context():
        load_demo(host_of(app), if_empty=False)
        orders = db.session.scalars(sa.select(SalesOrder)).all()
        assert len(orders) >= 3 and all(o.lines for o in orders)
        assert any(line.qty_backordered for o in orders for line in o.lines)


# The example third-party plugin (order_limit) has its own tests: examples/ob_order_limit/tests.
