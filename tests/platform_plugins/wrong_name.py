from core.plugins import Manifest

manifest = Manifest(name="some_other_name", title="Wrong name", version="1.0")
