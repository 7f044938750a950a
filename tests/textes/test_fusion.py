"""Consolidation of adopted amendments: exact merges, conflicts, caducity, additions and renumbering."""
import random

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from charte.textes.diffs import appliquer_exact
from charte.textes.fusion import ClauseTexte, Proposition, Resultat, fusionner, resoudre
from tests.textes.donnees import MOTS_LONGS, NOUVEAUX, PAR_REF, VERSION, ajout, consolidations, modif, suppression

PROPRIETES = settings(max_examples=80, deadline=None)


def clause(resultat: Resultat, ref: str) -> ClauseTexte:
    return next(c for c in resultat.clauses if c.ref == ref)


def refs_par_theme(resultat: Resultat) -> dict[int, list[str]]:
    themes: dict[int, list[str]] = {}
    for c in resultat.clauses:
        themes.setdefault(c.theme_position, []).append(c.ref)
    return themes


def assert_partition(resultat: Resultat, propositions) -> None:
    """Every amendment ends in exactly one place: integrated, in one conflict, or caduc."""
    places = list(resultat.appliquees) + [i for c in resultat.conflits for i in c.propositions] + \
        [i for i, _ in resultat.caduques]
    assert sorted(places) == sorted(p.id for p in propositions)


def assert_bien_numerotee(resultat: Resultat) -> None:
    refs = [c.ref for c in resultat.clauses]
    assert len(refs) == len(set(refs))
    assert list(resultat.clauses) == sorted(resultat.clauses, key=lambda c: (c.theme_position, c.position))
    for theme_position in {c.theme_position for c in resultat.clauses}:
        positions = [c.position for c in resultat.clauses if c.theme_position == theme_position]
        assert positions == list(range(1, len(positions) + 1))


# --- modifications -----------------------------------------------------------------------------------

def test_nothing_adopted_keeps_the_version():
    assert fusionner(VERSION, []) == Resultat(VERSION, (), (), ())


def test_amendments_on_different_clauses_apply():
    props = [modif(1, "RESP-1", "contenus", "documents"), modif(2, "TRANS-2", "tenu à jour", "publié en ligne")]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == (1, 2) and resultat.conflits == () and resultat.caduques == ()
    assert "des documents qu’il produit" in clause(resultat, "RESP-1").texte
    assert clause(resultat, "TRANS-2").texte == "Un registre public des usages est publié en ligne."
    assert [c.ref for c in resultat.clauses] == [c.ref for c in VERSION]


def test_amendments_on_distinct_parts_of_one_clause_both_apply():
    props = [modif(1, "RESP-1", "contenus", "documents"),
             modif(2, "RESP-1", "courrier ou d’une note", "courrier, d’une note ou d’un avis"),
             modif(3, "TRANS-1", "\n\nCette information", "\n\nCette mention")]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == (1, 2, 3) and resultat.conflits == ()
    assert clause(resultat, "RESP-1").texte == (
        "L’agent reste responsable des documents qu’il produit avec un outil d’IA. Il vérifie chaque résultat "
        "avant toute diffusion, qu’il s’agisse d’un courrier, d’une note ou d’un avis.")


@pytest.mark.parametrize("a, b, passage", [
    (("chaque résultat", "chaque réponse"), ("chaque résultat", "tout résultat"), "chaque résultat"),
    (("vérifie", "contrôle"), ("vérifie", "contrôle"), "vérifie"),  # the same words, even identically
    (("contenus", "contenus écrits"), ("contenus", "contenus publiés"), "contenus"),  # insertions at one place
    (("des contenus", "des textes"), ("qu’il produit", "que l’agent produit"), "contenus qu’il"),  # neighbours
    (("avec un outil d’IA. Il vérifie", "avec une IA, et vérifie"), ("outil", "logiciel"), "outil"),  # nested
])
def test_amendments_rewriting_the_same_words_always_conflict(a, b, passage):
    props = [modif(7, "RESP-1", *a), modif(3, "RESP-1", *b)]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == () and resultat.caduques == ()
    (conflit,) = resultat.conflits
    assert conflit.ref == "RESP-1" and conflit.propositions == (3, 7)
    assert conflit.base == conflit.courant == PAR_REF["RESP-1"].texte
    assert clause(resultat, "RESP-1") == PAR_REF["RESP-1"]  # nothing merged silently
    assert conflit.raison.startswith("Les amendements n°\u00a03 et n°\u00a07 modifient les mêmes mots")
    assert passage in conflit.raison


