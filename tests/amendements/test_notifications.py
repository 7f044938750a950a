"""Notifications: the header counter, the list by pages, marking one or all read."""
from __future__ import annotations

import re

from sqlalchemy import select

from charte.extensions import db
from charte.notifications.models import Notification
from charte.notifications.services import notifier
from tests.conftest import page_text


def _notify(user, n, message="Amendement n° {i} déposé."):
    for i in range(1, n + 1):
        notifier([user], "amendement.depose", message.format(i=i), f"/amendements/{i}")
    db.session.commit()


def test_counter_list_and_mark_read(client, auth, make_user):
    user, other = make_user(), make_user()
    _notify(user, 3)
    _notify(other, 1)
    auth.login(user)
    body = page_text(client.get("/chartes/"))
    assert re.search(r'Notifications <span class="compteur">3<span class="visually-hidden"> non lues', body)
    page = page_text(client.get("/notifications"))
    assert page.count("Nouveau") == 3 and "Amendement n° 2 déposé." in page
    first = db.session.scalar(select(Notification.id).filter_by(user_id=user.id).order_by(Notification.id))
    assert client.submit("/notifications/lues", {"id": str(first)}).status_code == 302
    assert 'class="compteur">2<' in client.get("/notifications").get_data(as_text=True)
    # Twice is harmless.
    assert client.submit("/notifications/lues", {"id": str(first)}).status_code == 302
    assert client.submit("/notifications/lues").status_code == 302
    assert "compteur" not in client.get("/notifications").get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Notification.lue_at).filter_by(user_id=other.id)) is None


def test_someone_elses_or_a_forged_notification(client, auth, make_user):
    user, other = make_user(), make_user()
    _notify(other, 1)
    theirs = db.session.scalar(select(Notification.id))
    auth.login(user)
    assert client.submit("/notifications/lues", {"id": str(theirs)}).status_code == 404
    assert client.submit("/notifications/lues", {"id": "999999"}).status_code == 404
    response = client.submit("/notifications/lues", {"id": "abc"})
    assert response.status_code == 400 and "n’existe pas" in page_text(response)
    assert client.post("/notifications/lues", data={"id": str(theirs)}).status_code == 400  # no CSRF token
    db.session.rollback()
    assert db.session.scalar(select(Notification.lue_at).filter_by(id=theirs)) is None


def test_pages(client, auth, make_user, monkeypatch):
    from charte.notifications import views

    monkeypatch.setattr(views, "PAR_PAGE", 2)
    user = make_user()
    _notify(user, 5)
    auth.login(user)
    assert "Amendement n° 5 déposé." in page_text(client.get("/notifications"))
    last = page_text(client.get("/notifications?page=3"))
    assert "Amendement n° 1 déposé." in last and "Amendement n° 5" not in last
    assert "Plus récentes" in last
    assert "Amendement n° 1 déposé." in page_text(client.get("/notifications?page=99"))


def test_nobody_notified_sees_an_empty_page_and_no_counter(client, auth, make_user):
    auth.login(make_user())
    body = page_text(client.get("/notifications"))
    assert "aucune notification" in body and "compteur" not in body


def test_the_counter_costs_one_query(client, auth, make_user, app):
    from sqlalchemy import event

    user = make_user()
    _notify(user, 2)
    auth.login(user)
    statements = []

    def capture(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        client.get("/chartes/")
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len([s for s in statements if "notifications" in s]) == 1
