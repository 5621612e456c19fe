"""Markdown to sanitized HTML: the only importer of markdown and bleach.

Rendering is bounded so that one post cannot occupy a worker: Python-Markdown and bleach
are quadratic or recursive on a few inputs (e.g. 20,000 ``[`` took 88 s, ``'+ ' * 2000``
ended in a RecursionError). The limits below make every step linear in the length of the
text without changing how ordinary Markdown renders; the time budget in
`render_markdown` is only a safety net behind them.
"""
import html
import re
import signal
import threading
import time
import xml.etree.ElementTree as etree

import bleach
import markdown
from bleach.linkifier import URL_RE, Linker
from flask import current_app, has_app_context
from flask_babel import gettext as _
from markdown import inlinepatterns
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.tables import TableProcessor

ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "abbr": ["title"], "th": ["align"],
                      "td": ["align"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Lists and quotes nested deeper than this are shown as plain paragraphs. Python-Markdown
# parses each level by recursion (RecursionError at a few hundred levels) and scans the
# rest of the block again on every level.
MAX_NESTING = 48
# Link text and link targets are found by scanning forward from every "[" and "(";
# together these scans may look at this many characters per character of the text.
# Ordinary posts need a fraction of it; once it is spent, brackets stay plain text.
LINK_SCAN_PER_CHAR = 8
LINK_SCAN_MINIMUM = 10_000
DEFAULT_BUDGET_SECONDS = 2.0


class RenderTimeout(Exception):
    """The render budget ran out; the caller shows the text without formatting."""


# The alarm is never set again for less than this (a timer of 0 would switch it off).
MIN_REARM_SECONDS = 0.01


class _Budget:
    """The render's allowance of CPU time (so that a busy machine does not push ordinary
    posts over it). Runs out either at a check between steps or, where possible, by an
    alarm that also interrupts a long regular expression search (CPython's re checks for
    signals while it matches).

    Signals reach only the main thread, which is where gunicorn's sync workers and the
    CLI run. Elsewhere (a threaded server, the browser tests' live server), and when a
    profiling timer is already set by someone else, there is no alarm and only the checks
    between steps apply. Each step is linear in the text because of the limits above:
    they are the defence, the budget only a net."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.thread_time() + seconds
        self.armed = False

    def check(self) -> None:
        if time.thread_time() > self.until:
            raise RenderTimeout

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getitimer(signal.ITIMER_PROF)[0] == 0):
            self.previous = signal.signal(signal.SIGPROF, self._ring)
            signal.setitimer(signal.ITIMER_PROF, self.seconds)
            self.armed = True
        return self

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, self.previous)

    def _ring(self, signum, frame):
        # The profiling timer counts the CPU time of the whole process, background
        # threads (index poller, sentence encoder) included: only this thread's own time
        # counts against the budget, so the alarm is set again for what is left of it.
        left = self.until - time.thread_time()
        if left > 0:
            signal.setitimer(signal.ITIMER_PROF, max(left, MIN_REARM_SECONDS))
            return
        raise RenderTimeout


def _budget_seconds() -> float:
    if has_app_context():
        return current_app.config.get("RENDER_BUDGET_SECONDS", DEFAULT_BUDGET_SECONDS)
    return DEFAULT_BUDGET_SECONDS


class _NoRawHtml(markdown.Extension):
    """Treat raw HTML in posts as text: it is escaped, never passed through."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


class _ScanAllowance:
    def __init__(self, chars: int):
        self.left = chars

    def window_end(self, data: str, index: int) -> int:
        return min(len(data), index + self.left)

    def spend(self, chars: int) -> None:
        self.left = max(0, self.left - chars)


_BRACKET = re.compile(r"[\[\]]")


class _BoundedLinkScan:
    """Python-Markdown's link processors scan to the end of the paragraph from every "["
    (and from every "](" for the target): quadratic on runs of brackets. Here the scans
    share one allowance per render, and the link text is found by jumping from bracket
    to bracket instead of walking every character. Results are the same as upstream's
    while the allowance lasts."""

    allowance: _ScanAllowance

    def getText(self, data, index):  # noqa: N802 (Markdown's API name)
        end = self.allowance.window_end(data, index)
        depth = 1
        for bracket in _BRACKET.finditer(data, index, end):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                self.allowance.spend(bracket.end() - index)
                return data[index:bracket.start()], bracket.end(), True
        self.allowance.spend(end - index)
        return "", end, False

    def getLink(self, data, index):  # noqa: N802 (Markdown's API name)
        end = self.allowance.window_end(data, index)
        if end == index:
            return "", None, index, False
        href, title, stop, handled = super().getLink(
            data if end == len(data) else data[:end], index)
        self.allowance.spend((stop if handled else end) - index)
        return href, title, stop, handled


# (name, upstream class, pattern, priority) as in markdown.inlinepatterns.build_inlinepatterns
_LINK_PROCESSORS = [
    ("reference", inlinepatterns.ReferenceInlineProcessor, inlinepatterns.REFERENCE_RE, 170),
    ("link", inlinepatterns.LinkInlineProcessor, inlinepatterns.LINK_RE, 160),
    ("image_link", inlinepatterns.ImageInlineProcessor, inlinepatterns.IMAGE_LINK_RE, 150),
    ("image_reference", inlinepatterns.ImageReferenceInlineProcessor,
     inlinepatterns.IMAGE_REFERENCE_RE, 140),
    ("short_reference", inlinepatterns.ShortReferenceInlineProcessor,
     inlinepatterns.REFERENCE_RE, 130),
    ("short_image_ref", inlinepatterns.ShortImageReferenceInlineProcessor,
     inlinepatterns.IMAGE_REFERENCE_RE, 125),
]
_BOUNDED_CLASSES = {name: type(f"Bounded{cls.__name__}", (_BoundedLinkScan, cls), {})
                    for name, cls, _pattern, _priority in _LINK_PROCESSORS}


class _FlattenDeepBlocks(BlockProcessor):
    """Below MAX_NESTING levels every block is a plain paragraph (no further lists or
    quotes), so parsing neither recurses without end nor rescans the block per level."""

    def test(self, parent, block):
        return self.parser.nesting > MAX_NESTING

    def run(self, parent, blocks):
        block = blocks.pop(0)
        if block.strip():
            paragraph = etree.SubElement(parent, "p")
            paragraph.text = block.strip()


class _Table(TableProcessor):
    """Upstream's test splits and strips every line of the block, and the block is tested
    again each time a heading or rule is taken off its front (5,000 headings: 2 s). The
    first two lines decide unless they start a table; only then is the whole block read."""

    def test(self, parent, block):
        first_two = "\n".join(block.split("\n", 2)[:2])
        return super().test(parent, first_two) and super().test(parent, block)


class _Bounded(markdown.Extension):
    """Linear-time limits on the parts of Python-Markdown that are not."""

    def __init__(self, text_length: int, budget: _Budget):
        super().__init__()
        self.text_length = text_length
        self.budget = budget

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        allowance = _ScanAllowance(LINK_SCAN_PER_CHAR * self.text_length + LINK_SCAN_MINIMUM)
        for name, _cls, pattern, priority in _LINK_PROCESSORS:
            processor = _BOUNDED_CLASSES[name](pattern, md)
            processor.allowance = allowance
            md.inlinePatterns.register(processor, name, priority)

        parser = md.parser
        table = parser.blockprocessors["table"]
        parser.blockprocessors.register(_Table(parser, table.config), "table", 75)
        parser.nesting = 0
        parse_blocks = parser.parseBlocks

        def counted_parse_blocks(parent, blocks):
            self.budget.check()
            parser.nesting += 1
            try:
                parse_blocks(parent, blocks)
            finally:
                parser.nesting -= 1

        parser.parseBlocks = counted_parse_blocks
        parser.blockprocessors.register(_FlattenDeepBlocks(parser), "flatten_deep", 200)


# "@name" at the start of a word; not in e-mail addresses (name@host) or paths.
MENTION_PATTERN = r"(?<![\w@/.-])@([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)"


class _MentionLinks(inlinepatterns.InlineProcessor):
    """Turns @name into a link where `resolve(name)` knows an address for it. Inline
    patterns never run inside code spans or code blocks, so mentions there stay text."""

    def __init__(self, resolve, md):
        super().__init__(MENTION_PATTERN, md)
        self.resolve = resolve

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API name)
        href = self.resolve(m.group(1))
        if not href:
            return None, None, None
        link = etree.Element("a")
        link.set("href", href)
        link.text = markdown.util.AtomicString("@" + m.group(1).lower())
        return link, m.start(0), m.end(0)