def test_design_warning_default_dmp_would_merge_both_silently():
    base = PAR_REF["RESP-1"].texte
    a = modif(1, "RESP-1", "vérifie chaque résultat", "contrôle chaque résultat")
    b = modif(2, "RESP-1", "vérifie chaque résultat", "relit attentivement chaque réponse")
    dmp = diff_match_patch()
    texte, resultats = dmp.patch_apply(dmp.patch_make(base, b.texte), a.texte)
    assert all(resultats) and "contrôle" not in texte  # « applied »: amendment 1 silently overwritten
    resultat = fusionner(VERSION, [a, b])
    assert [c.propositions for c in resultat.conflits] == [(1, 2)] and resultat.appliquees == ()


def test_a_conflict_keeps_the_other_amendments_of_the_clause_and_suggests_a_merge():
    props = [modif(1, "RESP-1", "contenus", "documents"),
             modif(2, "RESP-1", "avant toute diffusion", "avant diffusion"),
             modif(3, "RESP-1", "avant toute diffusion", "avant toute publication")]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == (1,)
    (conflit,) = resultat.conflits
    assert conflit.propositions == (2, 3)
    assert conflit.courant == clause(resultat, "RESP-1").texte
    assert "documents" in conflit.courant and "avant toute diffusion" in conflit.courant
    assert conflit.base == PAR_REF["RESP-1"].texte
    assert "documents" in conflit.meilleur_effort and conflit.meilleur_effort != conflit.courant


def test_title_changes():
    titre = modif(1, "RESP-2", "individuelle", "individuelle ou collective", titre="Un examen humain")
    texte = modif(2, "RESP-2", "traitement automatisé", "outil automatisé")
    resultat = fusionner(VERSION, [titre, texte])
    assert resultat.appliquees == (1, 2)
    assert clause(resultat, "RESP-2").titre == "Un examen humain"
    assert clause(resultat, "RESP-2").texte == ("Aucune décision individuelle ou collective n’est prise sur le "
                                                "seul fondement d’un outil automatisé.")
    inchange = modif(3, "RESP-2", "seul", "unique", titre=PAR_REF["RESP-2"].titre)  # title kept as is
    assert fusionner(VERSION, [titre, inchange]).appliquees == (1, 3)

    autre_titre = modif(4, "RESP-2", "Aucune", "Nulle", titre="Contrôle humain")
    resultat = fusionner(VERSION, [titre, autre_titre])
    (conflit,) = resultat.conflits
    assert conflit.propositions == (1, 4) and "le titre" in conflit.raison
    assert clause(resultat, "RESP-2") == PAR_REF["RESP-2"]


def test_stale_amendment_is_rebased_when_it_applies_exactly():
    ancien = "L’ancienne phrase d’ouverture. " + PAR_REF["RESP-2"].texte
    p = modif(1, "RESP-2", "traitement automatisé", "algorithme", base=ancien)
    resultat = fusionner(VERSION, [p])
    assert resultat.appliquees == (1,)
    assert clause(resultat, "RESP-2").texte == PAR_REF["RESP-2"].texte.replace("traitement automatisé", "algorithme")


def test_stale_amendment_that_does_not_apply_is_a_conflict_of_its_own():
    ancien = PAR_REF["RESP-2"].texte.replace("traitement automatisé", "calcul automatique")
    p = modif(1, "RESP-2", "calcul automatique", "algorithme", base=ancien)
    autre = modif(2, "RESP-2", "Aucune", "Nulle")
    resultat = fusionner(VERSION, [p, autre])
    assert resultat.appliquees == (2,)
    (conflit,) = resultat.conflits
    assert conflit.propositions == (1,) and "a changé depuis" in conflit.raison
    assert conflit.courant == clause(resultat, "RESP-2").texte and conflit.courant.startswith("Nulle")


