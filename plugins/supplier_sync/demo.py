"""Demo data: vendor V2000 wired to the supplier simulator (``examples/supplier_sim``).

The simulator's address and webhook secret come from ``SUPPLIER_SIM_URL`` and
``SUPPLIER_SIM_SECRET`` (the same variables the simulator reads), so ``make run`` can
start both with one set of values.
"""

from __future__ import annotations

import os

import sqlalchemy as sa

from core.models import Partner

from .models import SupplierConnection

DEMO_URL = "http://127.0.0.1:5050"
# a fixed demo secret (base64 of 24 bytes): the demo is local, never a real supplier
DEMO_SECRET = "whsec_ZGVtby1zdXBwbGllci1zZWNyZXQtMDAwMDAw"
DEMO_API_KEY = "demo-key"


def add_demo(session) -> None:
    vendor = session.scalar(sa.select(Partner).where(Partner.number == "V2000"))
    if vendor is None:
        return
    session.add(SupplierConnection(
        vendor_id=vendor.id, connector="http_json", base_url=os.environ.get("SUPPLIER_SIM_URL", DEMO_URL),
        api_key=os.environ.get("SUPPLIER_SIM_API_KEY", DEMO_API_KEY),
        webhook_secret=os.environ.get("SUPPLIER_SIM_SECRET", DEMO_SECRET), auto_sync=True))
    session.flush()
