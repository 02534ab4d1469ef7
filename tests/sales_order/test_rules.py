"""The seed's worked examples and the pure rules (pricing, terms, scheduled window, purge dates)."""

from datetime import date
from decimal import Decimal as D

import pytest

from plugins.sales_order import pricing, rules


def test_seed_pricing_example_line_discount():
    assert pricing.line_value(D("5.804"), D("6"), D("25"), "line", 3) == D("26.11")


def test_seed_pricing_example_price_discount():
    assert pricing.net_unit_price(D("5.804"), D("25"), 3) == D("4.353")
    assert pricing.line_value(D("5.804"), D("6"), D("25"), "price", 3) == D("26.12")


def test_price_discount_decimals_change_the_result():
    # net price 4.353 at 3 places, 4.35 at 2 places: 4.35 * 6 = 26.10
    assert pricing.line_value(D("5.804"), 6, 25, "price", 2) == D("26.10")
    assert pricing.line_value(D("5.804"), 6, 25, "price", 5) == D("26.12")


def test_pricing_is_decimal_only_and_checks_arguments():
    with pytest.raises(TypeError):
        pricing.line_value(5.804, 6, 25, "line", 3)
    with pytest.raises(ValueError):
        pricing.line_value(D("1"), 1, 0, "bogus", 3)
    with pytest.raises(ValueError):
        pricing.line_value(D("1"), 1, 0, "price", 6)
    assert isinstance(pricing.line_value(D("1.005"), 1, 0, "line", 3), D)
    assert pricing.line_value(D("1.005"), 1, 0, "line", 3) == D("1.01")  # half up


def test_seed_credit_terms_example():
    kw = dict(terms_days=30, order_date=date(2004, 6, 8), oldest_unpaid=date(2004, 2, 28), credit_status=3)
    assert rules.terms_days_over(**kw, use_credit_status=False) == 71
    assert rules.terms_days_over(**kw, use_credit_status=True) == 60


def test_credit_limit_excess():
    assert rules.credit_limit_excess(limit=D("1000"), balance=D("800"), outstanding=D("100"), this_order=D("150")) == D("50")
    assert rules.credit_limit_excess(limit=D("1000"), balance=D("800"), outstanding=D("0"), this_order=D("150")) == 0
    assert rules.credit_limit_excess(limit=D("0"), balance=D("800"), outstanding=D("0"), this_order=D("1e6")) == 0


def test_seed_scheduled_orders_example():
    ordered, ship = date(2026, 10, 1), date(2026, 10, 4)
    assert rules.within_schedule_window(ordered, ship, 15) is True
    assert rules.within_schedule_window(ordered, ship, 2) is False
    assert rules.within_schedule_window(ordered, ship, 3) is False
    assert rules.within_schedule_window(ordered, None, 1) is True


def test_margin_rule_gross_and_net():
    # cost 10, price 12 with 10 % discount: gross margin 20 %, net margin 8 %
    kw = dict(unit_price=D("12"), qty=D("1"), discount_pct=D("10"), unit_cost=D("10"), method="line", decimals=3)
    assert rules.margin_problem(**kw, required_pct=D("15"), basis="gross") is None
    assert rules.margin_problem(**kw, required_pct=D("15"), basis="net") == D("8.00")
    assert rules.margin_problem(**{**kw, "unit_cost": D("0")}, required_pct=D("15"), basis="net") is None


def test_purge_cutoff_days_months_and_forever():
    today = date(2026, 3, 31)
    assert rules.purge_cutoff(today, 999, False) is None
    assert rules.purge_cutoff(today, 0, False) == today
    assert rules.purge_cutoff(today, 10, False) == date(2026, 3, 21)
    assert rules.purge_cutoff(today, 1, True) == date(2026, 2, 28)
    assert rules.subtract_months(date(2026, 1, 15), 2) == date(2025, 11, 15)
