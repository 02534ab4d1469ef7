"""Stands in for ``sales_order`` so the entry-point test does not wait for the real one."""

from core.plugins import Manifest

manifest = Manifest(name="sales_order", title="Sales orders (test stand-in)", version="0.0", table_prefix="so_")
