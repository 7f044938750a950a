"""Login, logout, own password; the admin pages for departments and accounts."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from charte.accounts import authentification, double_facteur, services
from charte.accounts.authentification import SESSION_END_REASONS
from charte.accounts.double_facteur import codes_secours_restants, doit_activer_double_facteur, exigence_double_facteur
from charte.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    DepartementForm,
    EnrolmentForm,
    ExigenceForm,
    LoginForm,
    ParametresForm,
    UserCreateForm,
    UserEditForm,
)
from charte.accounts.models import Departement, User
from charte.accounts.sessions import (
    begin_second_step,
    continue_session,
    mark_fresh,
    note_stale_session,
    pop_end_reason,
    second_step_started,
    second_step_user,
    start_session,
)
from charte.errors import render_error
from charte.exceptions import DomainError, NotFound
from charte.extensions import db
from charte.forms import ActionForm
from charte.parametres import authority_name
from charte.security import public, requires, requires_fresh_auth, safe_next
from charte.texte import de
from charte.web import Outcome, attach_error, run_form

bp = Blueprint("accounts", __name__)


def _address() -> str:
    return request.remote_addr or ""


def _run_checked(form, action) -> Outcome:
    """Like run_form, but a refusal is committed too: the failed attempt must count for the throttle
    and stay in the journal (the services raise before changing anything else)."""

    def committed_even_if_refused():
        try:
            return action()
        except DomainError:
            db.session.commit()
            raise

    return run_form(form, committed_even_if_refused)


def _after_login(user: User, target: str | None, method: str | None = None):
    start_session(user)
    if method == "code_secours":
        flash("Vous vous êtes connecté·e avec un code de secours : il ne servira plus. "
              f"Il vous en reste {codes_secours_restants(user)}.", "info")
    if user.must_change_password:
        flash("Choisissez maintenant votre propre mot de passe.", "info")
        return redirect(url_for("accounts.change_password"))
    if doit_activer_double_facteur(user):
        flash("Votre rôle exige la double authentification : configurez-la maintenant.", "info")
        return redirect(url_for("accounts.securite"))
    flash(f"Bienvenue, {user.nom}.", "success")
    return redirect(target or url_for("chartes.index"))


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    """Log in with e-mail and password, under throttling; then the code when enrolled."""
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("chartes.index"))
    reason = pop_end_reason() if request.method == "GET" else None
    form = LoginForm()
    outcome = _run_checked(form, lambda: authentification.authenticate(
        form.email.data, form.password.data, _address()))
    if outcome.done:
        user = outcome.result
        if user.has_second_factor:
            begin_second_step(user, target)
            return redirect(url_for("accounts.login_code"))
        return _after_login(user, target)
    return render_template("accounts/login.html", form=form, next=target,
                           end_reason=SESSION_END_REASONS.get(reason)), outcome.status


@bp.route("/connexion/code", methods=["GET", "POST"])
@public
def login_code():
    """Second step of the login: the code of the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("chartes.index"))
    started = second_step_started()
    user, target = second_step_user()
    if user is None:
        if started:
            flash("Votre connexion n’a pas abouti à temps : saisissez de nouveau votre mot de passe.", "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    outcome = _run_checked(form, lambda: authentification.verifier_code_connexion(user, form.code.data, _address()))
    if outcome.done:
        return _after_login(user, target, outcome.result)
    return render_template("accounts/login_code.html", form=form), outcome.status


@bp.route("/deconnexion", methods=["POST"])
def logout():
    """End the session here and on the server (the session counter moves on)."""
    authentification.terminer_session(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
def change_password():
    """Change one's own password (the current one checked under throttling); other sessions end."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    outcome = _run_checked(form, lambda: services.changer_mot_de_passe(
        user, form.current.data, form.new.data, form.confirmation.data, _address()))
    if outcome.done:
        continue_session(user)
        flash("Votre mot de passe a été changé. Vos autres sessions ont été fermées.", "success")
        return redirect(url_for("chartes.index"))
    return render_template("accounts/password.html", form=form), outcome.status


# --- Second factor and fresh authentication ----------------------------------------------------


@bp.route("/mon-compte/securite")
def securite():
    """The account's security: password, second factor, recovery codes."""
    user = current_user._get_current_object()
    return render_template("accounts/securite.html", action_form=ActionForm(),
                           required=doit_activer_double_facteur(user),
                           role_requires=user.is_second_factor_role and exigence_double_facteur(),
                           restants=codes_secours_restants(user) if user.has_second_factor else 0)


@bp.route("/mon-compte/securite/configurer", methods=["POST"])
def securite_configurer():
    """Draw a new secret to enrol (a first one, or a new phone), then show it."""
    form = ActionForm()
    outcome = run_form(form, lambda: double_facteur.preparer_double_facteur(current_user._get_current_object()))
    if not outcome.done:
        return render_error(outcome.status)
    return redirect(url_for("accounts.securite_activer"))


@bp.route("/mon-compte/securite/activer", methods=["GET", "POST"])
def securite_activer():
    """Show the QR code and the secret being enrolled; one code from the app enables it."""
    user = current_user._get_current_object()
    if not user.totp_pending_secret:
        flash("Commencez par « Configurer la double authentification ».", "info")
        return redirect(url_for("accounts.securite"))
    form = EnrolmentForm()
    outcome = run_form(form, lambda: double_facteur.activer_double_facteur(user, form.code.data))
    if outcome.done:
        continue_session(user)
        return render_template("accounts/codes_secours.html", codes=outcome.result, activated=True)
    return render_template("accounts/securite_activer.html", form=form,
                           provisioning=double_facteur.provisioning(user, authority_name())), outcome.status


@bp.route("/mon-compte/securite/codes-secours", methods=["POST"])
@requires_fresh_auth
def securite_codes():
    """Draw ten new recovery codes (the old ones stop working); shown once."""
    form = ActionForm()
    outcome = run_form(form, lambda: double_facteur.renouveler_codes_secours(current_user._get_current_object()))
    if not outcome.done:
        return render_error(outcome.status, _form_message(form))
    return render_template("accounts/codes_secours.html", codes=outcome.result, activated=False)


@bp.route("/mon-compte/securite/desactiver", methods=["POST"])
@requires_fresh_auth
def securite_desactiver():
    """Turn one's own second factor off, when one's role does not require it."""
    user = current_user._get_current_object()
    form = ActionForm()
    outcome = run_form(form, lambda: double_facteur.desactiver_double_facteur(user))
    if not outcome.done:
        return render_error(outcome.status, _form_message(form))
    continue_session(user)
    flash("La double authentification est désactivée. Vos autres sessions ont été fermées.", "success")
    return redirect(url_for("accounts.securite"))


def _form_message(form) -> str | None:
    return form.form_errors[0] if form.form_errors else None


@bp.route("/mon-compte/confirmer", methods=["GET", "POST"])
def confirmer():
    """Fresh authentication before a sensitive action: password and second factor, then back to `next`."""
    user = current_user._get_current_object()
    target = safe_next(request.args.get("next"))
    form = ConfirmForm()
    outcome = _run_checked(form, lambda: authentification.confirmer_identite(
        user, form.password.data, form.code.data, _address()))
    if outcome.done:
        mark_fresh(user)
        flash("Identité confirmée : vous pouvez poursuivre pendant cinq minutes.", "success")
        return redirect(target or url_for("accounts.securite"))
    return render_template("accounts/confirmer.html", form=form, next=target), outcome.status


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


@bp.route("/admin/parametres/double-facteur", methods=["POST"])
@requires("admin")
@requires_fresh_auth
def parametres_double_facteur():
    """Require the second factor of committee members and admins, or lift the requirement (journalled)."""
    form = ExigenceForm()
    outcome = run_form(form, lambda: double_facteur.changer_exigence_double_facteur(
        form.exiger.data == "1", current_user._get_current_object()))
    if not outcome.done:
        errors = form.form_errors + form.exiger.errors + form.compris.errors
        return render_error(outcome.status, errors[0] if errors else None)
    flash("La double authentification est de nouveau exigée du comité et de l’administration."
          if outcome.result else "L’exigence de double authentification est levée.", "success")
    return redirect(url_for("accounts.parametres"))


@bp.app_template_global()
def double_facteur_exige() -> bool:
    """For the settings page (templates/accounts/parametres_double_facteur.html)."""
    return exigence_double_facteur()


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


@bp.route("/admin/comptes/<id:user_id>/double-facteur", methods=["POST"])
@requires("admin")
@requires_fresh_auth
def user_reset_second_factor(user_id: int):
    """Remove a person's second factor (lost phone): their sessions end, they enrol again."""
    target, _, refused = _account_action(
        user_id, lambda u: double_facteur.reinitialiser_double_facteur(u, current_user._get_current_object()))
    if refused:
        return refused
    flash(f"La double authentification de {target.nom} est réinitialisée : ses sessions sont fermées, "
          "la personne la configurera de nouveau à sa prochaine connexion.", "success")
    return redirect(url_for("accounts.user_edit", user_id=user_id))


def load_user(user_id: str) -> User | None:
    """Session cookie → account, only while the account is active and the session counter matches;
    otherwise the reason is noted for the login page."""
    ident, _, version = (user_id or "").partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None:
        return None
    if not user.is_active:
        note_stale_session("desactivation")
        return None
    if user.session_version != int(version):
        note_stale_session(user.session_end_reason or "fermee")
        return None
    return user
