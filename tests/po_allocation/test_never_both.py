"""Never both: a line another bridge already supplies is not allocated again (and ours runs
first on a new order, so po_generation's generate-on-save sees the allocation)."""

from __future__ import annotations

import types

import pluggy

from core.db import db
from core.hookspecs import PROJECT, hookimpl
from core.plugins import Manifest, host_of

from .conftest import D

spec = pluggy.HookspecMarker(PROJECT)


class SupplySpec:
    @spec
    def sales_order_line_supply(lines):
        """Working name of po_generation's hook: how much of each line a bridge supplies."""


def _install_other_bridge(app, supplied: dict):
    """A second bridge implementing the supply hook, supplying ``supplied[line_no]`` per line."""
    host = host_of(app)
    host.pm.add_hookspecs(SupplySpec)
    module = types.SimpleNamespace(
        manifest=Manifest(name="other_bridge", title="Other", version="0", depends=("sales_order",)))

    @hookimpl
    def sales_order_line_supply(lines):
        return {ln.id: D(supplied.get(ln.line_no, 0)) for ln in lines}

    module.sales_order_line_supply = sales_order_line_supply
    host._add("other_bridge", lambda: module, "test")
    host.forget_cache()


def test_quantity_supplied_by_another_bridge_is_not_allocated_again(pa, app):
    _install_other_bridge(app, {1: 4, 2: 1})
    pa.po([("BOLT-10", 10), ("GLOVES", 10)])
    so_id = pa.so([("BOLT-10", 6), ("GLOVES", 1)])
    rows = pa.links(so_id=so_id)
    assert [(r[0], r[3]) for r in rows] == [(1, D(2))]  # bolts: 6 short, 4 already on order; gloves: covered


def test_allocation_runs_before_po_generation_in_the_same_save(pa, app):
    host = host_of(app)
    impls = [i.plugin_name for i in host.pm.hook.on_sales_order_saved.get_hookimpls()]
    # pluggy calls the last of this list first: ours must come after po_generation's
    assert impls.index("po_allocation") > impls.index("po_generation")


def test_manual_assignment_respects_what_another_bridge_supplies(pa, app):
    import pytest

    from core.errors import ValidationError
    from plugins.po_allocation.services import assign_line

    _, (pl,) = pa.po([("BOLT-10", 10)])
    pa.opts(allocate_on_entry=False)
    so_id = pa.so([("BOLT-10", 6)])
    _install_other_bridge(app, {1: 5})
    with app.app_context(), pytest.raises(ValidationError) as exc:
        assign_line(pa.line(so_id)["id"], {pl: D(2)})
    assert "short of 1" in str(exc.value)
    with app.app_context():
        db.session.rollback()
