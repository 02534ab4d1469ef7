"""Templates as records: sandboxed rendering, errors beside the fields, preview, the editor page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from jinja2.exceptions import SecurityError

from core.db import db
from core.errors import ValidationError
from plugins.email_templates.models import EmailTemplate
from plugins.email_templates.render import Rendered, check, plain, render
from plugins.email_templates.templating import save_template
from plugins.email_templates.types import BACK_ORDER, BUILTIN, all_types

SAMPLE = next(t for t in BUILTIN if t.code == BACK_ORDER)
GOOD = {"name": "Back order notice", "type": BACK_ORDER, "subject": "Your order {{ orders|join(', ') }}",
        "body_html": "<p>Dear {{ customer.name }}</p>{% for l in lines %}<p>{{ l.item_code }} x {{ l.qty }}</p>{% endfor %}",
        "body_text": "Dear {{ customer.name }}, PO {{ po_number }} is {{ status.description }}.", "active": True}


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ customer.__class__ }}",
    "{{ lines.__class__.__base__ }}",
    "{{ customer.name.format.__globals__ }}",
])
def test_sandbox_refuses_attribute_escapes(payload):
    with pytest.raises(SecurityError):
        render({"subject": "x", "body_html": "", "body_text": payload}, dict(SAMPLE.sample))
    errors = check({"subject": "x", "body_html": "", "body_text": payload}, SAMPLE.variables, dict(SAMPLE.sample))
    assert errors and errors[0][0] == "body_text" and errors[0][1].startswith("Not allowed in a template")


def test_templates_get_plain_data_only():
    with pytest.raises(TypeError, match="plain data only"):
        plain({"customer": object()})
    assert plain({"a": [1, {"b": "c"}]}) == {"a": [1, {"b": "c"}]}


def test_html_is_escaped_text_is_not():
    out = render({"subject": "{{ customer.name }}", "body_html": "<b>{{ customer.name }}</b>",
                  "body_text": "{{ customer.name }}"}, {"customer": {"name": "<Tom & Jerry>"}})
    assert out == Rendered("<Tom & Jerry>", "<b>&lt;Tom &amp; Jerry&gt;</b>", "<Tom & Jerry>")


def test_check_reports_syntax_and_unknown_variables_per_field():
    errors = dict(check({"subject": "{{ customer.name", "body_html": "{{ invoice_total }}",
                         "body_text": "{{ customer.shoe_size }}"}, SAMPLE.variables, dict(SAMPLE.sample)))
    assert errors["subject"].startswith("Syntax error on line 1")
    assert "Unknown variable(s): invoice_total" in errors["body_html"]
    assert "shoe_size" in errors["body_text"] and errors["body_text"].startswith("Unknown variable or attribute")


def test_save_refuses_broken_template_and_keeps_good_one(app):
    with app.app_context():
        with pytest.raises(ValidationError) as info:
            save_template(None, {**GOOD, "body_text": "{% for x in lines %}"})
        assert info.value.errors[0][0] == "body_text"
        row = save_template(None, GOOD)
        db.session.commit()
        assert db.session.get(EmailTemplate, row.id).subject.startswith("Your order")
        with pytest.raises(ValidationError, match="exists"):
            save_template(None, GOOD)


def test_hook_email_template_types(app, monkeypatch):
    """A plugin's ``email_template_types`` adds a type the editor validates against."""
    import core.plugins
    from tests.conftest import make_app

    monkeypatch.setitem(core.plugins.BUILTIN_PLUGINS, "probe_email_types", "tests.email_templates.probe_plugin")
    app2 = make_app()
    with app2.test_request_context():
        types = all_types()
        assert "SHIP NOTICE" in types and BACK_ORDER in types
        row = save_template(None, {**GOOD, "name": "Ship", "type": "SHIP NOTICE", "subject": "{{ order_number }}",
                                   "body_html": "", "body_text": "Shipped {{ order_number }}"})
        assert row.type == "SHIP NOTICE"
        db.session.rollback()


def _editor_post(client, data, template_id=None):
    url = f"/email/templates/{template_id}" if template_id else "/email/templates/new"
    return client.post(url, data={k: ("y" if v is True else v) for k, v in data.items() if v is not False})


def test_editor_shows_errors_beside_fields_then_previews_and_saves(admin_client, app):
    page = admin_client.get("/email/templates/new")
    assert page.status_code == 200 and b"Variables" in page.data
    bad = _editor_post(admin_client, {**GOOD, "body_html": "<p>{{ customer.name }</p>"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="error-body_html"' in html and "Syntax error on line 1" in html
    assert "&lt;p&gt;{{ customer.name }&lt;/p&gt;" in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0
    shown = _editor_post(admin_client, {**GOOD, "preview": "1"})
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "Dear Acme Retail" in text and 'id="preview-subject">Your order SO1001' in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0  # preview saves nothing
    saved = _editor_post(admin_client, {**GOOD, "save": "1"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(EmailTemplate.name)) == "Back order notice"
    listing = admin_client.get("/email/templates")
    assert b"Back order notice" in listing.data


def test_editor_payload_refused_beside_the_field(admin_client):
    resp = _editor_post(admin_client, {**GOOD, "body_text": "{{ ''.__class__.__mro__ }}"})
    assert resp.status_code == 422 and "Not allowed in a template" in resp.get_data(as_text=True)


def test_templates_page_is_for_administrators(client):
    client.login("sales")
    assert client.get("/email/templates").status_code == 403
