"""Fails to import, like a third-party plugin with a missing dependency."""

import ob_module_that_does_not_exist  # noqa: F401
