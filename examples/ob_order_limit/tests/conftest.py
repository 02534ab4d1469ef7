"""The example plugin's tests use the ``orderbridge.testing`` fixtures.

With OrderBridge installed, its ``pytest11`` entry point provides them and this line
does nothing; from an OrderBridge checkout that is not installed it loads them.
"""

import sys

pytest_plugins = [] if "core.testing" in sys.modules else ["core.testing"]
