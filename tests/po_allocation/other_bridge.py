"""A second bridge for the tests: answers ``sales_order_line_supply`` for the line numbers in
``SUPPLIED`` (registered through ``BUILTIN_PLUGINS`` by tests/po_allocation/test_never_both.py)."""

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="other_bridge", title="Other bridge (test)", version="0", depends=("sales_order",))
SUPPLIED: dict[int, str] = {}


@hookimpl
def sales_order_line_supply(lines):
    return {ln.id: [SUPPLIED[ln.line_no]] for ln in lines if ln.line_no in SUPPLIED}