def test_each_merge_is_checked_as_an_exact_patch_onto_the_others():
    """Word-disjoint changes whose patch contexts overlap still conflict, whichever order they come in."""
    base = "L’accueil est ouvert du lundi à vendredi, de neuf heures à midi."
    version = (ClauseTexte("X-1", 1, 1, "X", "Horaires", base),)
    a = Proposition(1, "modification", "X-1", base, base.replace("lundi", "mardi"), "")
    b = Proposition(2, "modification", "X-1", base, base.replace("vendredi", "samedi"), "")
    # « à » lies between the two words: word-disjoint, but the context of 1’s patch (« à v ») reaches 2’s word
    assert appliquer_exact(base, b.texte, a.texte).ok and not appliquer_exact(base, a.texte, b.texte).ok
    for ordre in ([a, b], [b, a]):
        resultat = fusionner(version, ordre)
        assert resultat.appliquees == () and resultat.clauses == version
        (conflit,) = resultat.conflits
        assert conflit.propositions == (1, 2)
        assert conflit.raison == ("Les amendements n°\u00a01 et n°\u00a02 modifient des passages trop proches de "
                                  "la clause X-1 pour s’appliquer exactement l’un après l’autre.")
    third = Proposition(3, "modification", "X-1", base, base.replace("midi", "treize heures"), "")
    assert fusionner(version, [a, third]).appliquees == (1, 3)


# --- suppressions and caducity -----------------------------------------------------------------------

def test_modification_of_a_deleted_clause_is_caduque():
    props = [modif(1, "RESP-2", "Aucune", "Nulle"), suppression(5, "RESP-2"), suppression(3, "RESP-2"),
             modif(4, "TRANS-2", "public", "ouvert")]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == (3, 4, 5)
    assert resultat.caduques == ((1, "Clause supprimée par l’amendement n°\u00a03."),)
    assert "RESP-2" not in [c.ref for c in resultat.clauses]
    assert [(c.ref, c.position) for c in resultat.clauses if c.theme_position == 1] == [("RESP-1", 1), ("RESP-4", 2)]


@pytest.mark.parametrize("proposition, raison", [
    (Proposition(1, "modification", "ZZZ-9", "x", "y", ""), "La clause ZZZ-9 n’existe pas dans la version consolidée."),
    (Proposition(1, "suppression", "ZZZ-9", "", "", ""), "La clause ZZZ-9 n’existe pas dans la version consolidée."),
    (Proposition(1, "modification", None, "x", "y", ""), "L’amendement ne désigne aucune clause."),
    (ajout(1, 9, None), "Le thème où ajouter la clause n’existe pas dans la version consolidée."),
    (ajout(1, None, None), "Le thème où ajouter la clause n’existe pas dans la version consolidée."),
])
def test_amendment_without_a_target_is_caduque(proposition, raison):
    resultat = fusionner(VERSION, [proposition])
    assert resultat.caduques == ((1, raison),) and resultat.clauses == VERSION


# --- additions and renumbering -----------------------------------------------------------------------

@pytest.mark.parametrize("position, ordre", [
    (1, ["RESP-5", "RESP-1", "RESP-2", "RESP-4"]),
    (2, ["RESP-1", "RESP-5", "RESP-2", "RESP-4"]),
    (3, ["RESP-1", "RESP-2", "RESP-5", "RESP-4"]),
    (None, ["RESP-1", "RESP-2", "RESP-4", "RESP-5"]),
    (40, ["RESP-1", "RESP-2", "RESP-4", "RESP-5"]),
])
def test_addition_goes_before_the_clause_at_its_position(position, ordre):
    resultat = fusionner(VERSION, [ajout(1, 1, position)])
    assert refs_par_theme(resultat) == {1: ordre, 2: ["TRANS-1", "TRANS-2"]}
    assert_bien_numerotee(resultat)
    nouvelle = clause(resultat, "RESP-5")
    assert (nouvelle.theme, nouvelle.titre, nouvelle.texte) == ("Responsabilité", "Nouvelle clause",
                                                                "Texte de la nouvelle clause.")


def test_additions_and_deletions_renumber_with_stable_refs():
    props = [ajout(9, 1, 2, titre="B"), ajout(4, 1, 2, titre="A"), suppression(2, "RESP-1"),
             ajout(6, 2, None), suppression(7, "TRANS-2"), modif(8, "RESP-4", "outils", "logiciels")]
    resultat = fusionner(VERSION, props)
    assert resultat.appliquees == (2, 4, 6, 7, 8, 9)
    # ids 4 then 9 at the place of RESP-2; refs numbered from the highest ref of the theme, deleted ones included
    assert [(c.ref, c.position, c.titre) for c in resultat.clauses] == [
        ("RESP-5", 1, "A"), ("RESP-6", 2, "B"), ("RESP-2", 3, "Examen humain"), ("RESP-4", 4, "Esprit critique"),
        ("TRANS-1", 1, "Informer les habitants"), ("TRANS-3", 2, "Nouvelle clause")]
    assert_bien_numerotee(resultat)


