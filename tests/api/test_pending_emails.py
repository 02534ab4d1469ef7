"""``/api/v1/pending-emails``: the Pending Emails page's list, filters and buttons, by role."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import db
from plugins.email_templates.models import OutboxEmail
from tests.email_templates.conftest import queue

URL = "/api/v1/pending-emails"


def _statuses(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(OutboxEmail.id, OutboxEmail.status)).all())


def _ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [row["id"] for row in resp.get_json()["items"]]


def test_list_filters_like_the_page_and_read_one(mail_app, api):
    with mail_app.app_context():
        a, b = queue(2, prefix="po")
        db.session.get(OutboxEmail, b).status = "dead"
        db.session.commit()
    sales = api("sales")
    assert _ids(sales.get(URL)) == [b, a]  # newest first
    assert _ids(sales.get(f"{URL}?state=dead")) == [b]
    assert _ids(sales.get(f"{URL}?document=DOC%20po0")) == [a]
    assert _ids(sales.get(f"{URL}?type=BACK%20ORDER&date_from=2000-01-01")) == [b, a]
    assert _ids(sales.get(f"{URL}?date_from=2099-01-01")) == []
    first = sales.get(f"{URL}?limit=1").get_json()
    assert first["next_page"] == 2 and "body_text" not in first["items"][0]
    assert sales.get(f"{URL}?limit=1&page=2").get_json()["next_page"] is None
    bad = sales.get(f"{URL}?state=lost")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "state"
    one = sales.get(f"{URL}/{a}").get_json()
    assert one["body_text"] == "Body 0" and one["subject"] == "Message po 0" and one["status_label"] == "Pending"
    assert sales.get(f"{URL}/999999").status_code == 404


def test_send_now_cancel_and_requeue_through_the_page_services(mail_app, api, smtp_server):
    with mail_app.app_context():
        a, b, c = queue(3)
    buyer = api("purchasing")
    sent = buyer.post(f"{URL}/send", json={"ids": [a]})
    assert sent.status_code == 200 and sent.get_json() == {"sent": 1, "retry": 0, "dead": 0, "failed": 0,
                                                           "errors": [], "summary": "1 sent"}
    assert _statuses(mail_app) == {a: "sent", b: "pending", c: "pending"}
    assert len(smtp_server.handler.received) == 1
    assert buyer.post(f"{URL}/cancel", json={"ids": [b]}).get_json() == {"changed": 1}
    assert buyer.post(f"{URL}/cancel", json={"ids": [a, c]}).get_json() == {"changed": 1}  # sent stays sent
    assert _statuses(mail_app) == {a: "sent", b: "cancelled", c: "cancelled"}
    assert buyer.post(f"{URL}/requeue", json={"ids": [b, a]}).get_json() == {"changed": 1}
    assert _statuses(mail_app) == {a: "sent", b: "pending", c: "cancelled"}
    empty = buyer.post(f"{URL}/send", json={"ids": []})
    assert empty.status_code == 422 and empty.get_json()["errors"] == [{"field": "ids",
                                                                         "message": "Select at least one email."}]


def test_roles_are_the_pages(mail_app, api):
    with mail_app.app_context():
        (a,) = queue(1)
    for role in ("sales", "purchasing", "admin"):
        assert api(role).get(f"{URL}/{a}").status_code == 200
    readonly = api("readonly")
    for resp in (readonly.get(URL), readonly.get(f"{URL}/{a}"), readonly.post(f"{URL}/cancel", json={"ids": [a]})):
        assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert api(None).get(URL).status_code == 401
    assert _statuses(mail_app) == {a: "pending"}


def test_switched_off_with_its_plugin(mail_app, answers_404_when_off):
    with mail_app.app_context():
        (a,) = queue(1)
    answers_404_when_off("email_templates", URL, [("get", URL), ("get", f"{URL}/{a}"), ("post", f"{URL}/send")])
