"""Login, logout, own password; the admin pages for departments and accounts."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from charte.accounts import services
from charte.accounts.forms import (
    ChangePasswordForm,
    DepartementForm,
    LoginForm,
    ParametresForm,
    UserCreateForm,
    UserEditForm,
)
from charte.accounts.models import Departement, User
from charte.exceptions import DomainError, NotFound
from charte.extensions import db
from charte.forms import ActionForm
from charte.security import public, requires, safe_next
from charte.texte import de
from charte.web import attach_error, run_form

bp = Blueprint("accounts", __name__)


def _start_session(user: User) -> None:
    """A fresh session for a fresh login: nothing from before survives, the cookie changes."""
    session.clear()
    login_user(user)
    session.permanent = True


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    """Log in with e-mail and password, under throttling."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("chartes.index"))
    form = LoginForm()
    status = 200
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            try:
                user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
            except DomainError as exc:
                db.session.commit()  # the failed attempt and its journal entry are kept
                form.form_errors.append(exc.message)
                status = exc.status
            else:
                db.session.commit()
                _start_session(user)
                if user.must_change_password:
                    flash("Choisissez maintenant votre propre mot de passe.", "info")
                    return redirect(url_for("accounts.change_password"))
                flash(f"Bienvenue, {user.nom}.", "success")
                return redirect(target or url_for("chartes.index"))
    return render_template("accounts/login.html", form=form, next=target), status


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """End the session here and on the server (the session counter moves on)."""
    services.terminer_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
def change_password():
    """Change one's own password; other sessions of the account end."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    outcome = run_form(form, lambda: services.changer_mot_de_passe(
        user, form.current.data, form.new.data, form.confirmation.data))
    if outcome.done:
        _start_session(user)  # this session carries on under the new counter
        flash("Votre mot de passe a été changé. Vos autres sessions ont été fermées.", "success")
        return redirect(url_for("chartes.index"))
    return render_template("accounts/password.html", form=form), outcome.status


# --- Administration ----------------------------------------------------------------------------


@bp.route("/admin/")
@requires("admin")
def admin_index():
    """Administration home."""
    counts = {
        "services": db.session.scalar(select(db.func.count()).select_from(Departement)),
        "comptes": db.session.scalar(select(db.func.count()).select_from(User)),
    }
    return render_template("accounts/admin_index.html", counts=counts)


@bp.route("/admin/parametres", methods=["GET", "POST"])
@requires("admin")
def parametres():
    """Settings of the authority (its name for now)."""
    from charte.parametres import NOM_COLLECTIVITE, authority_complement, authority_name, changer_nom_collectivite

    current = {"nom_collectivite": authority_name(), "nom_collectivite_complement": authority_complement()}
    form = ParametresForm(data=current if request.method == "GET" else None)
    outcome = run_form(form, lambda: changer_nom_collectivite(
        form.nom_collectivite.data, current_user, form.nom_collectivite_complement.data))
    if outcome.done:
        flash("Les paramètres ont été enregistrés.", "success")
        return redirect(url_for("accounts.parametres"))
    overridden = bool(current_app.config.get("CHARTE_AUTHORITY_NAME"))
    return render_template("accounts/parametres.html", form=form, overridden=overridden,
                           cle=NOM_COLLECTIVITE), outcome.status


def _get_departement(departement_id: int) -> Departement:
    dep = db.session.get(Departement, departement_id)
    if dep is None:
        raise NotFound("Ce service n’existe pas.")
    return dep


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Ce compte n’existe pas.")
    return user


def _departement_choices() -> list[tuple[int, str]]:
    return [(d.id, d.nom) for d in db.session.scalars(select(Departement).order_by(Departement.nom_key))]


@bp.route("/admin/services", methods=["GET", "POST"])
@requires("admin")
def departements():
    """List the departments and create one."""
    form = DepartementForm()
    outcome = run_form(form, lambda: services.creer_departement(form.nom.data, current_user))
    if outcome.done:
        flash(f"Le service « {outcome.result.nom} » a été créé.", "success")
        return redirect(url_for("accounts.departements"))
    deps = db.session.scalars(
        select(Departement).options(selectinload(Departement.users)).order_by(Departement.nom_key)).all()
    return render_template("accounts/departements.html", form=form, departements=deps), outcome.status


@bp.route("/admin/services/<id:departement_id>", methods=["GET", "POST"])
@requires("admin")
def departement_edit(departement_id: int):
    """Rename a department."""
    dep = _get_departement(departement_id)
    form = DepartementForm(obj=dep if request.method == "GET" else None)
    outcome = run_form(form, lambda: services.renommer_departement(dep, form.nom.data, current_user))
    if outcome.done:
        flash(f"Le service s’appelle désormais « {dep.nom} ».", "success")
        return redirect(url_for("accounts.departements"))
    return render_template("accounts/departement_edit.html", form=form, departement=dep), outcome.status


@bp.route("/admin/comptes")
@requires("admin")
def users():
    """List the accounts."""
    rows = db.session.scalars(select(User).order_by(User.is_active.desc(), User.nom)).all()
    return render_template("accounts/users.html", users=rows)


@bp.route("/admin/comptes/nouveau", methods=["GET", "POST"])
@requires("admin")
def user_create():
    """Create an account; its generated password is shown once."""
    form = UserCreateForm()
    form.departement_id.choices = _departement_choices()
    outcome = run_form(form, lambda: services.creer_compte(
        form.email.data, form.nom.data, db.session.get(Departement, form.departement_id.data),
        form.roles(), current_user))
    if outcome.done:
        user, password = outcome.result
        return render_template("accounts/password_shown.html", target=user, password=password, created=True)
    return render_template("accounts/user_create.html", form=form), outcome.status


@bp.route("/admin/comptes/<id:user_id>", methods=["GET", "POST"])
@requires("admin")
def user_edit(user_id: int):
    """Change an account's name, department and roles."""
    target = _get_user(user_id)
    form = UserEditForm(obj=target, data={"comite": target.is_comite, "admin": target.is_admin}) \
        if request.method == "GET" else UserEditForm()
    form.departement_id.choices = _departement_choices()
    outcome = run_form(form, lambda: services.modifier_compte(
        target, form.nom.data, db.session.get(Departement, form.departement_id.data), form.roles(), current_user))
    if outcome.done:
        flash(f"Le compte {de(target.nom)} a été mis à jour.", "success")
        return redirect(url_for("accounts.users"))
    return render_template("accounts/user_edit.html", form=form, target=target, action_form=ActionForm()), \
        outcome.status