def test_addition_at_the_place_of_a_deleted_clause():
    resultat = fusionner(VERSION, [suppression(1, "RESP-2"), ajout(2, 1, 2)])
    assert refs_par_theme(resultat)[1] == ["RESP-1", "RESP-5", "RESP-4"]


def test_addition_into_a_theme_without_clauses_uses_its_name():
    resultat = fusionner(VERSION, [ajout(1, 3, None, theme="Éthique"), ajout(2, 3, 1, theme="Éthique")])
    assert [(c.ref, c.theme_position, c.position, c.theme) for c in resultat.clauses[-2:]] == [
        ("ETHI-2", 3, 1, "Éthique"), ("ETHI-1", 3, 2, "Éthique")]


def test_new_refs_from_the_caller():
    resultat = fusionner(VERSION, [ajout(12, 2, 1)], nouvelle_ref=lambda id_: f"TRANS-{100 + id_}")
    assert refs_par_theme(resultat)[2] == ["TRANS-112", "TRANS-1", "TRANS-2"]
    with pytest.raises(ValueError):
        fusionner(VERSION, [ajout(12, 2, 1)], nouvelle_ref=lambda id_: "RESP-1")


@pytest.mark.parametrize("clauses, propositions", [
    (VERSION + (VERSION[0],), []),
    (VERSION, [suppression(1, "RESP-1"), suppression(1, "RESP-2")]),
    (VERSION, [Proposition(1, "fusion", "RESP-1", "", "", "")]),  # type: ignore[arg-type]
])
def test_malformed_input_is_a_programming_error(clauses, propositions):
    with pytest.raises(ValueError):
        fusionner(clauses, propositions)


# --- resolutions -------------------------------------------------------------------------------------

def test_resolution_writes_the_committee_text():
    resultat = fusionner(VERSION, [modif(1, "TRANS-2", "tenu", "gardé"), modif(2, "TRANS-2", "tenu", "mis")])
    (conflit,) = resultat.conflits
    clauses = resoudre(resultat.clauses, conflit.ref, "Un registre public des usages est mis à jour chaque mois.")
    assert clause(Resultat(clauses, (), (), ()), "TRANS-2").texte.endswith("chaque mois.")
    assert [c for c in clauses if c.ref != "TRANS-2"] == [c for c in VERSION if c.ref != "TRANS-2"]
    assert resoudre(clauses, "TRANS-2", "x", titre="Registre public")[-1].titre == "Registre public"
    with pytest.raises(ValueError):
        resoudre(clauses, "ZZZ-1", "x")


# --- properties --------------------------------------------------------------------------------------

@st.composite
def modifications_disjointes(draw):
    """2–3 clauses of distinct words; on them, amendments at least three words apart from each other."""
    clauses, propositions = [], []
    for numero in range(1, draw(st.integers(2, 3)) + 1):
        mots = draw(st.lists(st.sampled_from(MOTS_LONGS), min_size=10, max_size=24, unique=True))
        ref = f"X-{numero}"
        texte = " ".join(mots) + "."
        clauses.append(ClauseTexte(ref, 1, numero, "X", f"Titre {numero}", texte))
        i = draw(st.integers(0, 2))
        while i < len(mots):
            if draw(st.booleans()):
                nouveau = list(mots)
                genre = draw(st.sampled_from(["remplacer", "inserer", "supprimer"]))
                mot = f"{draw(st.sampled_from(NOUVEAUX))}{len(propositions)}"
                nouveau[i] = {"remplacer": mot, "inserer": f"{mots[i]} {mot}", "supprimer": ""}[genre]
                propose = " ".join(m for m in nouveau if m) + "."
                propositions.append(Proposition(len(propositions) + 1, "modification", ref, texte, propose, ""))
            i += draw(st.integers(3, 5))
    return tuple(clauses), propositions


@given(modifications_disjointes(), st.randoms(use_true_random=False))
@PROPRIETES
def test_disjoint_amendments_give_the_same_result_in_any_order(donnees, rnd):
    clauses, propositions = donnees
    resultat = fusionner(clauses, propositions)
    assert resultat.conflits == () and resultat.appliquees == tuple(p.id for p in propositions)
    melange = list(propositions)
    rnd.shuffle(melange)
    assert fusionner(clauses, melange) == resultat
    # one by one, in any order, each rebased onto the text the previous ones left: the same text
    courant = clauses
    for p in melange:
        etape = fusionner(courant, [p])
        assert etape.appliquees == (p.id,)
        courant = etape.clauses
    assert courant == resultat.clauses


