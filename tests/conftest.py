"""OrderBridge's own test settings; the shared fixtures come from the testing kit.

``core.testing`` (``orderbridge.testing``) holds the fixtures every plugin author uses
(``app``, ``client``, ``client_for``, ``users``, ``set_options``, ``enable_plugins``, ...,
see its docstring). The installed distribution activates it through its ``pytest11``
entry point; a checkout that is not (re)installed loads it here, or with
``pytest -p core.testing``. Either way it is registered once.
"""

from __future__ import annotations

import sys

import pytest

# The pytest11 entry point and `-p core.testing` both import and register the kit before
# the first conftest is read: declaring it again would register the same module twice.
pytest_plugins = [] if "core.testing" in sys.modules else ["core.testing"]
pytest.register_assert_rewrite("core.testing")  # imported just below, before pytest loads it

# names the test modules import from here
from core.testing import (  # noqa: E402, F401
    BACKEND,
    DB_URL,
    PASSWORD,
    ROLES,
    Client,
    clean_tables,
    make_app,
)
