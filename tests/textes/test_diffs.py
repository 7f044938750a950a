"""Word-level diffs, side-by-side rows, safe rendering and exact patching: pure rules."""
import re
import time

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from charte.textes.diffs import (Application, Ligne, Resume, Segment, appliquer_approche, appliquer_exact,
                                 cote_a_cote, diff_mots, diff_sequences, est_mot, jetons, rendu_cote_a_cote_html,
                                 rendu_html, resume)
from tests.textes.donnees import texte_francais, texte_libre, un_texte

PROPRIETES = settings(max_examples=120, deadline=None)


def _gauche(segments):
    return "".join(s.texte for s in segments if s.op != "insere")


def _droite(segments):
    return "".join(s.texte for s in segments if s.op != "supprime")


# --- tokens ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("texte, attendus", [
    ("L’agent vérifie", ["L’agent", " ", "vérifie"]),
    ("l'usager aujourd'hui", ["l'usager", " ", "aujourd'hui"]),
    ("peut-être c’est-à-dire", ["peut-être", " ", "c’est-à-dire"]),
    ("en 2026, 3,5 % et 10\u00a0000 €", ["en", " ", "2026", ",", " ", "3,5", " ", "%", " ", "et", " ",
                                         "10\u00a0000", " ", "€"]),
    ("«\u00a0oui\u00a0»\u00a0!", ["«", "\u00a0", "oui", "\u00a0", "»", "\u00a0", "!"]),
    ("e\u0301te\u0301 Œuvre", ["e\u0301te\u0301", " ", "Œuvre"]),  # decomposed accents stay in the word
    ("fin.\n\nDébut", ["fin", ".", "\n\n", "Début"]),
    ("art. 5 ; 1er", ["art", ".", " ", "5", " ", ";", " ", "1er"]),
    ("anti- et -pro", ["anti", "-", " ", "et", " ", "-", "pro"]),
    ("", []),
])
def test_tokens_keep_french_words_whole(texte, attendus):
    assert jetons(texte) == attendus
    assert "".join(jetons(texte)) == texte


@pytest.mark.parametrize("jeton, mot", [("l’agent", True), ("2026", True), ("3,5", True), (" ", False),
                                        ("«", False), ("\n", False), ("-", False)])
def test_est_mot(jeton, mot):
    assert est_mot(jeton) is mot


@given(un_texte)
@PROPRIETES
def test_tokens_cover_any_text(texte):
    assert "".join(jetons(texte)) == texte


# --- word diff ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("avant, apres, attendu", [
    ("", "", ()),
    ("Texte identique.", "Texte identique.", (Segment("egal", "Texte identique."),)),
    ("", "Nouvelle clause.", (Segment("insere", "Nouvelle clause."),)),
    ("Clause retirée.", "", (Segment("supprime", "Clause retirée."),)),
    ("L’agent vérifie le résultat.", "L’agent contrôle le résultat.",
     (Segment("egal", "L’agent "), Segment("supprime", "vérifie"), Segment("insere", "contrôle"),
      Segment("egal", " le résultat."))),
    # a changed word is shown whole, never as « vérifi » + « e »/« ait »
    ("Il vérifie.", "Il vérifiait.",
     (Segment("egal", "Il "), Segment("supprime", "vérifie"), Segment("insere", "vérifiait"), Segment("egal", "."))),
    ("l’agent signe", "l’usager signe",
     (Segment("supprime", "l’agent"), Segment("insere", "l’usager"), Segment("egal", " signe"))),
    ("Seuil de 3,5 % en 2026.", "Seuil de 4,5 % en 2027.",
     (Segment("egal", "Seuil de "), Segment("supprime", "3,5"), Segment("insere", "4,5"), Segment("egal", " % en "),
      Segment("supprime", "2026"), Segment("insere", "2027"), Segment("egal", "."))),
    ("C’est peut-être utile.", "C’est peut-être utile\u00a0!",
     (Segment("egal", "C’est peut-être utile"), Segment("supprime", "."), Segment("insere", "\u00a0!"))),
    ("Premier.\n\nSecond.", "Premier.\n\nAjout.\n\nSecond.",
     (Segment("egal", "Premier.\n\n"), Segment("insere", "Ajout.\n\n"), Segment("egal", "Second."))),
])
def test_diff_mots_examples(avant, apres, attendu):
    assert diff_mots(avant, apres) == attendu


