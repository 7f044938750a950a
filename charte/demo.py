"""A realistic demo: a fictional town hall, its departments, its people and its charter."""
from __future__ import annotations

from charte.accounts.double_facteur import enroler_sans_verification
from charte.accounts.passwords import generate_password
from charte.accounts.services import creer_compte, creer_departement
from charte.chartes.services import MODELES_DIR, creer_charte, importer_modele
from charte.parametres import NOM_COLLECTIVITE, set_parametre

DEMO_AUTHORITY = "Ville de Belval-sur-Loire"
DEFAULT_TEMPLATE = "charte-ia-collectivite.md"

DEPARTEMENTS = [
    "Direction générale des services",
    "Systèmes d’information",
    "Ressources humaines",
    "État civil et citoyenneté",
    "Éducation et petite enfance",
    "Urbanisme et aménagement",
    "Centre communal d’action sociale",
]

# (e-mail, name, department, roles)
COMPTES = [
    ("admin@belval.example", "Karim Benali", "Systèmes d’information", {"admin"}),
    ("claire.moreau@belval.example", "Claire Moreau", "Direction générale des services", {"comite"}),
    ("paul.lefebvre@belval.example", "Paul Lefebvre", "Systèmes d’information", {"comite", "admin"}),
    ("nadia.haddad@belval.example", "Nadia Haddad", "Ressources humaines", {"comite"}),
    ("julien.roux@belval.example", "Julien Roux", "État civil et citoyenneté", set()),
    ("sophie.garnier@belval.example", "Sophie Garnier", "État civil et citoyenneté", set()),
    ("lucas.martin@belval.example", "Lucas Martin", "Éducation et petite enfance", set()),
    ("amina.diallo@belval.example", "Amina Diallo", "Éducation et petite enfance", set()),
    ("thomas.petit@belval.example", "Thomas Petit", "Urbanisme et aménagement", set()),
    ("elise.fontaine@belval.example", "Élise Fontaine", "Centre communal d’action sociale", set()),
    ("marc.girard@belval.example", "Marc Girard", "Ressources humaines", set()),
    ("ines.carpentier@belval.example", "Inès Carpentier", "Systèmes d’information", set()),
]


def fill_demo(password: str | None, authority: str | None = None) -> list[tuple]:
    """Create the demo's departments, accounts and charter; returns (user, password, TOTP secret or
    None) triples. Committee members and admins are enrolled in the second factor, their secret
    printed so that a person can add it to an authenticator app and a script can compute codes."""
    set_parametre(NOM_COLLECTIVITE, authority or DEMO_AUTHORITY)
    deps = {nom: creer_departement(nom, None) for nom in DEPARTEMENTS}
    created = []
    for email, nom, dep, roles in COMPTES:
        pwd = password or generate_password()
        user, _ = creer_compte(email, nom, deps[dep], roles | {"agent"}, None, password=pwd)
        secret = enroler_sans_verification(user) if user.is_second_factor_role else None
        created.append((user, pwd, secret))
    path = MODELES_DIR / DEFAULT_TEMPLATE
    admin = created[0][0]
    modele = importer_modele(path.read_bytes(), path.name, admin)
    creer_charte(modele, f"Charte d’usage de l’intelligence artificielle — {authority or DEMO_AUTHORITY}", admin)
    return created
