"""Sample clauses, amendment builders and hypothesis strategies shared by the text-rule tests."""
from hypothesis import strategies as st

from charte.textes.fusion import ClauseTexte, Proposition

MOTS = ("l’agent", "l'usager", "peut-être", "2026", "3,5", "élu", "données", "à", "où", "ça", "Œuvre", "IA",
        "RGPD", "aujourd’hui", "e\u0301te\u0301", "vérifie", "collectivité", "sobriété", "n°", "10\u00a0000",
        "c’est-à-dire", "publique", "référent", "chaque", "les", "la", "de")
SEPARATEURS = (" ", " ", " ", ", ", ". ", "\u00a0; ", "\n", "\n\n", " «\u00a0", "\u00a0» ", "\u00a0: ", " — ",
               " (", ") ", "’", "-")

texte_francais = st.lists(st.tuples(st.sampled_from(MOTS), st.sampled_from(SEPARATEURS)), max_size=25).map(
    lambda paires: "".join(mot + sep for mot, sep in paires))

# Any text a person could type: no control characters (dmp's patch padding uses \x01…\x04).
texte_libre = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n"), max_size=60)

un_texte = st.one_of(texte_francais, texte_libre)


VERSION = (
    ClauseTexte("RESP-1", 1, 1, "Responsabilité", "L’agent reste responsable",
                "L’agent reste responsable des contenus qu’il produit avec un outil d’IA. "
                "Il vérifie chaque résultat avant toute diffusion, qu’il s’agisse d’un courrier ou d’une note."),
    ClauseTexte("RESP-2", 1, 2, "Responsabilité", "Examen humain",
                "Aucune décision individuelle n’est prise sur le seul fondement d’un traitement automatisé."),
    ClauseTexte("RESP-4", 1, 3, "Responsabilité", "Esprit critique",
                "Les agents gardent leur esprit critique face aux réponses des outils."),
    ClauseTexte("TRANS-1", 2, 1, "Transparence", "Informer les habitants",
                "La collectivité informe les habitants lorsqu’un outil d’IA intervient dans une décision "
                "qui les concerne.\n\nCette information figure sur chaque courrier."),
    ClauseTexte("TRANS-2", 2, 2, "Transparence", "Registre", "Un registre public des usages est tenu à jour."),
)
PAR_REF = {c.ref: c for c in VERSION}


def modif(id_: int, ref: str, ancien: str, nouveau: str, titre: str = "", base: str | None = None) -> Proposition:
    texte = PAR_REF[ref].texte if base is None else base
    assert ancien in texte
    return Proposition(id_, "modification", ref, texte, texte.replace(ancien, nouveau, 1), titre)


def suppression(id_: int, ref: str) -> Proposition:
    return Proposition(id_, "suppression", ref, PAR_REF[ref].texte if ref in PAR_REF else "", "", "")


def ajout(id_: int, theme_position: int | None, position: int | None, titre: str = "Nouvelle clause",
          texte: str = "Texte de la nouvelle clause.", theme: str = "") -> Proposition:
    return Proposition(id_, "ajout", None, "", texte, titre, theme_position, position, theme)


MOTS_LONGS = ("collectivité", "responsable", "vérification", "transparence", "habitants", "données",
              "personnelles", "référent", "formation", "sobriété", "souveraineté", "l’intelligence",
              "artificielle", "peut-être", "décision", "automatisée", "registre", "publication", "courrier",
              "délibération", "prestataire", "hébergement", "européen", "comité", "pilotage", "évaluation",
              "aujourd’hui", "consentement", "traçabilité", "explication", "proportionné", "bénéfices")
NOUVEAUX = ("modifié", "remplacé", "nouvelle-formule", "ajouté", "corrigé", "précisé", "l’usager", "2027")


@st.composite
def consolidations(draw):
    """A small version and a random mix of adopted amendments (overlapping, stale, aimless ones too)."""
    clauses = []
    for theme_position, theme, prefixe in ((1, "Responsabilité", "RESP"), (2, "Données", "DON")):
        for position in range(1, draw(st.integers(0, 4)) + 1):
            mots = draw(st.lists(st.sampled_from(MOTS_LONGS), min_size=0, max_size=12))
            clauses.append(ClauseTexte(f"{prefixe}-{position}", theme_position, position, theme,
                                       f"Titre {position}", " ".join(mots)))
    refs = [c.ref for c in clauses] + ["ZZZ-1"]
    par_ref = {c.ref: c for c in clauses}
    propositions = []
    for id_ in draw(st.lists(st.integers(1, 500), unique=True, max_size=10)):
        nature = draw(st.sampled_from(["modification", "modification", "suppression", "ajout"]))
        if nature == "ajout":
            propositions.append(Proposition(
                id_, "ajout", None, "", "Texte ajouté.", f"Ajout {id_}", draw(st.sampled_from([1, 2, 3, None])),
                draw(st.one_of(st.none(), st.integers(1, 6))), draw(st.sampled_from(["", "Sobriété"]))))
            continue
        ref = draw(st.sampled_from(refs))
        base = par_ref[ref].texte if ref in par_ref else "texte inconnu"
        if draw(st.integers(0, 5)) == 0:
            base = "ancien " + base  # written against an older text
        mots = base.split(" ")
        debut = draw(st.integers(0, len(mots)))
        fin = draw(st.integers(debut, min(len(mots), debut + 3)))
        nouveaux = draw(st.lists(st.sampled_from(NOUVEAUX), max_size=2))
        texte = " ".join(mots[:debut] + nouveaux + mots[fin:]) if nature == "modification" else ""
        titre = draw(st.sampled_from(["", f"Titre modifié {id_}"]))
        propositions.append(Proposition(id_, nature, ref, base, texte, titre))
    return tuple(clauses), propositions