def test_completely_different_texts_give_one_removal_and_one_addition():
    segments = diff_mots("Les données restent en France.", "Aucun outil grand public n’est autorisé")
    assert [s.op for s in segments] == ["supprime", "insere"]


def test_semantic_cleanup_groups_scattered_changes_for_reading():
    segments = diff_mots("le chat noir dort", "un chien blanc court")
    assert segments == (Segment("supprime", "le chat noir dort"), Segment("insere", "un chien blanc court"))


@given(un_texte, un_texte)
@PROPRIETES
def test_diff_rebuilds_both_texts(avant, apres):
    segments = diff_mots(avant, apres)
    assert _gauche(segments) == avant
    assert _droite(segments) == apres
    assert all(s.texte for s in segments)
    assert all(a.op != b.op for a, b in zip(segments, segments[1:]))
    if avant == apres:
        assert all(s.op == "egal" for s in segments)


@given(texte_francais, texte_francais)
@PROPRIETES
def test_diff_never_cuts_a_word(avant, apres):
    for segment in diff_mots(avant, apres):
        if segment.op == "egal":
            continue
        # a changed segment starts and ends on token boundaries of its own side
        cote = avant if segment.op == "supprime" else apres
        assert segment.texte in cote


def test_long_texts_are_quick_and_exact():
    phrase = "L’agent vérifie chaque résultat produit par l’outil, à 3,5 % près, en 2026. "
    avant = (phrase * 270)[:20_000]
    apres = avant[:9_000] + "Une phrase ajoutée au milieu. " + avant[9_000:].replace("2026", "2027", 3)
    debut = time.perf_counter()
    segments = diff_mots(avant, apres)
    assert time.perf_counter() - debut < 5
    assert _gauche(segments) == avant and _droite(segments) == apres
    assert resume(segments) == Resume(mots_ajoutes=8, mots_supprimes=3)


@pytest.mark.parametrize("avant, apres, attendu", [
    ("", "", Resume(0, 0)),
    ("a b c", "a b c", Resume(0, 0)),
    ("", "L’agent peut-être vérifie 3,5 %.", Resume(4, 0)),
    ("L’agent vérifie.", "", Resume(0, 2)),
    ("Il vérifie les données.", "Il contrôle toutes les données.", Resume(2, 1)),
])
def test_resume_counts_words(avant, apres, attendu):
    assert resume(diff_mots(avant, apres)) == attendu


def test_diff_sequences_works_on_any_strings():
    assert diff_sequences(["RESP-1", "RESP-2"], ["RESP-2", "RESP-3"]) == [(-1, ["RESP-1"]), (0, ["RESP-2"]),
                                                                            (1, ["RESP-3"])]


# --- side by side ------------------------------------------------------------------------------------

def test_side_by_side_pairs_changed_paragraphs_and_leaves_blanks():
    lignes = cote_a_cote("Premier paragraphe.\n\nSecond paragraphe.\nFin.",
                         "Premier paragraphe modifié.\n\nSecond paragraphe.\nNouvelle ligne.\nFin.")
    assert lignes == (
        Ligne((Segment("egal", "Premier paragraphe."),),
              (Segment("egal", "Premier paragraphe"), Segment("insere", " modifié"), Segment("egal", ".")), 1, 1),
        Ligne((), (), 2, 2),
        Ligne((Segment("egal", "Second paragraphe."),), (Segment("egal", "Second paragraphe."),), 3, 3),
        Ligne((), (Segment("insere", "Nouvelle ligne."),), None, 4),
        Ligne((Segment("egal", "Fin."),), (Segment("egal", "Fin."),), 4, 5),
    )


