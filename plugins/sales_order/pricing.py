"""SYSPRO's line-discount maths (seed 004, *Line discount calculation*), as plain functions.

Rounding is half up ("any amount below 5 is rounded down and any amount of 5 or more is
rounded up"). All values are ``Decimal``; floats are refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
METHODS = ("line", "price")


def _dec(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not a float")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def net_unit_price(unit_price, discount_pct, decimals: int = 3) -> Decimal:
    """Price less discount, first to the full price size (5 places), then to ``decimals``."""
    price, pct = _dec(unit_price, "unit_price"), _dec(discount_pct or 0, "discount_pct")
    if not 2 <= decimals <= 5:
        raise ValueError("decimals must be 2 to 5")
    return round_to(round_to(price - price * pct / HUNDRED, 5), decimals)


def line_value(unit_price, quantity, discount_pct, method: str = "line", decimals: int = 3) -> Decimal:
    """The money value of a line, rounded to cents as the seed's worked example does.

    ``"line"``: gross = price x quantity (rounded), discount = gross x % (rounded), net = gross - discount.
    ``"price"``: net unit price (5 places, then ``decimals``) x quantity, rounded.
    """
    price, qty = _dec(unit_price, "unit_price"), _dec(quantity, "quantity")
    pct = _dec(discount_pct or 0, "discount_pct")
    if method == "line":
        gross = round_to(price * qty, 2)
        discount = round_to(gross * pct / HUNDRED, 2)
        return gross - discount
    if method == "price":
        return round_to(net_unit_price(price, pct, decimals) * qty, 2)
    raise ValueError(f"unknown line discount method {method!r}")


def gross_value(unit_price, quantity) -> Decimal:
    """Extended line value excluding any line discount (margin check on gross value)."""
    return round_to(_dec(unit_price, "unit_price") * _dec(quantity, "quantity"), 2)


def margin_pct(value: Decimal, cost: Decimal) -> Decimal | None:
    """Percentage by which ``value`` exceeds ``cost``; None when there is no cost."""
    if not cost:
        return None
    return (value - cost) * HUNDRED / cost


def invoice_discount(lines: list[tuple[Decimal, Decimal]], pct, after_line: bool) -> Decimal:
    """The invoice discount on ``(gross, net)`` line values, rounded to cents.

    ``after_line``: on the values after line discounts (*Calculate invoice discount after
    line discount*); otherwise on the merchandise value before them, so that line and
    invoice discounts are both taken from the same total.
    """
    rate = _dec(pct or 0, "pct")
    base = sum((net if after_line else gross for gross, net in lines), Decimal(0))
    return round_to(base * rate / HUNDRED, 2)
