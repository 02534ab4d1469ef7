"""What the sales order page asks after a save, kept in the user's session.

A save hook runs inside the sales order's transaction and must not render anything;
it only notes here that the page should ask *Generate purchase orders now?* (a new
order, *Prompt to Generate Purchase Order on New Sales Orders*) or *which required
date?* (generation on save stopped because the Generate options say Prompt). The
sales order page panel (:mod:`.panels`) shows the question once. Outside a request
(CLI, tests calling services) there is nobody to ask and nothing is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, session

KEY = "pogen_notice"
NEW_ORDER, NEED_DATE = "new", "date"


@dataclass(frozen=True)
class Notice:
    order_id: int
    kind: str  # NEW_ORDER | NEED_DATE
    which: tuple[str, ...] = ()  # the required dates asked for ("header", "lines")


def _keep(notice: Notice) -> None:
    if has_request_context():
        session[KEY] = {"order_id": notice.order_id, "kind": notice.kind, "which": list(notice.which)}


def ask_to_generate(order_id: int) -> None:
    _keep(Notice(order_id, NEW_ORDER))


def ask_for_date(order_id: int, which: tuple[str, ...]) -> None:
    _keep(Notice(order_id, NEED_DATE, tuple(which)))


def take(order_id: int) -> Notice | None:
    """The notice for ``order_id``, once (it is removed when read)."""
    raw = session.get(KEY) if has_request_context() else None
    if not isinstance(raw, dict) or raw.get("order_id") != order_id:
        return None
    session.pop(KEY, None)
    return Notice(order_id, str(raw.get("kind")), tuple(raw.get("which") or ()))
