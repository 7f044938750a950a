"""Safe Markdown for every text people write (templates, clauses, later comments and amendments).

- markdown-it-py's js-default preset: raw HTML escaped, unsafe links (`javascript:`…) refused;
- an image is never fetched: it becomes a link "Image : description" (an embedded `data:` image
  becomes plain text), so that a page or the signed PDF never calls another origin and the signed
  text is only text — what a reader sees is what the word-level comparison of versions shows;
- nesting is bounded (maxNesting 20, CommonMark's preset): the cost of link and image labels grows
  with it, and `![` repeated over 256 KiB took 15 s with the default of 100;
- each rendering is kept in a small in-process LRU cache keyed by the text's SHA-256: the clauses
  of an immutable version are parsed once per process, then served from memory.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup, escape

MAX_NESTING = 20
CACHE_MAX_CHARS = 32 * 1024 * 1024  # rendered HTML kept per process, in characters


def _image_as_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env).strip() or "sans description"
    src = str(token.attrGet("src") or "")
    if src.lower().startswith("data:"):
        return f'<span class="image-omise">Image intégrée non affichée\u00a0: {escapeHtml(alt)}</span>'
    return f'<a href="{escapeHtml(src)}" rel="nofollow noopener noreferrer">Image\u00a0: {escapeHtml(alt)}</a>'


_md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING})
_md.add_render_rule("image", _image_as_link)


class RenderCache:
    """Rendered HTML by the SHA-256 of its source, least recently used dropped beyond a size budget."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.parses = 0  # texts actually parsed: what the cache saves is visible in tests

    def render(self, text: str) -> str:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                return html
        html = _md.render(text)
        with self._lock:
            self.parses += 1
            if key not in self._entries and len(html) <= self.max_chars:
                self._entries[key] = html
                self._size += len(html)
                while self._size > self.max_chars:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= len(dropped)
        return html


cache = RenderCache(CACHE_MAX_CHARS)


def render_markdown(text: str | None) -> Markup:
    """Render Markdown to HTML that can be inserted as is: raw HTML is escaped, images are links."""
    return Markup(cache.render(text or ""))


def render_plain(text: str) -> Markup:
    """Text shown as written, escaped, paragraph by paragraph, without parsing any Markdown."""
    paragraphs = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("").join(
        Markup('<p class="texte-brut">{}</p>\n').format(Markup("<br>\n").join(escape(line) for line in p.split("\n")))
        for p in paragraphs
    )


def render_markdown_bounded(text: str | None, max_chars: int) -> Markup:
    """Render a text that can change (comment, amendment): beyond `max_chars` it is shown as plain
    text, so that no stored text, however it got there, costs more than a bounded parse."""
    text = text or ""
    if len(text) > max_chars:
        return render_plain(text)
    return render_markdown(text)
