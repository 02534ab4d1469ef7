"""Pure sales order rules: values in, decisions out (no database, no options lookup)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from core.db import ZERO
from core.parsing import ParseError, decimal_bounds, parse_decimal

from . import pricing

# A document with thousands of lines holds a worker for many seconds (3,000 lines: 19 s);
# an order that large is split into several orders. Documented in README.md (Sales orders).
MAX_LINES = 500


def too_many_lines(count: int) -> str | None:
    if count <= MAX_LINES:
        return None
    return (f"An order can have at most {MAX_LINES} lines; this one has {count}. "
            "Split it into several orders.")


def parse_number(raw: object, column_type: sa.Numeric) -> Decimal:
    """``core.parsing.parse_decimal``, also for values so large that rounding them overflows."""
    largest, _scale = decimal_bounds(column_type)
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
        if value.is_finite() and abs(value) > largest:  # checked before quantize, which overflows on 1e308
            raise ParseError(f"Enter a number of at most {largest:,f}.")  # core.parsing's wording
    except InvalidOperation:
        pass  # not a number at all: parse_decimal says so in its words
    try:
        return parse_decimal(raw, column_type)
    except InvalidOperation:
        raise ParseError("Enter a number like 12 or 12.50.") from None


def number_problem(value: Decimal | None, column_type: sa.Numeric) -> str | None:
    """Why ``value`` cannot be stored exactly in the column (None: it can, or it is empty)."""
    if value is None:
        return None
    try:
        parse_number(value, column_type)
    except ParseError as exc:
        return str(exc)
    return None


def within_schedule_window(order_date: date, ship_date: date | None, days: int) -> bool:
    """Seed: allocated at once when ship date less document date is *less than* ``days``."""
    if ship_date is None:
        return True
    return (ship_date - order_date).days < days


def terms_days_over(*, terms_days: int, order_date: date, oldest_unpaid: date | None, credit_status: int,
                    use_credit_status: bool) -> int:
    """Days by which the customer's invoice terms are exceeded (> 0 means exceeded)."""
    if use_credit_status:
        return 30 * (credit_status or 0) - terms_days
    if oldest_unpaid is None:
        return -terms_days
    return (order_date - oldest_unpaid).days - terms_days


def credit_limit_excess(*, limit: Decimal, balance: Decimal, outstanding: Decimal, this_order: Decimal) -> Decimal:
    """How far balance + outstanding orders + this order go above the limit (0 limit: none)."""
    if not limit:
        return ZERO
    return max(ZERO, (balance or ZERO) + outstanding + this_order - limit)


def margin_problem(*, unit_price: Decimal, qty: Decimal, discount_pct: Decimal, unit_cost: Decimal,
                   required_pct: Decimal, basis: str, method: str, decimals: int) -> Decimal | None:
    """The achieved margin % when it is below ``required_pct``, else None (no cost: no check)."""
    if qty <= 0 or not unit_cost or required_pct is None or required_pct <= 0:
        return None
    value = (pricing.gross_value(unit_price, qty) if basis == "gross"
             else pricing.line_value(unit_price, qty, discount_pct, method, decimals))
    achieved = pricing.margin_pct(value, unit_cost * qty)
    if achieved is not None and achieved < required_pct:
        return achieved.quantize(Decimal("0.01"))
    return None


def subtract_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def purge_cutoff(today: date, retain: int, in_months: bool) -> date | None:
    """Completed orders dated before this are purged; None keeps them forever (999)."""
    if retain >= 999:
        return None
    return subtract_months(today, retain) if in_months else today - timedelta(days=retain)


def entry_ship_status(reserve_stock: bool, default_ship_status: str) -> str:
    """Where a stocked line's available stock goes at entry: "ship" or "reserve"
    (*Default ship status* applies only when *Reserving stock required* is on)."""
    return "reserve" if reserve_stock and default_ship_status == "reserve" else "ship"


def receipt_destination(release: str, linked_action: str, status: str) -> str:
    """Where goods received for a back-ordered line go: "ship" or "reserve".

    *Release of received back orders* manual: always reserved, waiting for a clerk. Automatic:
    *Order linked to a receipt* decides (to ship; reserved; reserved only for an order in the
    warehouse, 4, or ready to invoice, 8). An order in suspense (credit) cannot ship: reserved.
    """
    if release == "manual" or status == "S":
        return "reserve"
    if linked_action == "reserve" or (linked_action == "reserve_4_8" and status in ("4", "8")):
        return "reserve"
    return "ship"
