"""The sales order plugin's public service API, in one import.

Other plugins, the CLI, the demo data and the tests call these; each lives in the module
of its concern: ``orders`` (saving), ``allocation`` (stock and back orders), ``shipping``
(invoices), ``actions`` (cancel, complete, release), ``credit``, ``purge``, ``rules``
(pure functions) and ``queries`` (read-only statements). Services raise
:class:`core.errors.ValidationError` and only flush; the caller commits.
"""

from __future__ import annotations

from .actions import cancel_order, complete_order, release_for_invoicing, to_warehouse
from .allocation import (
    allocate_line,
    allocate_scheduled,
    auto_release,
    release_backorder,
    release_backorders,
    release_line,
    release_received,
    release_reserved,
    required_date,
    unrelease,
)
from .credit import authorise, authorised, credit_problems, hold, release_suspense, suspend
from .inputs import LineChange, LineChanges, LineInput, OrderInput, RemovedLine
from .orders import draw_order_number, follow_customer_address, save_order
from .purge import PurgeResult, order_to_dict, purge
from .queries import backorder_lines_stmt, lock_order, outstanding_order_value, ship_value_ready
from .rules import (
    MAX_LINES,
    credit_limit_excess,
    margin_problem,
    purge_cutoff,
    subtract_months,
    terms_days_over,
    within_schedule_window,
)
from .shipping import ship_order

__all__ = [
    "MAX_LINES", "LineChange", "LineChanges", "LineInput", "OrderInput", "PurgeResult", "RemovedLine",
    "allocate_line", "allocate_scheduled", "authorise", "authorised", "auto_release", "backorder_lines_stmt",
    "cancel_order", "complete_order", "credit_limit_excess", "credit_problems", "draw_order_number",
    "follow_customer_address", "hold", "lock_order", "margin_problem", "order_to_dict", "outstanding_order_value",
    "purge", "purge_cutoff", "release_backorder", "release_backorders", "release_received", "release_reserved", "required_date", "unrelease", "release_for_invoicing", "release_line",
    "release_suspense", "save_order", "ship_order", "suspend", "ship_value_ready", "subtract_months", "terms_days_over", "to_warehouse",
    "within_schedule_window",
]
