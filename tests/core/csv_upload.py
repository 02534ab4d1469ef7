"""Uploading a CSV file to a master-data import page, as the core tests do it."""

from __future__ import annotations

from io import BytesIO

from core.testing import Client


def upload(client: Client, kind: str, data: str | bytes):
    """Post ``data`` as the file of ``/<kind>/import`` (``kind``: "partners", "items")."""
    raw = data.encode() if isinstance(data, str) else data
    return client.post(f"/{kind}/import", data={"file": (BytesIO(raw), "data.csv")},
                       content_type="multipart/form-data")


def refused_upload(client: Client, kind: str, data: str | bytes) -> str:
    """The page of an upload the import refuses as a whole (422: nothing is imported)."""
    resp = upload(client, kind, data)
    assert resp.status_code == 422, resp.status_code
    return resp.get_data(as_text=True)
