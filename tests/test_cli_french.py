"""The `charte` command line speaks French: help, usage line, usage errors, plurals."""
import pytest

from tests.conftest import TEMPLATE_PATH
from tests.test_modeles import HEAD

ENGLISH = ["Usage:", "Error:", "Try '", "for help", "Show this message", "Options:", "Commands:", "Missing",
           "No such", "Invalid value", "is not one of", "does not exist", "[default", "[required]",
           "Got unexpected", "requires an argument", "Did you mean"]


def _no_english(output: str) -> None:
    found = [word for word in ENGLISH if word in output]
    assert found == [], f"anglais dans la sortie : {found}\n{output}"


@pytest.mark.parametrize("args", [["charte", "--help"], ["charte"], ["charte", "create-user", "--help"],
                                  ["charte", "import-template", "--help"], ["charte", "init", "--help"],
                                  ["charte", "audit-verify", "--help"], ["charte", "demo", "--help"]])
def test_help_is_in_french(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code in (0, 2), result.output
    assert result.output.startswith("Utilisation\u00a0: ")
    assert "Options\u00a0:" in result.output and "Afficher cette aide et quitter." in result.output
    _no_english(result.output)


def test_the_group_lists_its_commands_in_french(runner):
    result = runner.invoke(args=["charte", "--help"])
    assert "Commandes\u00a0:" in result.output
    assert "create-user      Créer un compte (mot de passe demandé ou généré)." in result.output
    assert "COMMANDE [ARGUMENTS]..." in result.output


def test_option_help_says_default_and_required_in_french(runner):
    output = runner.invoke(args=["charte", "create-user", "--help"]).output
    assert "[obligatoire]" in output and "[par défaut\u00a0: agent]" in output
    assert output.startswith("Utilisation\u00a0: ") and "charte create-user [OPTIONS] ADRESSE\n" in output


@pytest.mark.parametrize("args, message", [
    (["charte", "create-user", "a@mairie.example"],
     "Erreur\u00a0: option obligatoire manquante\u00a0: «\u00a0--department\u00a0» ou «\u00a0-d\u00a0»."),
    (["charte", "create-user"], "Erreur\u00a0: argument obligatoire manquant\u00a0: ADRESSE."),
    (["charte", "init", "--force"], "Erreur\u00a0: option inconnue\u00a0: «\u00a0--force\u00a0»."),
    (["charte", "--hlep"], "Vouliez-vous dire «\u00a0--help\u00a0»\u00a0?"),
    (["charte", "create-user", "a@mairie.example", "-d", "RH", "-r", "roi"],
     "Erreur\u00a0: valeur refusée pour «\u00a0--role\u00a0» ou «\u00a0-r\u00a0»\u00a0: «\u00a0roi\u00a0» n’est pas "
     "une valeur possible (agent, comite, admin)."),
    (["charte", "create-user", "a@mairie.example", "-d"], "Erreur\u00a0: l’option «\u00a0-d\u00a0» attend une valeur."),
    (["charte", "import-template", "/nulle/part.md"],
     "Erreur\u00a0: valeur refusée pour «\u00a0CHEMIN\u00a0»\u00a0: le fichier «\u00a0/nulle/part.md\u00a0» n’existe pas."),
    (["charte", "import-template", "/"], "«\u00a0/\u00a0» est un dossier, pas un fichier."),
    (["charte", "init", "en-trop"], "Erreur\u00a0: argument en trop\u00a0: en-trop."),
    (["charte", "initialiser"], "Erreur\u00a0: commande inconnue\u00a0: «\u00a0initialiser\u00a0»."),
])
def test_usage_errors_are_in_french(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.startswith("Utilisation\u00a0: ")
    assert "\nPour obtenir de l’aide\u00a0: " in result.output and " --help\n" in result.output
    _no_english(result.output)


def test_import_template_counts_in_french(runner, tmp_path):
    path = tmp_path / "petit.md"
    path.write_text(HEAD + "## Seul thème\n\n### SEUL-1 — Unique\n\nTexte.\n", encoding="utf-8")
    result = runner.invoke(args=["charte", "import-template", str(path)])
    assert result.exit_code == 0, result.output
    assert "1\u00a0thème, 1\u00a0clause." in result.output
    result = runner.invoke(args=["charte", "import-template", str(TEMPLATE_PATH)])
    assert "4\u00a0thèmes" in result.output or "thèmes, " in result.output
    assert "clauses." in result.output


def test_only_the_charte_group_is_french(runner):
    """Click's own texts are not translated process-wide: the application's root group is untouched."""
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0 and result.output.startswith("Usage:") and "Commands:" in result.output
