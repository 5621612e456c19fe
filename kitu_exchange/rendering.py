"""Markdown to sanitized HTML: the only importer of markdown and bleach."""
import html
import re

import bleach
import markdown
from bleach.linkifier import Linker

ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "abbr": ["title"], "th": ["align"],
                      "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


class _NoRawHtml(markdown.Extension):
    """Treat raw HTML in posts as text: it is escaped, never passed through."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


# attr_list and md_in_html would let authors set attributes or raw HTML: keep them off.
EXTENSIONS = ["fenced_code", "tables", "sane_lists", _NoRawHtml()]


def _link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)
_linker = Linker(callbacks=[_link_rel])


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to insert into a page.

    Raw HTML in the source is escaped as text, anything not on the allowlist is
    stripped, and links get rel="nofollow noopener".
    """
    rendered = markdown.markdown(text.replace("\x00", ""), extensions=EXTENSIONS,
                                 output_format="html")
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return _linker.linkify(_cleaner.clean(rendered))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, for search indexing and previews."""
    stripped = bleach.clean(fragment, tags=set(), strip=True)
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip()


def markdown_to_text(text: str) -> str:
    return html_to_text(render_markdown(text))


def excerpt(text: str, length: int = 240) -> str:
    """The start of a plain text, cut at a word boundary."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"
