from core.plugins import Manifest

manifest = Manifest(name="unknown_dep", title="Unknown dependency", version="1.0", depends=("no_such_plugin",))
