"""Parsing and writing the files of a content folder; no database access here."""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import yaml

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)(.*)\Z", re.DOTALL)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SECTION_HEADINGS = {"ausgangslage": "situation", "lösung": "approach", "loesung": "approach",
                    "ergebnis": "result"}
SECTION_TITLES = {"situation": "Ausgangslage", "approach": "Lösung", "result": "Ergebnis"}
SECTION_LINE = re.compile(r"^##\s+(Ausgangslage|L(?:ö|oe)sung|Ergebnis)\s*$",
                          re.IGNORECASE | re.MULTILINE)


class FormatError(ValueError):
    """A file that does not fit the content format; the message says why."""


@dataclass
class Document:
    slug: str
    meta: dict
    body: str


@dataclass
class ReplyData:
    authority: str
    created: date | None
    accepted: bool
    body: str
    hidden: bool | None = None   # None: the file does not say
    hidden_reason: str = ""


@dataclass
class SolutionSections:
    situation: str = ""
    approach: str = ""
    result: str = ""
    extra: dict = field(default_factory=dict)


def read_document(path) -> Document:
    """Front matter and Markdown body of a solutions/ or questions/ file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise FormatError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    if "\x00" in text:
        raise FormatError("contains a NUL byte")
    match = FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        raise FormatError("no YAML front matter between --- lines at the top")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise FormatError(f"front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise FormatError("front matter is not a mapping")
    slug = path.name.removesuffix(".md")
    if not SLUG.match(slug):
        raise FormatError("file name is not a slug (lower-case letters, digits, hyphens)")
    return Document(slug=slug, meta=meta, body=match.group(2).strip("\n"))


def read_list(path) -> list:
    """A YAML file holding a list (authorities.yaml, topics.yaml, synonyms.yaml)."""
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise FormatError(f"not valid UTF-8 YAML: {error}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise FormatError("must contain a YAML list")
    return data


def require_text(meta: dict, key: str, max_length: int) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise FormatError(f"'{key}' is missing or not text")
    if len(value) > max_length:
        raise FormatError(f"'{key}' is longer than {max_length} characters")
    return value.strip()


def optional_text(meta: dict, key: str, max_length: int = 300) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise FormatError(f"'{key}' is not text")
    value = str(value).strip()
    if len(value) > max_length:
        raise FormatError(f"'{key}' is longer than {max_length} characters")
    return value


def string_list(meta: dict, key: str) -> list[str]:
    value = meta.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise FormatError(f"'{key}' is not a list of names")
    return [str(v).strip() for v in value if str(v).strip()]


def hidden_state(meta: dict) -> tuple[bool | None, str]:
    """The optional `hidden: true` and `hidden_reason` keys (None when not given)."""
    hidden = meta.get("hidden")
    if hidden is not None and not isinstance(hidden, bool):
        raise FormatError("'hidden' is not true or false")
    return hidden, optional_text(meta, "hidden_reason", 500) if hidden else ""


def to_date(value, key: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FormatError(f"'{key}' is not an ISO date (YYYY-MM-DD)") from None


def split_solution_body(body: str) -> SolutionSections:
    """Ausgangslage / Lösung / Ergebnis sections of a solution body.

    Text before the first known heading belongs to the situation; a body without any
    known heading is taken as the approach as a whole. Other headings stay inside the
    section they stand in, so export and import give the same text back.
    """
    matches = list(SECTION_LINE.finditer(body))
    sections = SolutionSections()
    if not matches:
        sections.approach = body.strip()
        return sections
    preamble = body[:matches[0].start()].strip()
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        name = SECTION_HEADINGS[match.group(1).lower()]
        text = body[match.end():end].strip()
        current = getattr(sections, name)
        setattr(sections, name, f"{current}\n\n{text}".strip() if current else text)
    if preamble:
        sections.situation = f"{preamble}\n\n{sections.situation}".strip()
    return sections


def join_solution_body(situation: str, approach: str, result: str) -> str:
    parts = []
    for name, text in (("situation", situation), ("approach", approach), ("result", result)):
        if text.strip():
            parts.append(f"## {SECTION_TITLES[name]}\n\n{text.strip()}")
    return "\n\n".join(parts)


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=100)


def write_document(meta: dict, body: str) -> str:
    return f"---\n{dump_yaml(meta)}---\n{body.strip()}\n"
