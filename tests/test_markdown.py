"""Markdown: images never fetched (links instead), raw HTML escaped, rendering cost bounded and cached."""
import pytest

from charte.chartes.modeles import MAX_TEXT
from charte.markdown import MAX_NESTING, cache, render_markdown, render_markdown_bounded
from tests.conftest import page_text
from tests.test_modeles import HEAD


@pytest.mark.parametrize("source, href", [
    ("![Logo de la ville](https://tiers.example/logo.png)", "https://tiers.example/logo.png"),
    ("![Logo de la ville](//tiers.example/logo.png)", "//tiers.example/logo.png"),
    ("![Logo de la ville](http://127.0.0.1:9/pixel.gif \"titre\")", "http://127.0.0.1:9/pixel.gif"),
    ("![Logo de la ville](/static/logo.png)", "/static/logo.png"),
    ("![Logo de la ville][ref]\n\n[ref]: https://tiers.example/ref.png", "https://tiers.example/ref.png"),
    ("[![Logo de la ville](https://tiers.example/a.png)](https://exemple.fr)", "https://tiers.example/a.png"),
])
def test_an_image_becomes_a_link_and_is_never_an_img(source, href):
    html = str(render_markdown(source))
    assert "<img" not in html
    assert f'<a href="{href}" rel="nofollow noopener noreferrer">Image\u00a0: Logo de la ville</a>' in html


def test_an_image_without_description_says_so():
    html = str(render_markdown("![](https://tiers.example/x.png)"))
    assert "Image\u00a0: sans description" in html and "<img" not in html


def test_an_embedded_data_image_is_neither_shown_nor_linked():
    html = str(render_markdown("![Tampon](data:image/png;base64,iVBORw0KGgo=)"))
    assert "<img" not in html and "data:" not in html
    assert "Image intégrée non affichée\u00a0: Tampon" in html


@pytest.mark.parametrize("source", ["<img src=https://tiers.example/x.png>", "![x](javascript:alert(1))",
                                    '![a" onerror="alert(1)](https://tiers.example/x.png)'])
def test_no_way_around(source):
    html = str(render_markdown(source))
    assert "<img" not in html and 'href="javascript' not in html and 'onerror="' not in html


def test_ordinary_markdown_still_renders():
    html = str(render_markdown("Un **agent** relit.\n\n- un\n- deux\n\n[lien](https://exemple.fr)"))
    assert "<strong>agent</strong>" in html and "<li>deux</li>" in html and '<a href="https://exemple.fr">' in html


def test_nesting_is_bounded_but_ordinary_nesting_renders():
    assert MAX_NESTING <= 20
    html = str(render_markdown("> > > - **[*lien*](https://exemple.fr)**"))
    assert html.count("<blockquote>") == 3 and "<em>lien</em>" in html


def test_rendering_is_cached_by_content():
    text = "Texte de cache " + "![" * 5_000
    before = cache.parses
    first = render_markdown(text)
    assert cache.parses == before + 1
    for _ in range(3):
        assert render_markdown(text) == first
    assert cache.parses == before + 1  # served from the cache, not parsed again
    render_markdown(text + " ")
    assert cache.parses == before + 2  # another text is another entry


def test_the_cache_keeps_to_its_budget():
    from charte.markdown import RenderCache

    small = RenderCache(max_chars=200)
    for n in range(20):
        small.render(f"Paragraphe numéro {n} " + "x" * 40)
    assert small.parses == 20 and sum(map(len, small._entries.values())) <= 200
    small.render("Paragraphe numéro 19 " + "x" * 40)
    assert small.parses == 20  # the most recent one is still there
    small.render("Paragraphe numéro 0 " + "x" * 40)
    assert small.parses == 21  # the oldest was dropped


def test_a_changing_text_beyond_its_bound_is_shown_as_plain_text_without_parsing():
    text = "**gras** <script>x</script>\n" + "![" * 20_000
    before = cache.parses
    html = str(render_markdown_bounded(text, max_chars=10_000))
    assert cache.parses == before
    assert "**gras** &lt;script&gt;x&lt;/script&gt;<br>" in html and "<strong>" not in html
    assert "<strong>gras</strong>" in str(render_markdown_bounded("**gras**", max_chars=10_000))


def test_a_charter_page_is_rendered_once_then_served_from_the_cache(client, auth, make_user, make_modele,
                                                                     make_charte):
    """The pathological template of the issue: `![` repeated, as long as the format allows."""
    clauses = "".join(f"### RESP-{n} — Piège {n}\n\n{'![' * (MAX_TEXT // 2)}\n\n" for n in range(1, 4))
    charte = make_charte(modele=make_modele(HEAD + "\n## Thème\n\n" + clauses))
    auth.login(make_user("agent"))
    response = client.get(f"/chartes/{charte.id}")
    assert response.status_code == 200
    parses = cache.parses
    for url in (f"/chartes/{charte.id}", f"/chartes/{charte.id}/versions/1", f"/chartes/{charte.id}/clauses/RESP-2"):
        assert client.get(url).status_code == 200
    assert cache.parses == parses  # no clause text parsed twice


def test_a_remote_image_in_a_template_is_a_link_on_every_page(client, auth, make_user, make_modele, make_charte):
    source = HEAD + "\n![Bannière](https://tiers.example/banniere.png)\n\n## Thème\n\n" \
        "### RESP-1 — Clause\n\nVoir ![schéma](https://tiers.example/schema.svg).\n"
    modele = make_modele(source)
    charte = make_charte(modele=modele)
    auth.login(make_user("admin"))
    for url in (f"/admin/modeles/{modele.id}", f"/chartes/{charte.id}", f"/chartes/{charte.id}/clauses/RESP-1"):
        html = client.get(url).get_data(as_text=True)
        assert "<img" not in html, url
        assert 'href="https://tiers.example/schema.svg"' in html, url
        assert "Image\u00a0: schéma" in page_text(client.get(url))