@pytest.mark.parametrize("avant, apres", [("", ""), ("", "Tout neuf."), ("Tout retiré.", ""), ("a\nb", "a\nb")])
def test_side_by_side_edge_cases(avant, apres):
    lignes = cote_a_cote(avant, apres)
    assert "\n".join(_gauche(l.gauche) for l in lignes if l.numero_gauche) == avant
    assert "\n".join(_droite(l.droite) for l in lignes if l.numero_droite) == apres


@given(un_texte, un_texte)
@PROPRIETES
def test_side_by_side_rebuilds_both_texts_in_numbered_lines(avant, apres):
    lignes = cote_a_cote(avant, apres)
    gauche = [l for l in lignes if l.numero_gauche is not None]
    droite = [l for l in lignes if l.numero_droite is not None]
    assert [l.numero_gauche for l in gauche] == list(range(1, len(gauche) + 1))
    assert [l.numero_droite for l in droite] == list(range(1, len(droite) + 1))
    assert "\n".join("".join(s.texte for s in l.gauche) for l in gauche) == avant
    assert "\n".join("".join(s.texte for s in l.droite) for l in droite) == apres
    assert all(s.op != "insere" for l in lignes for s in l.gauche)
    assert all(s.op != "supprime" for l in lignes for s in l.droite)
    assert all(l.gauche == () for l in lignes if l.numero_gauche is None)


# --- rendering ---------------------------------------------------------------------------------------

def test_rendering_escapes_and_marks_changes_for_screen_readers_and_print():
    rendu = rendu_html(diff_mots("Texte <b>gras</b> & \"cité\"\n\nsuite", "Texte <i>penché</i> & \"cité\"\n\nsuite"))
    assert isinstance(rendu, Markup)  # safe to insert as is in a Jinja template
    html = str(rendu)  # (Markup escapes the left operand of `in`)
    assert html.startswith('<div class="diff">') and html.endswith("</div>")
    assert "<b>" not in html and "<i>" not in html and "&lt;" in html and "&amp;" in html and "&quot;" in html
    assert '<del><span class="diff-marque visually-hidden">[début de suppression] </span>' in html
    assert '<ins><span class="diff-marque visually-hidden">[début d’ajout] </span>' in html
    assert "\n\nsuite" in html  # line breaks kept for white-space: pre-wrap
    assert "style=" not in html and "<script" not in html


def test_rendering_without_container_and_of_nothing():
    assert rendu_html((), conteneur=False) == ""
    assert rendu_html(()) == '<div class="diff"></div>'
    assert rendu_html((Segment("egal", "a<"),), conteneur=False) == "a&lt;"


@given(st.lists(st.tuples(st.sampled_from(["egal", "insere", "supprime"]), texte_libre), max_size=6))
@PROPRIETES
def test_rendering_never_lets_markup_through(paires):
    html = str(rendu_html([Segment(op, texte) for op, texte in paires]))
    sans_balises = re.sub(r'<(?:div class="diff"|ins|del|span class="diff-marque visually-hidden")>|</(?:div|ins|del|span)>',
                          "", html)
    assert "<" not in sans_balises and ">" not in sans_balises


def test_side_by_side_table_has_headers_and_escapes():
    html = str(rendu_cote_a_cote_html(cote_a_cote("a <x>", "a <y>"), titre_gauche="Avant <v1>", legende="Clause RESP-1"))
    assert html.startswith('<table class="diff-cote"><caption>Clause RESP-1</caption>')
    assert '<th scope="col">Avant &lt;v1&gt;</th><th scope="col">Texte proposé</th>' in html
    assert "<x>" not in html and "&lt;<del>" in html and "<ins>" in html


# --- exact patching ----------------------------------------------------------------------------------

BASE = "Les agents doivent vérifier les résultats produits par l’outil avant toute diffusion."
AMENDEMENT_A = BASE.replace("vérifier", "contrôler")
AMENDEMENT_B = BASE.replace("vérifier les résultats", "relire attentivement les réponses")


