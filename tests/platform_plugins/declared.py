"""A plugin that names its blueprints, options, commands and migrations in its manifest."""

from __future__ import annotations

from core.plugins import Manifest

_PARTS = "declared_parts"
manifest = Manifest(name="declared", title="Declared", version="1.0", table_prefix="declared_",
                    blueprints=(f"{_PARTS}:bp",), options=f"{_PARTS}:OPTIONS", commands=f"{_PARTS}:register",
                    migrations="probe_migrations")
