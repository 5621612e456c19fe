"""Atom documents (RFC 4287): the only importer of feedgen.

feedgen 1.0.0 writes an entry's links without their rel and type attributes (it reads
them back from the new element instead of the given link); a link without rel is the
alternate link by RFC 4287 4.2.7.2, so the entries stay valid and feed readers follow it.
"""
import re
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator

from .entries import Feed

# Characters XML 1.0 cannot carry at all (lxml refuses them). The forms strip control
# characters already; this keeps one odd old post from breaking a whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The `updated` of a feed without entries: fixed, so an empty feed keeps its ETag.
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def atom_document(feed: Feed, self_url: str, id_prefix: str, site_name: str) -> bytes:
    """The feed as an Atom document. Ids are tag URIs (RFC 4151) made of `id_prefix` and
    the feed's and entries' keys, so they never contain the token of the address."""
    generator = FeedGenerator()
    generator.id(f"{id_prefix}feed/{feed.key}")
    generator.title(_text(f"{feed.title} – {site_name}"))
    generator.updated(max((entry.updated for entry in feed.entries),
                          default=EMPTY_FEED_UPDATED))
    generator.author({"name": site_name})
    generator.link(href=feed.page, rel="alternate", type="text/html")
    generator.link(href=self_url, rel="self", type="application/atom+xml")
    generator.language("de")
    generator.generator(site_name)
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.id(f"{id_prefix}{entry.key}")
        item.title(_text(entry.title))
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.author({"name": _text(entry.author), "uri": entry.author_uri})
        item.published(entry.published)
        item.updated(entry.updated)
        item.summary(_text(entry.summary), type="text")
        for slug, name in entry.categories:
            item.category(term=slug, label=_text(name))
    return generator.atom_str(pretty=False)
