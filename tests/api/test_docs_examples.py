"""Every ``curl`` example of docs/api.md runs, in order, with the status it promises.

The commands are parsed (shlex) into method, path, headers and body and sent through the
test client, with ``$OB_URL`` the app and ``$OB_KEY`` an administrator's key.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def examples() -> list[tuple[str, int]]:
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(), re.S)
    out = []
    for block in blocks:
        command, expect = block.split("# ->")
        out.append((command.replace("\\\n", " "), int(expect.strip())))
    return out


def to_request(command: str, key: str) -> tuple[str, str, dict[str, str], str | None]:
    words = shlex.split(command.replace("$OB_KEY", key).replace("$OB_URL", ""))
    assert words[0] == "curl"
    method, headers, body, url = "GET", {}, None, None
    it = iter(words[1:])
    for word in it:
        if word == "-X":
            method = next(it)
        elif word == "-H":
            name, _, value = next(it).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = next(it)
            method = method if method != "GET" else "POST"
        elif word == "-s":
            continue
        else:
            url = word
    return method, url, headers, body


def test_every_curl_example_of_docs_api_md_runs(app, demo, api_keys, enable_plugins):
    enable_plugins("po_allocation")  # its example needs the module on, as the text says
    found = examples()
    assert len(found) >= 8
    client = app.test_client()
    for command, expected in found:
        method, url, headers, body = to_request(command, api_keys["admin"])
        resp = client.open(url, method=method, headers=headers, data=body)
        assert resp.status_code == expected, (command, resp.status_code, resp.get_data(as_text=True)[:500])
        if expected >= 400:
            assert resp.mimetype == "application/problem+json"
