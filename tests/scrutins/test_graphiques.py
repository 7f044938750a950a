"""Bar chart layout (pure) and its SVG rendering: no style attribute, role img, title and description."""
import re

from charte.scrutins.graphiques import LARGEUR_BARRE, barres


def test_rows_share_one_scale():
    g = barres("T", "D", [("A", [("x", 10, "10 x"), ("y", 5, "5 y")]), ("B", [("x", 3, "3 x")])])
    a, b = g.lignes
    assert [s.largeur for s in a.segments] == [round(LARGEUR_BARRE * 10 / 15, 2), round(LARGEUR_BARRE * 5 / 15, 2)]
    assert a.segments[1].x == round(a.segments[0].x + LARGEUR_BARRE * 10 / 15, 2)
    assert b.segments[0].largeur == round(LARGEUR_BARRE * 3 / 15, 2)
    assert a.total == "15" and b.total == "3"
    assert b.y_barre > a.y_barre and g.hauteur > b.y_barre


def test_a_fixed_maximum_and_empty_values():
    g = barres("T", "D", [("A", [("x", 50, "")]), ("B", [("x", 0, "")])], maximum=100)
    assert g.lignes[0].segments[0].largeur == LARGEUR_BARRE / 2
    assert g.lignes[1].segments == ()  # nothing drawn for zero
    assert barres("T", "D", [("A", [("x", 0, "")])]).lignes[0].segments == ()  # all zero: no division by zero
    assert barres("T", "D", []).lignes == ()


def test_svg_rendering(app):
    g = barres("Résultat <n° 1>", "Pour & contre", [("Service « A »", [("barre-pour", 2, "2 pour")])],
               legende=[("barre-pour", "Pour")])
    svg = app.jinja_env.from_string('{% from "scrutins/_graphique.html" import graphique %}{{ graphique(g, "x") }}'
                                    ).render(g=g)
    assert 'role="img"' in svg and 'aria-labelledby="x-titre x-desc"' in svg
    assert '<title id="x-titre">Résultat &lt;n° 1&gt;</title>' in svg and "Pour &amp; contre" in svg
    assert "style=" not in svg
    assert len(re.findall(r'<rect [^>]*class="barre-pour"', svg)) == 2  # the legend's and the bar's
