"""Setup options are read once per request, whatever the number of accesses or lines.

A sales-order save reads its options several times (the save, numbering, credit,
allocation); the stored values come from one query per request and the counters
behind the sequence options are not read at all unless one is looked at.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import g

from core.db import db
from core.numbering import next_number
from core.options import registry
from plugins.sales_order.credit import credit_problems
from tests.sales_order.conftest import SO, so  # noqa: F401 - the fixture, used by name
from tests.sales_order.test_hooks import form_data

OPTION_READ = re.compile(r"\bFROM core_option_value\b", re.I)
SEQUENCE_READ = re.compile(r"^\s*SELECT\b.*\bFROM core_sequence\b", re.I | re.S)


@pytest.fixture
def sales(client, so):  # noqa: F811
    client.login("sales")
    return client


def _save_reads(count_queries, sales, so: SO, lines: int) -> tuple[int, int, int]:  # noqa: F811
    codes = ["BOLT-10", "DRILL-18V", "GLOVES"]
    data = form_data(so, [(codes[i % 3], "1") for i in range(lines)])
    with count_queries() as n:
        resp = sales.post("/sales-orders/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    options = sum(1 for s in n.statements if OPTION_READ.search(s))
    sequences = sum(1 for s in n.statements if SEQUENCE_READ.search(s))
    return options, sequences, n.count


def test_sales_order_save_reads_options_once_per_request(sales, so, count_queries):  # noqa: F811
    sales.get("/sales-orders/new")  # warm the per-process caches
    one = _save_reads(count_queries, sales, so, 1)
    many = _save_reads(count_queries, sales, so, 12)
    assert one[0] <= 1 and many[0] <= 1  # at most one options query per request
    assert one[1] <= 1 and many[1] <= 1  # all counters in one query; drawing keeps that copy right
    assert one[:2] == many[:2]


def test_sequence_options_read_once_per_request_and_fresh_after_a_draw(app, so, count_queries):  # noqa: F811
    with app.test_request_context("/", method="POST"):
        with count_queries() as n:
            first = registry().current("sales_order")
            for _ in range(5):
                values = registry().current("sales_order")
                assert values["next_sales_order"] == first["next_sales_order"]
                assert values["next_credit_note"] == 800000 and values["next_debit_note"] == 900000
            drawn = next_number("so_order", start=100001, width=7)
            assert registry().current("sales_order")["next_sales_order"] == int(drawn) + 1
        assert sum(1 for s in n.statements if SEQUENCE_READ.search(s)) == 1
        db.session.rollback()  # the drawn number goes back to its counter, and the copy follows
        assert registry().current("sales_order")["next_sales_order"] == int(drawn)
        g.pop("_ob_sequences", None)


def test_credit_checks_off_read_nothing():
    """Both checks off: no customer figures are loaded (the order has no customer to load here)."""
    order = SimpleNamespace(order_type="O", status="1")
    assert credit_problems(order, limit=False, terms=False) == []  # type: ignore[arg-type]