@st.composite
def reecritures_des_memes_mots(draw):
    mots = draw(st.lists(st.sampled_from(MOTS_LONGS[:8] + ("de", "la", "et")), min_size=3, max_size=15))
    w = draw(st.integers(0, len(mots) - 1))
    textes = []
    for _ in range(2):
        debut = draw(st.integers(max(0, w - 2), w))
        fin = draw(st.integers(w + 1, min(len(mots), w + 3)))
        remplacement = draw(st.lists(st.sampled_from(NOUVEAUX), max_size=3))
        textes.append(" ".join(mots[:debut] + remplacement + mots[fin:]))
    return " ".join(mots), textes


@given(reecritures_des_memes_mots(), st.booleans())
@PROPRIETES
def test_two_amendments_rewriting_a_common_word_always_conflict(donnees, meme_texte):
    base, (texte_a, texte_b) = donnees
    if meme_texte:
        texte_b = texte_a
    version = (ClauseTexte("X-1", 1, 1, "X", "T", base),)
    props = [Proposition(1, "modification", "X-1", base, texte_a, ""),
             Proposition(2, "modification", "X-1", base, texte_b, "")]
    resultat = fusionner(version, props)
    assert [c.propositions for c in resultat.conflits] == [(1, 2)]
    assert resultat.appliquees == () and resultat.clauses == version


@given(consolidations(), st.randoms(use_true_random=False))
@PROPRIETES
def test_consolidation_invariants(donnees, rnd):
    clauses, propositions = donnees
    resultat = fusionner(clauses, propositions)
    assert_partition(resultat, propositions)
    assert_bien_numerotee(resultat)

    melange = list(propositions)
    rnd.shuffle(melange)
    assert fusionner(clauses, melange) == resultat  # independent of the order given

    supprimees = {p.ref for p in propositions if p.nature == "suppression" and p.id in resultat.appliquees}
    avant = {c.ref: c for c in clauses}
    apres = {c.ref: c for c in resultat.clauses}
    for ref, c in avant.items():  # existing clauses keep ref and theme, unless deleted
        assert (ref in apres) == (ref not in supprimees)
        if ref in apres:
            assert (apres[ref].theme_position, apres[ref].theme) == (c.theme_position, c.theme)
    ajouts = [p for p in propositions if p.nature == "ajout" and p.id in resultat.appliquees]
    assert len(apres) == len(avant) - len(supprimees) + len(ajouts)
    for conflit in resultat.conflits:
        assert all(i not in resultat.appliquees for i in conflit.propositions)
        assert conflit.courant == apres[conflit.ref].texte

    # Replaying only the integrated amendments on the parent gives the same draft, with nothing left over;
    # then the committee's resolutions reproduce the final text.
    rejeu = fusionner(clauses, [p for p in propositions if p.id in resultat.appliquees])
    assert rejeu == Resultat(resultat.clauses, resultat.appliquees, (), ())
    final, final_rejoue = resultat.clauses, rejeu.clauses
    for conflit in resultat.conflits:
        final = resoudre(final, conflit.ref, conflit.meilleur_effort)
        final_rejoue = resoudre(final_rejoue, conflit.ref, conflit.meilleur_effort)
    assert final == final_rejoue


def test_benchmark_data_consolidates_completely():
    """The data of scripts/bench_textes.py: 150 amendments, 300 clauses, every amendment accounted for."""
    import importlib.util
    from charte.config import PROJECT_ROOT

    spec = importlib.util.spec_from_file_location("bench_textes", PROJECT_ROOT / "scripts" / "bench_textes.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    clauses = bench.charte_de_banc()
    propositions = bench.amendements_de_banc(clauses)
    assert (len(clauses), len(propositions)) == (300, 150)
    resultat = fusionner(clauses, propositions)
    assert_partition(resultat, propositions)
    assert len(resultat.conflits) == 5 and all(len(c.propositions) == 2 for c in resultat.conflits)
    assert len(resultat.clauses) == 300 - 25 + 25
    assert_bien_numerotee(resultat)
    random.Random(1).shuffle(propositions)
    assert fusionner(clauses, propositions) == resultat
