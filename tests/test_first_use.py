"""What a new user stumbled on: silent defaults, disabling without confirmation, the template guide,
the authority's name in sentences, version states that did not read true."""
import io
import re

import pytest
from sqlalchemy import select

from charte.accounts.models import User
from charte.chartes.models import Charte, Modele, VersionStatut
from charte.config import PROJECT_ROOT
from charte.extensions import db
from charte.journal.models import JournalEntry
from charte.parametres import NOM_COLLECTIVITE_COMPLEMENT, get_parametre
from tests.conftest import count, page_text
from tests.test_modeles import HEAD, VALID


def _selected(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]* id="{select_id}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option selected value="([^"]*)"', block)


# --- No silent defaults --------------------------------------------------------------------------


def test_the_new_account_form_preselects_no_department(client, admin, make_departement):
    make_departement("Ressources humaines")
    html = client.get("/admin/comptes/nouveau").get_data(as_text=True)
    assert _selected(html, "departement_id") == [""]
    assert '<option selected value="">— Choisissez un service —</option>' in html


@pytest.mark.parametrize("departement", ["", None])
def test_an_account_without_a_chosen_department_is_refused(client, admin, make_departement, departement):
    make_departement("Ressources humaines")
    data = {"email": "sans.service@mairie.example", "nom": "Sans Service"}
    if departement is not None:
        data["departement_id"] = departement
    before = count(User)
    response = client.submit("/admin/comptes/nouveau", data)
    assert response.status_code == 400
    assert "Choisissez le service de la personne." in page_text(response)
    assert count(User) == before
    assert _selected(response.get_data(as_text=True), "departement_id") == [""]


def test_a_refused_account_keeps_the_chosen_department(client, admin, make_departement):
    dep = make_departement("Voirie")
    response = client.submit("/admin/comptes/nouveau", {"email": "pas-une-adresse", "nom": "X",
                                                        "departement_id": dep.id})
    assert response.status_code == 400
    assert _selected(response.get_data(as_text=True), "departement_id") == [str(dep.id)]


def test_create_a_charter_from_this_template_preselects_it(client, admin, make_modele):
    first = make_modele(VALID)
    make_modele(VALID.replace("Charte test", "Autre modèle"))
    page = client.get(f"/admin/modeles/{first.id}").get_data(as_text=True)
    link = f'href="/admin/chartes/nouvelle?modele={first.id}"'
    assert link in page and "Créer une charte à partir de ce modèle" in page
    assert _selected(client.get(f"/admin/chartes/nouvelle?modele={first.id}").get_data(as_text=True),
                     "modele_id") == [str(first.id)]
    # Without a template to start from, nothing is chosen for the administrator.
    assert _selected(client.get("/admin/chartes/nouvelle").get_data(as_text=True), "modele_id") == [""]


@pytest.mark.parametrize("modele", ["", "abc", "424242"])
def test_a_charter_needs_a_chosen_template(client, admin, make_modele, modele):
    make_modele(VALID)
    response = client.submit("/admin/chartes/nouvelle", {"modele_id": modele, "titre": "Charte"})
    assert response.status_code == 400
    expected = "Choisissez le modèle de départ." if modele == "" else "Choisissez une valeur proposée dans la liste."
    assert expected in page_text(response)
    assert count(Charte) == 0


# --- Disabling asks for confirmation ---------------------------------------------------------------


def test_disabling_goes_through_a_confirmation_page(client, admin, make_user):
    target = make_user(nom="Camille Durand", email="camille@mairie.example")
    edit = client.get(f"/admin/comptes/{target.id}").get_data(as_text=True)
    assert f'<a class="button button-danger" href="/admin/comptes/{target.id}/desactiver">' in edit
    assert f'action="/admin/comptes/{target.id}/desactiver"' not in edit  # no one-click POST any more

    journal = count(JournalEntry)
    response = client.get(f"/admin/comptes/{target.id}/desactiver")
    assert response.status_code == 200
    text = page_text(response)
    assert "Désactiver le compte de Camille Durand\u00a0?" in text
    assert "sessions ouvertes sont fermées aussitôt" in text and "rien n’est effacé" in text
    assert "réactiver le compte plus tard" in text
    assert f'action="/admin/comptes/{target.id}/desactiver"' in text and 'name="csrf_token"' in text
    db.session.refresh(target)
    assert target.is_active and count(JournalEntry) == journal  # the GET changes nothing

    response = client.submit(f"/admin/comptes/{target.id}/desactiver")
    assert response.status_code == 302
    db.session.refresh(target)
    assert not target.is_active


@pytest.mark.parametrize("case, message", [("self", "votre propre compte"), ("inactive", "déjà désactivé")])
def test_the_confirmation_page_refuses_what_the_action_would_refuse(client, admin, make_user, case, message):
    target = admin if case == "self" else make_user()
    if case == "inactive":
        target.is_active = False
        db.session.commit()
    response = client.get(f"/admin/comptes/{target.id}/desactiver")
    assert response.status_code == 409
    assert message in page_text(response)
    assert "Désactiver le compte de" not in page_text(response)


def test_the_confirmation_page_of_an_unknown_account_is_a_404(client, admin):
    response = client.get("/admin/comptes/424242/desactiver")
    assert response.status_code == 404 and "Ce compte n’existe pas." in page_text(response)


def test_the_confirmation_page_is_for_admins_only(client, auth, make_user):
    target = make_user()
    auth.login(make_user("comite"))
    assert client.get(f"/admin/comptes/{target.id}/desactiver").status_code == 403


# --- The template guide and refused uploads ----------------------------------------------------------


def test_the_import_page_links_to_the_guide_which_describes_the_format(client, admin):
    assert 'href="/admin/modeles/format"' in client.get("/admin/modeles").get_data(as_text=True)
    guide = page_text(client.get("/admin/modeles/format"))
    for words in ("Format des modèles de charte", "titre: ", "### RESP-1 — L’agent reste responsable",
                  "256\u00a0Kio", "20000\u00a0caractères", "300\u00a0clauses", "«\u00a0Image\u00a0: Logo\u00a0»",
                  "«\u00a0mon-modele.md\u00a0»\u00a0: Ligne 12\u00a0: la clause RESP-3 n’a pas de texte."):
        assert words in guide, words


def test_the_guide_agrees_with_the_readme():
    """The README's "Format des modèles" and the in-app guide state the same rules."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    guide = (PROJECT_ROOT / "templates" / "chartes" / "format.html").read_text(encoding="utf-8")
    for rule in ("`titre`", "`version`", "`description`", "`## Nom`", "`### IDENT — Titre`", "`RESP-1`", "`DON-3`",
                 "`GOUV-12`", "tiret cadratin", "`#`", "`####`"):
        assert rule in readme, rule
        code = rule.strip("`").replace("Nom", "Nom du thème") if rule.startswith("`") else rule
        assert code in guide, rule


@pytest.mark.parametrize("source, expected", [
    (HEAD + "## Thème\n### mauvais titre\nTexte\n", "«\u00a0mon-modele.md\u00a0»\u00a0: Ligne 7\u00a0: titre de clause"),
    ("pas d’en-tête", "«\u00a0mon-modele.md\u00a0»\u00a0: Ligne 1\u00a0: le fichier doit commencer"),
    (HEAD + "x" * 20_001 + "\n## Thème\n### T-1 — T\nTexte\n", "«\u00a0mon-modele.md\u00a0»\u00a0: Ligne 6\u00a0: "
                                                             "le préambule dépasse 20000 caractères."),
])
def test_a_refused_upload_names_the_file(client, admin, source, expected):
    response = client.submit("/admin/modeles", {"fichier": (io.BytesIO(source.encode()), "mon-modele.md")},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert expected in page_text(response)
    assert count(Modele) == 0


def test_a_duplicate_upload_names_the_file_too(client, admin, make_modele):
    make_modele(VALID)
    response = client.submit("/admin/modeles", {"fichier": (io.BytesIO(VALID.encode()), "copie.md")},
                             content_type="multipart/form-data")
    assert response.status_code == 409
    assert "«\u00a0copie.md\u00a0»\u00a0: ce modèle est déjà importé" in page_text(response)


# --- The authority's name in a sentence ------------------------------------------------------------


def test_every_sentence_uses_the_form_after_de():
    """No template writes « de {{ authority_name }} »: that reads « de Ville de… », « de Issy »."""
    pattern = re.compile(r"\b(?:de|du|des|d’|d')\s*\{\{\s*authority_name", re.I)
    faults = [str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "templates").rglob("*.html")
              if pattern.search(p.read_text(encoding="utf-8"))]
    assert faults == []


def test_the_settings_suggest_and_store_the_form_after_de(client, admin):
    html = page_text(client.get("/admin/parametres"))
    assert 'value="de votre collectivité"' in html
    response = client.submit("/admin/parametres", {"nom_collectivite": "Ville de Belval-sur-Loire",
                                                   "nom_collectivite_complement": ""})
    assert response.status_code == 302
    assert get_parametre(NOM_COLLECTIVITE_COMPLEMENT) == "de la Ville de Belval-sur-Loire"
    assert "La charte d’usage de l’intelligence artificielle de la Ville de Belval-sur-Loire" \
        in page_text(client.get("/"))
    assert "Chartes de la Ville de Belval-sur-Loire" in page_text(client.get("/chartes/"))
    assert "service informatique de la Ville de Belval-sur-Loire" in page_text(client.get("/accessibilite"))


def test_the_form_after_de_can_be_corrected(client, admin):
    response = client.submit("/admin/parametres", {"nom_collectivite": "Issy-les-Moulineaux",
                                                   "nom_collectivite_complement": "de la Ville d'Issy-les-Moulineaux"})
    assert response.status_code == 302
    assert "Les agents de la Ville d’Issy-les-Moulineaux écrivent" in page_text(client.get("/"))


@pytest.mark.parametrize("complement, message", [
    ("la Ville de Belval", "Commencez par «\u00a0de\u00a0», «\u00a0d’\u00a0», «\u00a0du\u00a0» ou «\u00a0des\u00a0»"),
    ("de la Ville\x00", "caractère de contrôle invisible"),
    ("de " + "x" * 140, "140 caractères au plus."),
])
def test_the_form_after_de_bad_input(client, admin, complement, message):
    before = count(JournalEntry)
    response = client.submit("/admin/parametres", {"nom_collectivite": "Ville de Belval",
                                                   "nom_collectivite_complement": complement})
    assert response.status_code == 400 and message in page_text(response)
    assert count(JournalEntry) == before and get_parametre(NOM_COLLECTIVITE_COMPLEMENT) == ""


def test_with_the_name_from_the_environment(app, client):
    app.config.update(CHARTE_AUTHORITY_NAME="Département du Rhône")
    assert "Les agents du Département du Rhône" in page_text(client.get("/"))
    app.config.update(CHARTE_AUTHORITY_NAME_DE="du Département")
    assert "Les agents du Département écrivent" in page_text(client.get("/"))


# --- States that read true ---------------------------------------------------------------------------


def test_a_fresh_charter_does_not_claim_to_be_in_force(client, auth, make_user, make_charte):
    charte = make_charte("Charte d’usage de l’IA")
    auth.login(make_user("agent"))
    page = page_text(client.get(f"/chartes/{charte.id}"))
    assert "Texte de départ (modèle), pas encore publié" in page
    assert "en vigueur" not in page and "Adoptée" not in page
    assert "Où en est la charte\u00a0?" in page and "Prochaine étape\u00a0: le comité de pilotage ouvre" in page
    listing = page_text(client.get("/chartes/"))
    assert "texte de départ (modèle), pas encore publié" in listing
    assert "Aucune version publiée\u00a0: aucun texte n’est encore en vigueur." in listing
    for url in (f"/chartes/{charte.id}/versions", f"/chartes/{charte.id}/clauses/RESP-1"):
        assert "en vigueur" not in page_text(client.get(url)), url


def test_the_public_home_says_why_nothing_is_published(client, make_charte):
    make_charte()
    home = page_text(client.get("/"))
    assert "Aucune version n’a encore été publiée." in home
    assert "une version n’est publiée ici qu’une fois amendée par les services, votée par les agents et validée " \
           "par le comité de pilotage" in home


@pytest.mark.parametrize("statut, label", [
    (VersionStatut.ADOPTEE, "Adoptée, pas encore publiée"), (VersionStatut.PUBLIEE, "Publiée, en vigueur"),
    (VersionStatut.REMPLACEE, "Remplacée par une version publiée plus récente"),
    (VersionStatut.SOUMISE, "Soumise à validation"), (VersionStatut.BROUILLON, "Brouillon")])
def test_state_labels(statut, label):
    assert statut.label == label