class _Mentions(markdown.Extension):
    def __init__(self, resolve):
        super().__init__()
        self.resolve = resolve

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API name)
        # Below links (160) and auto-links (120): "[@a](x)" and "<mailto:a@b>" stay as
        # they are; above emphasis, so "*@name*" still links.
        md.inlinePatterns.register(_MentionLinks(self.resolve, md), "mention", 100)


def _link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


# bleach's URL pattern retries every position of a long run: "\(*" at each "(" of a run
# of 20,000 (10 s), "([\w-]+\.)+" at each word of "a-a-a-..." (2 s for 20,000). Taking the
# parentheses possessively and only where the run begins, and host name labels of at
# most 63 characters (the DNS limit) possessively, finds the same links in linear time.
_LABELS = r"([\w-]+\.)+"
assert URL_RE.pattern.startswith(r"\(*") and URL_RE.pattern.count(_LABELS) == 1
_URL_RE = re.compile(
    r"(?<!\()\(*+" + URL_RE.pattern[len(r"\(*"):].replace(_LABELS, r"([\w-]{1,63}+\.)+"),
    URL_RE.flags)


def _fast_walker(walker_class):
    """html5lib's etree walker finds an element's position among its siblings with
    list.count and list.index on every step up (quadratic in the rows of a table or the
    items of a list); this one looks positions up in a table built once per parent."""

    class Walker(walker_class):
        def __init__(self, tree):
            super().__init__(tree)
            self._positions = {}

        def getParentNode(self, node):  # noqa: N802 (html5lib's API name)
            if not isinstance(node, tuple) or node[3] == "text" or len(node[2]) < 2:
                return super().getParentNode(node)
            parents = node[2]
            parent = parents.pop()
            siblings = parents[-1]
            positions = self._positions.get(id(siblings))
            if positions is None:
                positions = {id(child): i for i, child in enumerate(siblings)}
                self._positions[id(siblings)] = positions
            return parent, positions[id(parent)], parents, None

    return Walker


