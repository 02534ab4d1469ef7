"""Small plugins the platform tests load through ``core.plugins.BUILTIN_PLUGINS``."""
