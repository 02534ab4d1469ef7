"""A throwaway plugin whose ``on_sales_order_saved`` fails after every other implementation ran."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.plugins import Manifest

manifest = Manifest(name="probe_failing_save", title="Failing save probe", version="0",
                    depends=("sales_order", "email_templates"))

SEEN: list[int] = []


@hookimpl(trylast=True)
def on_sales_order_saved(order, created, changes):
    import sqlalchemy as sa

    from core.db import db
    from plugins.email_templates.models import OutboxEmail

    SEEN.append(db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)))
    raise RuntimeError("the probe refuses the order")
