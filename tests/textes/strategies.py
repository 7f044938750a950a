"""Hypothesis strategies of French texts shared by the text-rule tests."""
from hypothesis import strategies as st

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
