"""Small text helpers shared by services, forms and import."""
import re
import unicodedata

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                                  "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug for URLs: "Drucker für Ämter" -> "drucker-fuer-aemter"."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "eintrag"


def clean_text(value: str | None) -> str | None:
    """Drop NUL bytes (PostgreSQL refuses them) and normalise line ends."""
    if value is None:
        return None
    return value.replace("\x00", "").replace("\r\n", "\n")


def split_tags(value: str) -> list[str]:
    """Free tags from a comma separated input, lower-cased and de-duplicated."""
    return list(tag_labels(value))


def tag_labels(value: str) -> dict[str, str]:
    """Free tags from a comma separated input: lower-case key -> the tag as written
    (first spelling wins), in input order."""
    seen: dict[str, str] = {}
    for raw in value.split(","):
        label = re.sub(r"\s+", "-", raw.strip())[:60]
        if label:
            seen.setdefault(label.lower(), label)
    return seen


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,3}[.)][ \t]+)",
                            re.MULTILINE)
_MD_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE)
# A code fence line with its info string ("```ini"); the code between stays as words.
_MD_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,}).*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1")


def plain_text(markdown: str | None) -> str:
    """The words of a Markdown text without its syntax (`**`, `##`, list markers,
    link targets): for snippets and sentence vectors, never for display as HTML."""
    text = _MD_LINK.sub(r"\1", markdown or "")
    text = _MD_RULE.sub("", text)
    text = _MD_FENCE.sub("", text)
    text = _MD_LINE_MARKS.sub("", text)
    for _ in range(2):  # nested emphasis: ***bold italic***, **`code`**
        text = _MD_EMPHASIS.sub(r"\2", text)
    return text
