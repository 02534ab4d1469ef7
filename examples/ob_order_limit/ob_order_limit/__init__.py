"""Example third-party plugin for OrderBridge (installed through its entry point)."""
