"""Built-in OrderBridge plugins: one package per plugin (Odoo-style addons)."""