# One cleaner and linker per thread: bleach's parser and serializer keep state while
# they work.
_local = threading.local()


def _sanitizers() -> tuple[bleach.Cleaner, Linker]:
    if getattr(_local, "cleaner", None) is None:
        _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
        )
        _local.linker = Linker(callbacks=[_link_rel], url_re=_URL_RE)
        for sanitizer in (_local.cleaner, _local.linker):
            sanitizer.walker = _fast_walker(sanitizer.walker)
    return _local.cleaner, _local.linker


def _render(text: str, budget: _Budget, mentions=None) -> str:
    extensions = ["fenced_code", "tables", "sane_lists", _NoRawHtml(),
                  _Bounded(len(text), budget)]
    if mentions is not None:
        extensions.append(_Mentions(mentions))
    rendered = markdown.markdown(
        text,
        # attr_list and md_in_html would let authors set attributes or raw HTML: keep them off.
        extensions=extensions,
        output_format="html")
    budget.check()
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaner, linker = _sanitizers()
    cleaned = cleaner.clean(rendered)
    if "<a " not in cleaned and not _URL_RE.search(cleaned):
        return cleaned  # nothing to linkify: spare the second parse
    budget.check()
    return linker.linkify(cleaned)


def plain_text_html(text: str) -> str:
    """The text as escaped paragraphs and line breaks, with a note why."""
    note = _("Dieser Text wurde als reiner Text gespeichert, weil seine Formatierung zu "
             "aufwendig war.")
    parts = [f'<p class="render-note"><em>{html.escape(note)}</em></p>']
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [html.escape(line) for line in paragraph.strip("\n").split("\n")]
        parts.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(parts) + "\n"


def render_markdown(text: str, mentions=None) -> str:
    """Render Markdown to HTML that is safe to insert into a page.

    Raw HTML in the source is escaped as text, anything not on the allowlist is
    stripped, and links get rel="nofollow noopener". If rendering takes longer than
    RENDER_BUDGET_SECONDS, the text is returned as escaped plain text with a note.
    `mentions`, a callable, turns each @name outside code into a link to the address it
    returns for the name (None: no link); see notifications/mentions.py.
    """
    text = text.replace("\x00", "")
    try:
        with _Budget(_budget_seconds()) as budget:
            return _render(text, budget, mentions)
    except (RenderTimeout, RecursionError):
        # A fresh cleaner: the interrupted one may hold half a document.
        _local.cleaner = _local.linker = None
        return plain_text_html(text)


def _text_cleaner() -> bleach.Cleaner:
    # Reused per thread: building a Cleaner for each call took half of html_to_text's time.
    if getattr(_local, "text_cleaner", None) is None:
        _local.text_cleaner = bleach.Cleaner(tags=set(), strip=True)
    return _local.text_cleaner


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, for search indexing, previews and feeds."""
    stripped = _text_cleaner().clean(fragment)
    return re.sub(r"\s+", " ", html.unescape(stripped)).strip()


def excerpt(text: str, length: int = 240) -> str:
    """The start of a plain text, cut at a word boundary."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + " …"
