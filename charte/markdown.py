"""Safe Markdown: markdown-it-py's js-default preset (no raw HTML, unsafe links refused)."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default")


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to HTML that can be inserted as is: raw HTML is escaped."""
    return Markup(_md.render(text or ""))
