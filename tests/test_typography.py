"""French typography in everything a person reads: templates, messages, the default template.

A space before « : ; ! ? » or inside « » must be non-breaking, so that the sign never starts a line."""
import io
import re
import tokenize

import pytest

from charte.config import PROJECT_ROOT

BAD = re.compile(r"\S (?:[:;!?](?=\s|$|[\"'<)])|»)|« ")
STRAIGHT_APOSTROPHE = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")


def _template_text(source: str) -> str:
    return "".join(p for p in re.split(r"(\{\{.*?\}\}|\{%.*?%\}|<[^>]*>)", source, flags=re.S)
                   if not p.startswith(("{{", "{%", "<")))


def _python_strings(source: str) -> str:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "\n".join(t.string for t in tokens if t.type == tokenize.STRING and not t.string.startswith('"""'))


SOURCES = (
    [(p, _template_text) for p in sorted((PROJECT_ROOT / "templates").rglob("*.html"))]
    + [(p, _python_strings) for p in sorted((PROJECT_ROOT / "charte").rglob("*.py"))]
    + [(p, str) for p in sorted((PROJECT_ROOT / "modeles").glob("*.md"))]
)


@pytest.mark.parametrize("path, extract", SOURCES, ids=[str(p.relative_to(PROJECT_ROOT)) for p, _ in SOURCES])
def test_no_breaking_space_before_double_punctuation(path, extract):
    text = extract(path.read_text(encoding="utf-8"))
    faults = [m.group(0) for m in BAD.finditer(text)]
    assert faults == [], f"{path.name}: espace sécable devant une ponctuation double : {faults[:5]}"
    apostrophes = [text[max(0, m.start() - 8):m.end() + 8] for m in STRAIGHT_APOSTROPHE.finditer(text)]
    assert apostrophes == [], f"{path.name}: apostrophe droite au lieu de « ’ » : {apostrophes[:5]}"


def test_the_check_can_fail():
    assert BAD.search("Attention : ceci") and BAD.search("« citation »") and BAD.search("Vraiment ?")
    assert not BAD.search("Attention\u00a0: ceci") and not BAD.search("«\u00a0citation\u00a0»")
    assert STRAIGHT_APOSTROPHE.search("l'agent") and not STRAIGHT_APOSTROPHE.search("l’agent")


@pytest.mark.parametrize("count, expected", [(0, "0\u00a0version"), (1, "1\u00a0version"), (2, "2\u00a0versions"),
                                             (12, "12\u00a0versions")])
def test_french_plural(count, expected):
    from charte.web import pluriel

    assert pluriel(count, "version") == expected
