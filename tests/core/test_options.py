"""Setup options declared as data: tabbed page, validation, availability, typed reads, audit, export/import."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import sqlalchemy as sa

from core.db import db
from core.models import OptionAudit, OptionValue, Warehouse
from core.options import Option, OptionRegistry, coerce, options_for
from tests.core.conftest import client_for
from tests.platform_plugins import probe

GOOD = {"max_lines": "120", "markup_pct": "12.50", "mode": "b", "beta_label": "B!", "cutoff": "2025-03-31",
        "note": "hello", "warehouse": "", "doc_number": "2000", "feature": "y"}


def _stored(app) -> dict[str, str]:
    with app.app_context():
        return {r.key: r.value for r in db.session.scalars(sa.select(OptionValue).where(OptionValue.plugin == "probe"))}


def test_tabbed_page_renders_every_type_with_conditions(pc):
    """The page built from the probe's setup_options declaration."""
    page = pc.get("/admin/options/probe").get_data(as_text=True)
    for tab in ("Main", "Dates", "Links"):
        assert f'<button type="button" role="tab" data-tab="{tab}"' in page
        assert f'<section data-tab="{tab}"' in page
    assert 'type="checkbox"' in page and 'name="feature"' in page
    assert 'name="max_lines" type="number"' in page
    assert '<select id="mode" name="mode">' in page and "Beta</option>" in page
    assert 'name="cutoff" type="date"' in page
    assert '<select id="warehouse" name="warehouse">' in page
    assert 'value="1000"' in page  # the sequence's next number
    assert "Available only if Use the feature is selected" in page
    assert "data-available-if='{\"feature\": true}'" in page
    # markup_pct is unavailable (feature off): rendered disabled
    markup = page.split('id="field-markup_pct"')[0].rsplit("<div", 1)[1] + page.split('id="field-markup_pct"')[1][:400]
    assert "unavailable" in markup and "disabled" in markup


def test_valid_input_is_saved_typed_and_audited_with_who_when_old_new(probe_app, pc):
    with probe_app.app_context():
        db.session.add(Warehouse(code="MAIN", name="Main"))
        db.session.commit()
    resp = pc.post("/admin/options/probe", data={**GOOD, "warehouse": "MAIN"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with probe_app.test_request_context():
        opts = options_for("probe")
        assert opts["feature"] is True
        assert opts["max_lines"] == 120 and isinstance(opts["max_lines"], int)
        assert opts["markup_pct"] == Decimal("12.50") and isinstance(opts["markup_pct"], Decimal)
        assert opts.mode == "b" and opts.beta_label == "B!"
        assert opts["cutoff"] == date(2025, 3, 31)
        assert opts["warehouse"] == "MAIN"
        assert opts["doc_number"] == 2000
        assert len(opts) == 9 and set(opts) >= {"feature", "doc_number"}
        from core.numbering import next_number

        assert next_number("probe_doc") == "002000"  # the sequence option sets the live counter
        db.session.rollback()
    page = pc.get("/admin/options/probe").get_data(as_text=True)
    audit = page.split('id="audit"')[1]
    row = next(r for r in audit.split("<tr>") if "Maximum lines" in r)
    assert "<td>admin</td>" in row and "<td>50</td><td>120</td>" in row and "<td>page</td>" in row
    with probe_app.app_context():
        entry = db.session.scalar(sa.select(OptionAudit).where(OptionAudit.key == "max_lines"))
        assert entry.user.username == "admin" and entry.changed_at is not None
        assert (entry.old_value, entry.new_value) == ("50", "120")
    assert ("options", "probe", {"max_lines": (50, 120)}) not in probe.EVENTS  # one event for all changes
    event = next(e for e in probe.EVENTS if e[0] == "options")
    assert event[2]["max_lines"] == (50, 120) and event[2]["markup_pct"] == (Decimal("10.00"), Decimal("12.50"))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("max_lines", "501", "must be at most 500 (allowed: 1 to 500)"),
    ("max_lines", "0", "must be at least 1 (allowed: 1 to 500)"),
    ("max_lines", "ten", "Enter a whole number."),
    ("markup_pct", "abc", "Enter a number like 12 or 12.50."),
    ("markup_pct", "100.01", "must be at most 100"),
    ("markup_pct", "1.234", "at most 2 decimal places"),
    ("cutoff", "2025-02-30", "Not a valid date value."),
    ("mode", "z", "Not a valid choice."),
    ("warehouse", "NOPE", "no warehouse with code &#39;NOPE&#39;"),
    ("doc_number", "1000000", "must be at most 999999"),
])
def test_bad_input_gets_a_message_beside_the_field_and_nothing_is_saved(probe_app, pc, key, value, message):
    resp = pc.post("/admin/options/probe", data={**GOOD, key: value})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    field = page.split(f'id="field-{key}"')[1].split('<div class="field')[0]
    assert message in field
    assert "Nothing was saved" in page
    # the other typed values are kept in the form
    for other, typed in (("note", 'value="hello"'), ("beta_label", 'value="B!"'), ("max_lines", 'value="120"')):
        if other != key and not (other == "beta_label" and key == "mode"):
            assert typed in page.split(f'id="field-{other}"')[1][:600]
    assert _stored(probe_app) == {}
    with probe_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OptionAudit)) == 0


