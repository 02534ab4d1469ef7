"""Stands in for ``sales_order`` so the entry-point test does not wait for the real one.

It publishes the real plugin's hooks (its ``hookspecs`` module), as the real one does,
so plugins depending on ``sales_order`` can register their implementations.
"""

from core.plugins import Manifest
from plugins.sales_order import hookspecs  # noqa: F401  (published: the host adds it)

manifest = Manifest(name="sales_order", title="Sales orders (test stand-in)", version="0.0", table_prefix="so_")
