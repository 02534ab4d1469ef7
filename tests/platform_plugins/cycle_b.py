from core.plugins import Manifest

manifest = Manifest(name="cycle_b", title="Cycle B", version="1.0", depends=("cycle_a",))
