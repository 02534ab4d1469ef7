from core.plugins import Manifest

manifest = Manifest(name="cycle_a", title="Cycle A", version="1.0", depends=("cycle_b",))
