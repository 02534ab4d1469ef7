"""Supplier sync tests. The simulator (examples/supplier_sim) is imported from its source tree,
installed or not."""

import sys
from pathlib import Path

_SIM = str(Path(__file__).resolve().parents[2] / "examples" / "supplier_sim")
if _SIM not in sys.path:
    sys.path.insert(0, _SIM)