def test_unavailable_option_keeps_its_value_reads_as_default_and_renders_disabled(probe_app, pc):
    pc.post("/admin/options/probe", data={**GOOD, "markup_pct": "30"})
    assert json.loads(_stored(probe_app)["markup_pct"]) == "30"
    # feature off: markup_pct becomes unavailable; the browser does not post disabled fields
    data = {k: v for k, v in GOOD.items() if k not in ("feature", "markup_pct")}
    assert pc.post("/admin/options/probe", data=data).status_code == 302
    assert json.loads(_stored(probe_app)["markup_pct"]) == "30"  # kept
    with probe_app.test_request_context():
        assert options_for("probe")["markup_pct"] == Decimal("10.00")  # ignored: reads as default
    page = pc.get("/admin/options/probe").get_data(as_text=True)
    field = page.split('id="field-markup_pct"')[1][:500]
    assert 'disabled' in field and 'value="30' in field
    # a wrong value typed into an unavailable field is ignored, not an error
    resp = pc.post("/admin/options/probe", data={**data, "markup_pct": "not a number"})
    assert resp.status_code == 302
    # a chain: beta_label needs mode b
    pc.post("/admin/options/probe", data={**data, "mode": "a"})
    with probe_app.test_request_context():
        assert options_for("probe").beta_label == ""
    assert json.loads(_stored(probe_app)["beta_label"]) == "B!"


def test_option_change_hook_exception_rolls_back_the_change(probe_app, pc):
    resp = pc.post("/admin/options/probe", data={**GOOD, "note": "boom"})
    page = resp.get_data(as_text=True)
    assert "Plugin &#39;probe&#39; failed in on_options_changed: probe rejects the note &#39;boom&#39;" in page
    assert _stored(probe_app) == {}
    with probe_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OptionAudit)) == 0
    with probe_app.test_request_context():
        assert options_for("probe")["max_lines"] == 50


