"""Imprint, privacy statement and accessibility statement: shipped defaults that
administrators replace with their own text."""
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import LegalPage, User, utcnow
from ..models.unit_of_work import commit
from ..moderation.services import audit
from ..records import require
from ..rendering import render_markdown

LEGAL_TITLES = {"impressum": _l("Impressum"), "datenschutz": _l("Datenschutzerklärung"),
                "barrierefreiheit": _l("Erklärung zur Barrierefreiheit")}
DEFAULTS = Path(__file__).parent / "legal_texts"


@cache
def default_text(slug: str) -> str:
    return (DEFAULTS / f"{slug}.md").read_text(encoding="utf-8")


@cache
def _default_html(slug: str) -> str:
    return render_markdown(default_text(slug))


def _known(slug: str) -> str:
    if slug not in LEGAL_TITLES:
        raise NotFound()
    return slug


def saved_page(slug: str) -> LegalPage | None:
    return db.session.scalar(select(LegalPage).filter_by(slug=_known(slug)))


def page_html(slug: str) -> str:
    """The page's HTML: the administrators' text, or the shipped default until they save one."""
    page = saved_page(slug)
    return page.body_html if page else _default_html(slug)


def current_text(slug: str) -> str:
    page = saved_page(slug)
    return page.body if page else default_text(slug)


def save_legal_page(admin: User, slug: str, body: str) -> LegalPage:
    """Store an administrator's Markdown text for a legal page; audited.

    Raises NotAllowed for anyone but administrators, NotFound for an unknown page.
    """
    require(admin, "legal.edit")
    page = saved_page(slug) or LegalPage(slug=slug)
    page.body, page.body_html = body, render_markdown(body)
    page.updated_at, page.updated_by = utcnow(), admin
    db.session.add(page)
    db.session.flush()
    audit(admin, "legal_page.edit", page)
    commit()
    return page
