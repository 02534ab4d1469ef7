"""Generating: lock the orders, load, plan (:mod:`.rules`), number (:mod:`.numbering`),
write through :mod:`.purchasing` and link (:mod:`.links`). Flushes only; the caller's
transaction commits.

Generation for one sales order is serialised: its row is locked first and what is on
order is read under the lock, so concurrent requests for the same order (the button
pressed twice, a save racing the button) order each line once. Orders are locked in id
order and before anything else is written, so two generations cannot deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.bulk import no_gc_pauses
from core.db import db
from core.errors import ValidationError
from core.parsing import parse_date
from plugins.sales_order.models import DONE_STATUSES, SalesOrder

from . import activity_log, links, purchasing, settings
from .inputs import HELD, Selection, load_inputs, lock_orders
from .numbering import assign_numbers
from .rules import GenOptions, Plan, PODraft, Problem, PromptNeeded, needs_prompt, plan_generation


def gen_options() -> GenOptions:
    return GenOptions.from_options(settings.current())


def make_plan(selection: Selection, *, prompt_date: date | None = None, only_line_ids: set[int] | None = None,
              options: GenOptions | None = None, exclude_line_ids: set[int] | None = None) -> Plan:
    """The plan for ``selection``, read from the database (nothing written)."""
    options = options or gen_options()
    inputs = load_inputs(selection, combine=options.combine_by_vendor, only_line_ids=only_line_ids,
                         exclude_line_ids=exclude_line_ids)
    today = date.today()
    return plan_generation(inputs.orders, inputs.lines, options, vendor_numbers=inputs.vendor_numbers, today=today,
                           po_date=today, prompt_date=prompt_date, open_links=inputs.open_links,
                           open_pos=inputs.open_pos, warehouse_addresses=inputs.warehouse_addresses)


def number_plan(plan: Plan, options: GenOptions, *, preview: bool = False) -> None:
    """Give the plan's new drafts their numbers: SO-derived ones here; the next automatic
    numbers are drawn by purchase_order when it writes (a preview shows them as such)."""
    label = "(next automatic)" if preview else None
    assign_numbers(plan, options, in_use=purchasing.numbers_in_use, draw_automatic=lambda n, avoid: [label] * n,
                   max_length=purchasing.NUMBER_LENGTH)


@dataclass
class Result:
    plan: Plan
    po_ids: list[int] = field(default_factory=list)  # created or added to, in plan order
    created: int = 0
    lines: int = 0

    @property
    def problems(self) -> list[Problem]:
        return self.plan.problems


def _po_draft(d: PODraft) -> purchasing.PurchaseOrderDraft:
    comment = "Generated from SO " + ", ".join(d.so_numbers[:5]) + (" …" if len(d.so_numbers) > 5 else "")
    return purchasing.PurchaseOrderDraft(
        vendor_id=d.vendor_id, order_type=d.order_type, number=d.number, number_fallback=True,
        order_date=d.order_date, required_date=d.required_date, ship_to_address=d.ship_to_address or None,
        ship_via=d.ship_via or None, fob=d.fob or None, confirm_to=d.confirm_to, email=d.email,
        warehouse_id=d.warehouse_id, customer_id=d.customer_id, comment=comment, lines=_line_drafts(d))


def _line_drafts(d: PODraft) -> list[purchasing.PurchaseOrderLineDraft]:
    return [purchasing.PurchaseOrderLineDraft(
        item_id=ln.item_id, qty=ln.qty, unit_cost=ln.unit_cost, description=ln.description,
        required_date=ln.required_date or d.required_date, vendor_item_code=ln.vendor_item_code,
        alias_item_code=ln.alias_item_code,
        origin_label=ln.origin_label, origin=ln.so_line_id) for ln in d.lines]


def _links(d: PODraft, written: list[purchasing.PurchaseOrderLineDraft]) -> list[dict]:
    return [links.new_link(ln.so_line_id, ln.order_id, w.po_line_id, d.existing_po_id, ln.qty)
            for ln, w in zip(d.lines, written, strict=True)]


def _increase_reason(plan: Plan) -> str:
    named = [f"SO {inc.so_number} line {inc.so_line_no} +{inc.qty.normalize():f}" for inc in plan.increases[:10]]
    return "Sales order quantity increased: " + ", ".join(named) + (" …" if len(plan.increases) > 10 else "")


def write_plan(plan: Plan, options: GenOptions) -> Result:
    """Number the drafts, create them through purchase_order (one bulk call), add lines to
    open POs when combining, link every new PO line, and apply increases to unsent PO
    lines. Flushes only."""
    result = Result(plan)
    if plan.is_empty:
        return result
    purchasing.lock_numbers()
    number_plan(plan, options)
    new = [d for d in plan.drafts if d.existing_po_id is None]
    existing = [d for d in plan.drafts if d.existing_po_id is not None]  # combining into open POs
    po_drafts = [_po_draft(d) for d in new]
    purchasing.create_purchase_orders(po_drafts)
    new_links: list[dict] = []
    for d, written in zip(new, po_drafts, strict=True):
        d.existing_po_id, d.number = written.po_id, written.number
        new_links += _links(d, written.lines)
    added = {d.existing_po_id: _line_drafts(d) for d in existing}
    if added:
        purchasing.add_lines(added)
        for d in existing:
            new_links += _links(d, added[d.existing_po_id])
    links.add_links(new_links)
    if plan.increases:
        purchasing.change_line_quantities({inc.link.po_line_id: inc.link.po_line_qty + inc.qty
                                           for inc in plan.increases}, reason=_increase_reason(plan))
        links.add_to_links({inc.link.link_id: inc.link.link_qty + inc.qty for inc in plan.increases})
    result.created = len(new)
    result.lines = len(new_links) + len(plan.increases)
    activity_log.record_generation(plan, {d.existing_po_id for d in new if d.existing_po_id})
    ids = [d.existing_po_id for d in plan.drafts] + [inc.link.po_id for inc in plan.increases]
    result.po_ids = list(dict.fromkeys(ids))
    db.session.expire_all()
    return result


def generate(selection: Selection, *, prompt_date: date | None = None, only_line_ids: set[int] | None = None,
             options: GenOptions | None = None, exclude_line_ids: set[int] | None = None) -> Result:
    """Lock the selected orders, then plan and write their POs (batch, button, on save).
    Orders on credit hold are never generated for. Flushes only."""
    options = options or gen_options()
    with no_gc_pauses():  # a batch builds objects for every line: no collector pauses meanwhile
        lock_orders(selection)
        plan = make_plan(selection, prompt_date=prompt_date, only_line_ids=only_line_ids, options=options,
                         exclude_line_ids=exclude_line_ids)
        return write_plan(plan, options)


def generate_for_order(order_id: int, **kw) -> Result:
    return generate(Selection(order_ids=[order_id]), **kw)


# -- what the pages send -----------------------------------------------------------------------


def date_field(raw: str | None, field: str) -> date | None:
    """A date typed in a form: empty is ``None``; anything but ``YYYY-MM-DD`` is refused."""
    text = (raw or "").strip()
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None:
        raise ValidationError(field, "Enter a date as YYYY-MM-DD.")
    return parsed


def prompt_date_from(raw: str | None, options: GenOptions | None = None) -> date | None:
    """The required date typed by the user, required when the Generate options say Prompt."""
    prompt_date = date_field(raw, "required_date")
    if prompt_date is None and needs_prompt(options or gen_options()):
        raise ValidationError("required_date", "A required date is needed (the Generate options say Prompt).")
    return prompt_date


def refusal(order: SalesOrder) -> str | None:
    """Why the Generate POs button does nothing for ``order`` (one rule with batch generation:
    orders on credit hold are never generated for), or ``None``."""
    if not settings.enable_in_entry:
        return "Purchase order generation during sales order entry is switched off in the setup options."
    if order.status in DONE_STATUSES:
        return f"Sales order {order.number} is {order.status_label.lower()}: nothing is ordered for it."
    if order.status == HELD:
        return (f"Sales order {order.number} is on credit hold: purchase orders are generated once it is "
                "authorised.")
    return None


def generate_from_button(order: SalesOrder, raw_date: str | None) -> Result:
    """*Generate POs* on one sales order. Raises :class:`ValidationError`."""
    why = refusal(order)
    if why:
        raise ValidationError(None, why)
    options = gen_options()
    try:
        return generate_for_order(order.id, prompt_date=prompt_date_from(raw_date, options), options=options)
    except PromptNeeded as exc:
        raise ValidationError("required_date", str(exc)) from None
