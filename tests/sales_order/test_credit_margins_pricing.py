"""Credit tab (suspense and authorisation), Margins tab and Pricing tab options on real orders."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from core.db import db
from core.errors import ValidationError
from plugins.sales_order.models import SalesOrder
from plugins.sales_order.services import (
    release_backorder,
    release_for_invoicing,
    save_order,
    ship_order,
)


def test_no_credit_check_by_default(so):
    oid = so.save(customer="C1001", lines=[("SAW-TABLE", "5")])  # 2,495 on top of 8,500 of 10,000
    assert so.order(oid)["status"] == "1"


def test_credit_limit_puts_order_in_suspense_until_authorised(so, client):
    so.opts(check_credit_limit=True)
    oid = so.save(customer="C1001", lines=[("SAW-TABLE", "5")])
    o = so.order(oid)
    assert o["status"] == "S" and "Credit limit 10,000.00 exceeded by 995.00" in o["hold_reason"]
    assert so.order(so.save(customer="C1001", lines=[("BOLT-10", "1")]))["status"] == "S"  # the first counts
    client.login("sales")
    page = client.get(f"/sales-orders/{oid}").get_data(as_text=True)
    assert "Suspense (credit)" in page and "exceeded by 995.00" in page
    assert client.get(f"/sales-orders/{oid}/ship").status_code == 200
    assert client.post(f"/sales-orders/{oid}/authorise").status_code == 403
    client.logout()
    client.login("admin")
    assert client.post(f"/sales-orders/{oid}/authorise").status_code == 302
    o = so.order(oid)
    assert o["status"] == "1" and o["hold_reason"] == ""


def test_terms_check_with_and_without_credit_status(so):
    so.opts(check_terms=True)
    oid = so.save(customer="C1001")  # oldest unpaid 75 days ago, terms 30
    assert "exceeded by 45 days" in so.order(oid)["hold_reason"]
    so.opts(terms_use_credit_status=True)  # credit status 2: 60 - 30
    oid = so.save(customer="C1001")
    assert "exceeded by 30 days" in so.order(oid)["hold_reason"]
    assert so.order(so.save(customer="C1000"))["status"] == "1"


def test_credit_status_option_needs_the_terms_check(so):
    so.opts(terms_use_credit_status=True)  # not available: ignored
    assert so.order(so.save(customer="C1001"))["status"] == "1"


def test_credit_notes_and_forward_orders_are_not_checked(so):
    so.opts(check_terms=True)
    assert so.order(so.save(customer="C1001", order_type="C"))["status"] == "1"
    far = date.today() + timedelta(days=100)
    assert so.order(so.save(customer="C1001", requested_ship_date=far))["status"] == "F"


def test_apply_check_to_current_orders_only_checks_at_invoice(so):
    so.opts(check_credit_limit=True, credit_current_only=True)
    oid = so.save(customer="C1001", lines=[("BOLT-10", "400")])  # 3,000: over the limit, not checked now
    assert so.order(oid)["status"] == "1"
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        line_id = order.lines[0].id
        ship_order(order, {line_id: D("100")})  # 750 + 8,500: fine
        db.session.commit()
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        release_backorder(order.lines[0], D("300"))
        invoice, warnings = ship_order(order, {line_id: D("300")})  # 2,250 + 8,500: order to suspense
        assert invoice is None and "now in suspense" in warnings[0]
        db.session.commit()
    assert so.order(oid)["status"] == "S"


@pytest.mark.parametrize("mode,status,refused", [("none", "8", False), ("authorize", "S", False),
                                                 ("reject", "1", True)])
def test_credit_check_for_orders_to_be_released(so, mode, status, refused):
    so.opts(release_credit_check=mode)
    oid = so.save(customer="C1001", lines=[("SAW-TABLE", "5")])
    with so.app.app_context():
        order = db.session.get(SalesOrder, oid)
        if refused:
            with pytest.raises(ValidationError):
                release_for_invoicing(order)
            db.session.rollback()
        else:
            release_for_invoicing(order)
            db.session.commit()
    assert so.order(oid)["status"] == status


def _margin_msgs(so, **kw):
    data = so.data(**kw)
    with so.app.app_context():
        try:
            _, warnings = save_order(data)
            db.session.commit()
            return "saved", list(warnings)
        except ValidationError as exc:
            db.session.rollback()
            return "refused", [message for _field, message in exc.errors]


def test_margin_company_level(so):
    low = [("BOLT-10", "1", {"unit_price": D("4.50")})]  # cost 4.20: 7.14 %
    assert _margin_msgs(so, lines=low)[0] == "saved"  # not required by default
    so.opts(margin_check="company", margin_pct=D("10"))
    result, msgs = _margin_msgs(so, lines=low)
    assert result == "refused" and "below the minimum of 10%" in msgs[0]
    assert _margin_msgs(so, lines=[("BOLT-10", "1", {"unit_price": D("4.70")})])[0] == "saved"


def test_margin_override_allowed(so):
    so.opts(margin_check="company", margin_pct=D("10"), margin_override=True)
    low = [("BOLT-10", "1", {"unit_price": D("4.50")})]
    result, msgs = _margin_msgs(so, lines=low)
    assert result == "refused" and "Override" in msgs[0]
    result, msgs = _margin_msgs(so, lines=low, margin_override=True)
    assert result == "saved" and "Overridden" in msgs[0]


def test_margin_stock_code_level_and_basis(so):
    so.opts(margin_check="stock_code")  # DRILL-18V has 20 %, cost 61
    assert _margin_msgs(so, lines=[("BOLT-10", "1", {"unit_price": D("4.30")})])[0] == "saved"  # no item margin
    assert _margin_msgs(so, lines=[("DRILL-18V", "1", {"unit_price": D("72")})])[0] == "refused"
    disc = [("DRILL-18V", "1", {"unit_price": D("80"), "discount_pct": D("10")})]  # gross 31 %, net 18 %
    assert _margin_msgs(so, lines=disc)[0] == "refused"  # net value is the default
    so.opts(margin_basis="gross")
    assert _margin_msgs(so, lines=disc)[0] == "saved"


def test_discount_method_and_decimals_options_on_orders(so):
    lines = [("GLOVES", "6", {"discount_pct": D("25")})]  # list price 5.804
    assert so.order(so.save(lines=lines))["total"] == D("26.11")
    so.opts(discount_method="price")
    assert so.order(so.save(lines=lines))["total"] == D("26.12")
    so.opts(price_decimals=2)
    assert so.order(so.save(lines=lines))["total"] == D("26.10")
