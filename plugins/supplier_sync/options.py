"""Supplier sync setup options (one declaration; ``options`` is the bound read API)."""

from __future__ import annotations

from core.options import Option, PluginOptions

PLUGIN = "supplier_sync"
options = PluginOptions(PLUGIN)

OPTIONS = [
    Option("max_body_kb", "int", 64, "Largest notification accepted (KB)", tab="Notifications", min=1, max=1024,
           help="A notification larger than this is refused and nothing of it is stored."),
    Option("max_attempts", "int", 6, "Attempts before a sync is reported as failed", tab="Notifications",
           min=1, max=50,
           help="A failed pull (supplier error, timeout, unusable answer) is retried with a growing delay; "
                "after this many attempts a syncing notification reports it."),
    Option("retry_base_seconds", "int", 30, "First retry delay (seconds)", tab="Notifications", min=1,
           max=3600, help="Each further retry waits twice as long as the one before, up to six hours."),
    Option("reconcile_minutes", "int", 60, "Reconciliation pull every (minutes)", tab="Notifications", min=5,
           max=10080, help="How often the supplier's changed orders are pulled to catch lost notifications."),
    Option("cancel_reason_code", "text", "", "Cancel/reason code for lines the supplier cancels",
           tab="Notifications",
           help="Written to purchase order history with a line the supplier cancelled, when the purchase order "
                "options ask for a reason code for deleted lines."),
]