def _edit_page(target: User, error: DomainError | None = None, status: int = 200):
    form = UserEditForm(obj=target, data={"comite": target.is_comite, "admin": target.is_admin})
    form.departement_id.choices = _departement_choices()
    if error is not None:
        attach_error(form, error)
    return render_template("accounts/user_edit.html", form=form, target=target, action_form=ActionForm()), status


def _account_action(user_id: int, action):
    """Run an account action from a POST button; (target, result, None) or (target, None, error page)."""
    target = _get_user(user_id)
    try:
        result = action(target)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return target, None, _edit_page(target, exc, exc.status)
    return target, result, None


def _toggle_account(user_id: int, action, message: str):
    target, _, refused = _account_action(user_id, lambda u: action(u, current_user))
    if refused:
        return refused
    flash(message.format(nom_de=de(target.nom)), "success")
    return redirect(url_for("accounts.user_edit", user_id=user_id))


@bp.route("/admin/comptes/<id:user_id>/desactiver", methods=["GET", "POST"])
@requires("admin")
def user_disable(user_id: int):
    """Disable an account: GET asks for confirmation (stating the consequences), POST disables it."""
    if request.method == "GET":
        target = _get_user(user_id)
        try:
            services.verifier_desactivation(target, current_user)
        except DomainError as exc:
            return _edit_page(target, exc, exc.status)
        return render_template("accounts/user_disable.html", target=target, action_form=ActionForm())
    return _toggle_account(user_id, services.desactiver_compte,
                           "Le compte {nom_de} est désactivé ; ses sessions sont fermées.")


@bp.route("/admin/comptes/<id:user_id>/reactiver", methods=["POST"])
@requires("admin")
def user_enable(user_id: int):
    """Enable a disabled account again."""
    return _toggle_account(user_id, services.reactiver_compte, "Le compte {nom_de} est de nouveau actif.")


@bp.route("/admin/comptes/<id:user_id>/reinitialiser", methods=["POST"])
@requires("admin")
def user_reset_password(user_id: int):
    """Give the account a new password, shown once and to be changed at next login."""
    target, password, refused = _account_action(
        user_id, lambda u: services.reinitialiser_mot_de_passe(u, current_user))
    if refused:
        return refused
    return render_template("accounts/password_shown.html", target=target, password=password, created=False)


def load_user(user_id: str) -> User | None:
    """Session cookie → account, only while the account is active and the session counter matches."""
    ident, _, version = (user_id or "").partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user
