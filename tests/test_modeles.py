"""The template format: the default template, and malformed files refused with line and reason."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from charte.chartes.modeles import TemplateError, decode_template, parse_template
from tests.conftest import TEMPLATE_PATH

HEAD = "---\ntitre: Charte test\ndescription: Pour les tests\nversion: 1.0\n---\n"
VALID = HEAD + """
Préambule de la charte.

## Responsabilité

Intro du thème.

### RESP-1 — Contrôle humain

Un agent relit toute production.

### RESP-2 — Responsabilité

L'agent reste responsable.

## Données

### DON-1 — Pas de données sensibles

Aucune donnée personnelle dans un outil public.
"""


def test_default_template_has_the_four_themes_with_four_to_six_clauses():
    parsed = parse_template(TEMPLATE_PATH.read_text(encoding="utf-8"))
    titles = [t.titre for t in parsed.themes]
    for theme in ("Responsabilité", "Transparence", "Données", "Sobriété"):
        assert theme in titles
    for theme in parsed.themes:
        assert 4 <= len(theme.clauses) <= 6, theme.titre
        for clause in theme.clauses:
            assert len(clause.texte.split()) >= 25, clause.ref
    refs = [c.ref for t in parsed.themes for c in t.clauses]
    assert len(refs) == len(set(refs))
    assert parsed.titre and parsed.version and parsed.preambule


def test_valid_template_structure():
    parsed = parse_template(VALID)
    assert parsed.titre == "Charte test" and parsed.description == "Pour les tests" and parsed.version == "1.0"
    assert parsed.preambule == "Préambule de la charte."
    assert [t.titre for t in parsed.themes] == ["Responsabilité", "Données"]
    assert parsed.themes[0].intro == "Intro du thème."
    assert [(c.ref, c.titre) for c in parsed.themes[0].clauses] == [
        ("RESP-1", "Contrôle humain"), ("RESP-2", "Responsabilité")]
    assert parsed.themes[1].clauses[0].texte == "Aucune donnée personnelle dans un outil public."
    assert parsed.themes[1].clauses[0].line == 23
    assert parsed.clause_count == 3


def test_heading_inside_a_code_block_is_text():
    source = HEAD + "## Thème\n### T-1 — Titre\nTexte\n```\n## pas un thème\n```\n"
    parsed = parse_template(source)
    assert len(parsed.themes) == 1 and "## pas un thème" in parsed.themes[0].clauses[0].texte


def test_crlf_and_bom_are_accepted():
    parsed = parse_template("\ufeff" + VALID.replace("\n", "\r\n"))
    assert parsed.clause_count == 3


@pytest.mark.parametrize("source, line, fragment", [
    ("titre: x\n", 1, "commencer par un en-tête"),
    ("---\ntitre: x\nversion: 1\n", 3, "jamais fermé"),
    ("---\ntitre: x\n---\n## T\n### A-1 — B\nc\n", 3, "« version »"),
    ("---\ntitre: x\nversion: 1\nauteur: moi\n---\n", 4, "clé d’en-tête inconnue"),
    ("---\ntitre: x\ntitre: y\nversion: 1\n---\n", 3, "deux fois"),
    ("---\ntitre x\nversion: 1\n---\n", 2, "clé: valeur"),
    (HEAD + "# Grand titre\n", 6, "niveau 1"),
    (HEAD + "### RESP-1 — Orpheline\nTexte\n", 6, "avant le premier thème"),
    (HEAD + "## T\n### resp-1 — minuscules\nTexte\n", 7, "### RESP-1 — Titre"),
    (HEAD + "## T\n### RESP-1 Titre sans tiret\nTexte\n", 7, "### RESP-1 — Titre"),
    (HEAD + "## T\n### A-1 — Un\nTexte\n### A-1 — Deux\nTexte\n", 9, "déjà utilisé (ligne 7)"),
    (HEAD + "## T\n### A-1 — Vide\n\n### A-2 — Deux\nTexte\n", 7, "n’a pas de texte"),
    (HEAD + "## Vide\n## Autre\n### A-1 — Un\nTexte\n", 6, "n’a aucune clause"),
    (HEAD + "## T\n### A-1 — Un\nTexte\n## T\n### A-2 — Deux\nx\n", 9, "existe déjà"),
    (HEAD + "## T\n### A-1 — Un\nTexte\n#### Sous-titre\n", 9, "niveau 4"),
    (HEAD + "Seulement du texte\n", 6, "aucun thème"),
    (HEAD + "## T\n### A-1 — Un\n```\ncode jamais fermé\n", 8, "jamais refermé"),
    (HEAD + "## T\n### A-1 — " + "x" * 201 + "\nTexte\n", 7, "dépasse 200"),
    (HEAD + "## \n", 6, "thème sans nom"),
])
def test_malformed_template_is_refused_with_line_and_reason(source, line, fragment):
    with pytest.raises(TemplateError) as caught:
        parse_template(source)
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert caught.value.message.startswith(f"Ligne {line} : ")


@pytest.mark.parametrize("data, fragment", [
    ("---\ntitre: é\n".encode("latin-1"), "UTF-8"),
    (b"---\x00", "octet nul"),
    (b"x" * (256 * 1024 + 1), "Kio"),
])
def test_undecodable_file_is_refused(data, fragment):
    with pytest.raises(TemplateError) as caught:
        decode_template(data)
    assert fragment in caught.value.message


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàç", min_size=1, max_size=10)


@given(st.lists(st.lists(st.lists(_word, min_size=1, max_size=8), min_size=1, max_size=4), min_size=1, max_size=4))
def test_generated_templates_parse_back_to_what_was_written(themes):
    lines = [HEAD]
    expected = []
    for t_index, clauses in enumerate(themes, start=1):
        lines.append(f"## Thème {t_index}\n")
        for c_index, words in enumerate(clauses, start=1):
            ref = f"T{t_index}-{c_index}"
            lines.append(f"### {ref} — Clause {c_index}\n\n{' '.join(words)}\n")
            expected.append((f"Thème {t_index}", ref, " ".join(words)))
    parsed = parse_template("".join(lines))
    got = [(t.titre, c.ref, c.texte) for t in parsed.themes for c in t.clauses]
    assert got == expected
