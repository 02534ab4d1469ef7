"""A plugin that declares its blueprints, options, commands and migrations in its manifest."""

from __future__ import annotations

from core.plugins import Manifest

manifest = Manifest(
    name="declared",
    title="Declared",
    version="1.0",
    description="Contributions declared in the manifest, no hooks.",
    table_prefix="declared_",
    blueprints=("declared_parts:bp",),
    options="declared_parts:OPTIONS",
    commands="declared_parts:register",
    migrations="probe_migrations",
)
