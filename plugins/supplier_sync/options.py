"""Supplier sync setup options (one declaration; ``options`` is the bound read API)."""

from __future__ import annotations

from core.options import OptionTab, PluginOptions

PLUGIN = "supplier_sync"
options = PluginOptions(PLUGIN)

notifications = OptionTab("Notifications")

OPTIONS = [
    notifications.number("max_body_kb", 64, "Largest notification accepted (KB)", (1, 1024),
                         "A notification larger than this is refused and nothing of it is stored."),
    notifications.number("max_attempts", 6, "Attempts before a sync is reported as failed", (1, 50),
                         "A failed pull (supplier error, timeout, unusable answer) is retried with a growing delay; "
                         "after this many attempts a syncing notification reports it."),
    notifications.number("retry_base_seconds", 30, "First retry delay (seconds)", (1, 3600),
                         "Each further retry waits twice as long as the one before, up to six hours."),
    notifications.number("reconcile_minutes", 60, "Reconciliation pull every (minutes)", (5, 10080),
                         "How often the supplier's changed orders are pulled to catch lost notifications."),
    notifications.text("cancel_reason_code", "", "Cancel/reason code for lines the supplier cancels",
                       "Written to purchase order history with a line the supplier cancelled, when the purchase order "
                       "options ask for a reason code for deleted lines."),
]
