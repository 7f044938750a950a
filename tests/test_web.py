"""The form runner: one commit per request, nothing kept when the action is refused."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from charte.accounts.forms import DepartementForm
from charte.accounts.models import Departement
from charte.accounts.services import creer_departement
from charte.exceptions import Conflict
from charte.extensions import db
from charte.web import CONCURRENT_CHANGE, run_form


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Departement))


def _form(app, nom="Voirie"):
    ctx = app.test_request_context("/admin/services", method="POST", data={"nom": nom})
    ctx.push()
    app.config["WTF_CSRF_ENABLED"] = False
    return ctx, DepartementForm()


def test_success_commits_once(app):
    ctx, form = _form(app)
    try:
        outcome = run_form(form, lambda: creer_departement(form.nom.data, None))
    finally:
        ctx.pop()
    assert outcome.done and outcome.result.nom == "Voirie"
    assert _count() == 1


def test_domain_refusal_rolls_back_everything_written_before_it(app):
    ctx, form = _form(app)

    def half_then_refuse():
        creer_departement("Écrit puis annulé", None)
        raise Conflict("Refusé pour le test.", "nom")

    try:
        outcome = run_form(form, half_then_refuse)
        assert (outcome.done, outcome.status) == (False, 409)
        assert form.nom.errors == ["Refusé pour le test."]
    finally:
        ctx.pop()
    assert _count() == 0


def test_concurrent_duplicate_becomes_a_409_not_a_500(app):
    ctx, form = _form(app)

    def racing_insert():
        creer_departement("Premier", None)
        raise IntegrityError("INSERT", {}, Exception("unique constraint"))

    try:
        outcome = run_form(form, racing_insert)
        assert (outcome.done, outcome.status) == (False, 409)
        assert form.form_errors == [CONCURRENT_CHANGE]
    finally:
        ctx.pop()
    assert _count() == 0