def test_export_and_import_round_trip_and_import_validates_everything_first(probe_app, pc):
    pc.post("/admin/options/probe", data={**GOOD, "max_lines": "300"})
    resp = pc.get("/admin/options/export.json")
    assert resp.mimetype == "application/json" and "attachment" in resp.headers["Content-Disposition"]
    doc = resp.get_json()
    assert doc["format"] == "orderbridge-options/1"
    assert doc["plugins"]["probe"]["max_lines"] == 300 and doc["plugins"]["probe"]["markup_pct"] == "12.50"
    assert doc["plugins"]["probe"]["cutoff"] == "2025-03-31"
    # one good change plus two bad values: nothing at all changes
    bad = json.loads(json.dumps(doc))
    bad["plugins"]["probe"].update(max_lines=400, markup_pct="lots", mode="q")
    bad["plugins"]["nosuch"] = {"x": 1}
    resp = pc.post("/admin/options/import", data={"document": (BytesIO(json.dumps(bad).encode()), "o.json")},
                   content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "probe.markup_pct: must be a number" in page and "probe.mode: must be one of: Alpha, Beta" in page
    assert "nosuch: no such plugin with options" in page
    assert json.loads(_stored(probe_app)["max_lines"]) == 300
    # a valid document is applied and audited as an import
    doc["plugins"]["probe"].update(max_lines=400, feature=False, markup_pct="55")
    resp = pc.post("/admin/options/import", data={"document": (BytesIO(json.dumps(doc).encode()), "o.json")},
                   content_type="multipart/form-data")
    assert resp.status_code == 302
    stored = _stored(probe_app)
    assert json.loads(stored["max_lines"]) == 400
    assert json.loads(stored["markup_pct"]) == "55"  # restored though unavailable: disaster recovery
    with probe_app.app_context():
        sources = set(db.session.scalars(sa.select(OptionAudit.source)))
    assert sources == {"page", "import"}
    resp = pc.post("/admin/options/import", data={"document": (BytesIO(b"{not json"), "o.json")},
                   content_type="multipart/form-data")
    assert resp.status_code == 422 and "not valid JSON" in resp.get_data(as_text=True)


def test_cli_export_and_import(probe_app, tmp_path):
    runner = probe_app.test_cli_runner()
    path = tmp_path / "opts.json"
    result = runner.invoke(args=["options", "export", str(path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(path.read_text())
    assert doc["plugins"]["probe"]["max_lines"] == 50
    doc["plugins"]["probe"]["max_lines"] = 9999
    doc["plugins"]["probe"]["note"] = "from cli"
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["options", "import", str(path)])
    assert result.exit_code == 1
    assert "probe.max_lines: must be at most 500" in result.output and "nothing was changed" in result.output
    assert _stored(probe_app) == {}
    doc["plugins"]["probe"]["max_lines"] = 499
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["options", "import", str(path)])
    assert result.exit_code == 0 and "Imported: 2 change(s)" in result.output
    assert json.loads(_stored(probe_app)["note"]) == "from cli"
    assert '"max_lines": 499' in runner.invoke(args=["options", "export"]).output


@pytest.mark.parametrize("username", ["sales", "purchasing", "readonly"])
def test_non_admins_get_403_on_options_pages(probe_app, username):
    client = client_for(probe_app, username)
    for url in ("/admin/options", "/admin/options/probe", "/admin/options/export.json", "/admin/options/import"):
        assert client.get(url).status_code == 403, url
    assert client.post("/admin/options/probe", data=GOOD).status_code == 403
    assert client.post("/admin/options/import", data={}).status_code == 403
    assert _stored(probe_app) == {}


def test_option_declarations_are_checked():
    with pytest.raises(ValueError, match="unknown type"):
        Option("x", "float", 1, "X")
    with pytest.raises(ValueError, match="is not a choice"):
        Option("x", "choice", "c", "X", choices=(("a", "A"),))
    with pytest.raises(ValueError, match="outside its range"):
        Option("x", "int", 0, "X", min=1)
    reg = OptionRegistry()
    with pytest.raises(ValueError, match="declared twice"):
        reg.declare("p", [Option("a", "int", 1, "A"), Option("a", "int", 1, "A")])
    with pytest.raises(ValueError, match="unknown option 'zz'"):
        reg.declare("p", [Option("a", "int", 1, "A", available_if={"zz": True})])
    with pytest.raises(ValueError, match="available_if cycle"):
        reg.declare("p", [Option("a", "bool", False, "A", available_if={"b": True}),
                          Option("b", "bool", False, "B", available_if={"a": True})])
    assert coerce(Option("b", "bool", False, "B"), "yes") is True
    assert coerce(Option("d", "decimal", Decimal(0), "D"), "1.5") == Decimal("1.5")