def test_exact_patch_refuses_what_default_dmp_fuzzily_accepts():
    """The DESIGN's warning: with dmp's defaults, B « applies » onto A and writes broken French."""
    dmp = diff_match_patch()
    texte, resultats = dmp.patch_apply(dmp.patch_make(BASE, AMENDEMENT_B), AMENDEMENT_A)
    assert resultats == [True]
    assert texte not in (AMENDEMENT_A, AMENDEMENT_B)  # a silent mix of both
    assert "ponse" in texte and "résultats" in texte

    assert appliquer_exact(BASE, AMENDEMENT_B, AMENDEMENT_A) == Application(None, False, (False,))
    # the fuzzy helper is what a *suggestion* may use, never a merge
    assert appliquer_approche(BASE, AMENDEMENT_B, AMENDEMENT_A) != AMENDEMENT_B


@pytest.mark.parametrize("cible, attendu", [
    (BASE, AMENDEMENT_B),
    ("Préambule ajouté depuis. " + BASE, "Préambule ajouté depuis. " + AMENDEMENT_B),  # the clause grew
    (BASE.replace("avant toute diffusion", "avant de publier"),
     AMENDEMENT_B.replace("avant toute diffusion", "avant de publier")),  # changed elsewhere
])
def test_exact_patch_rebases_onto_a_clause_changed_elsewhere(cible, attendu):
    application = appliquer_exact(BASE, AMENDEMENT_B, cible)
    assert application.ok and application.texte == attendu and all(application.hunks_ok)


def test_exact_patch_fails_when_one_hunk_of_several_fails():
    propose = BASE.replace("Les agents", "Tous les agents").replace("toute diffusion", "toute publication")
    cible = BASE.replace("toute diffusion", "diffusion")
    application = appliquer_exact(BASE, propose, cible)
    assert application == Application(None, False, (True, False))


def test_exact_patch_refuses_an_ambiguous_place():
    base = "Le comité se réunit. Il décide."
    propose = "Le comité se réunit chaque mois. Il décide."
    cible = "Le comité se réunit. Il décide. Le comité se réunit. Il décide."
    assert appliquer_exact(base, propose, cible).ok is False
    dmp = diff_match_patch()
    assert dmp.patch_apply(dmp.patch_make(base, propose), cible)[1] == [True]  # default dmp picks one


def test_exact_patch_with_no_change_is_the_target():
    assert appliquer_exact("même texte", "même texte", "autre texte") == Application("autre texte", True, ())


def test_exact_patch_finds_the_same_place_as_dmp_with_zero_threshold():
    """Our matcher only adds the ambiguity refusal to dmp's own (threshold 0, infinite distance)."""
    dmp = diff_match_patch()
    dmp.Match_Threshold, dmp.Patch_DeleteThreshold, dmp.Match_Distance = 0.0, 0.0, float("inf")
    cible = "Un tout nouveau préambule, bien plus long que l’ancien. " + BASE
    attendu, resultats = dmp.patch_apply(dmp.patch_make(BASE, AMENDEMENT_A), cible)
    assert resultats == [True]
    assert appliquer_exact(BASE, AMENDEMENT_A, cible).texte == attendu
    dmp.Match_Distance = 1000  # the default distance refuses any shift at threshold 0
    assert dmp.patch_apply(dmp.patch_make(BASE, AMENDEMENT_A), cible)[1] == [False]


def test_exact_patch_keeps_long_hunks_whole():
    long_passage = "une très longue phrase qui dépasse largement trente-deux caractères " * 3
    base = f"Début. {long_passage}Fin."
    propose = "Début. Fin."
    assert appliquer_exact(base, propose, "Ajout. " + base).texte == "Ajout. " + propose
    assert appliquer_exact(base, propose, base.replace("largement", "nettement", 1)).ok is False


@given(un_texte, un_texte)
@PROPRIETES
def test_exact_patch_onto_its_own_base_gives_the_proposal(base, propose):
    application = appliquer_exact(base, propose, base)
    assert application == Application(propose, True, application.hunks_ok) and all(application.hunks_ok)


@given(texte_francais, texte_francais, texte_francais)
@PROPRIETES
def test_exact_patch_is_all_or_nothing(base, propose, cible):
    application = appliquer_exact(base, propose, cible)
    assert application.ok == all(application.hunks_ok)
    assert (application.texte is None) == (not application.ok)
