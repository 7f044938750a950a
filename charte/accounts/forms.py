"""Forms of the accounts module."""
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from charte.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from charte.forms import ChoiceField, Form


class LoginForm(Form):
    email = EmailField("Adresse électronique", validators=[
        DataRequired("Indiquez votre adresse électronique."), Length(max=254, message="Adresse trop longue.")])
    password = PasswordField("Mot de passe", validators=[
        InputRequired("Indiquez votre mot de passe."),
        Length(max=MAX_LENGTH, message=f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères.")])


def _code_field(label: str = "Code de vérification"):
    return StringField(label, validators=[
        DataRequired("Saisissez le code affiché par votre application."),
        Length(max=64, message="Ce code est trop long.")])


class CodeForm(Form):
    """Second step of the login: a TOTP code or a recovery code."""

    code = _code_field()


class EnrolmentForm(Form):
    code = _code_field("Code affiché par l’application")


class ConfirmForm(Form):
    """Fresh authentication: the password, and the code when the account has a second factor."""

    password = PasswordField("Mot de passe", validators=[
        InputRequired("Indiquez votre mot de passe."),
        Length(max=MAX_LENGTH, message=f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères.")])
    code = StringField("Code de vérification", validators=[Length(max=64, message="Ce code est trop long.")])


class ExigenceForm(Form):
    """Require the second factor of committee members and admins, or lift the requirement."""

    exiger = HiddenField(validators=[AnyOf(("0", "1"), message="Choisissez une valeur proposée.")])
    compris = BooleanField("Je comprends que les comptes du comité et de l’administration pourront alors se "
                           "connecter avec leur seul mot de passe.")

    def validate_compris(self, field):
        if self.exiger.data == "0" and not field.data:
            raise ValidationError("Cochez la case pour confirmer que vous levez l’exigence.")


class ChangePasswordForm(Form):
    current = PasswordField("Mot de passe actuel", validators=[InputRequired("Indiquez votre mot de passe actuel.")])
    new = PasswordField(
        f"Nouveau mot de passe ({MIN_LENGTH} à {MAX_LENGTH} caractères)",
        validators=[
            InputRequired("Choisissez un nouveau mot de passe."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=f"Le mot de passe doit compter de {MIN_LENGTH} à {MAX_LENGTH} caractères."),
        ],
    )
    confirmation = PasswordField("Confirmez le nouveau mot de passe", validators=[
        InputRequired("Confirmez le nouveau mot de passe.")])


class DepartementForm(Form):
    nom = StringField("Nom du service", validators=[
        DataRequired("Indiquez le nom du service."), Length(max=120, message="120 caractères au plus.")])


def _roles_fields(cls):
    cls.comite = BooleanField("Membre du comité de pilotage")
    cls.admin = BooleanField("Administration (comptes, services, modèles)")
    return cls


@_roles_fields
class UserEditForm(Form):
    nom = StringField("Prénom et nom", validators=[
        DataRequired("Indiquez le prénom et le nom."), Length(max=120, message="120 caractères au plus.")])
    departement_id = ChoiceField("Service", coerce=int, validate_choice=True)

    def roles(self) -> set[str]:
        roles = {"agent"}
        if self.comite.data:
            roles.add("comite")
        if self.admin.data:
            roles.add("admin")
        return roles


@_roles_fields
class UserCreateForm(UserEditForm):
    # No department is chosen for the administrator: a wrong default would go unnoticed.
    departement_id = ChoiceField("Service", coerce=int, validate_choice=True, placeholder="— Choisissez un service —",
                                 required_message="Choisissez le service de la personne.")
    email = EmailField("Adresse électronique", validators=[
        DataRequired("Indiquez l’adresse électronique."), Length(max=254, message="254 caractères au plus.")])


class ParametresForm(Form):
    nom_collectivite = StringField("Nom de la collectivité", validators=[
        DataRequired("Indiquez le nom de la collectivité."), Length(max=120, message="120 caractères au plus.")])
    nom_collectivite_complement = StringField("Forme du nom après «\u00a0de\u00a0»", validators=[
        Optional(), Length(max=140, message="140 caractères au plus.")])
