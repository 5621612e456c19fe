"""Member authorities: directory, profiles and their upkeep."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, Invalid
from ..extensions import db
from ..library.services import visible_solutions_of
from ..models import Authority, AuthorityKind, Question, Reuse, Solution, User
from ..records import require
from ..search.changes import commit, record_change
from ..visibility import public_questions, public_solutions


@dataclass
class AuthorityFields:
    slug: str
    name: str
    kind: str
    state: str = "Sachsen-Anhalt"
    population: int | None = None
    staff: int | None = None
    area_km2: float | None = None
    member_since: date | None = None


def directory() -> list[Authority]:
    return list(db.session.scalars(select(Authority).order_by(Authority.name)))


def save_authority(user: User, authority: Authority | None, fields: AuthorityFields) -> Authority:
    """Create (authority=None) or update an authority profile.

    Raises NotAllowed, Invalid for an unknown kind, Conflict for a taken slug.
    """
    require(user, "authority.create" if authority is None else "authority.edit", authority)
    if fields.kind not in set(AuthorityKind):
        raise Invalid(_("Unbekannte Art der Kommune."), "kind")
    clash = db.session.scalar(select(Authority).filter_by(slug=fields.slug))
    if clash is not None and clash is not authority:
        raise Conflict(_("Eine Kommune mit dieser Kurzbezeichnung gibt es schon."))
    if authority is None:
        authority = Authority(slug=fields.slug)
        db.session.add(authority)
    elif authority.slug != fields.slug:
        raise Invalid(_("Die Kurzbezeichnung kann nicht geändert werden."), "slug")
    population_changed = authority.population != fields.population or authority.kind != fields.kind
    for name, value in vars(fields).items():
        setattr(authority, name, value)
    if population_changed and authority.id is not None:
        # Search filters by kind and population band: refresh this authority's posts.
        record_change(*db.session.scalars(select(Question).filter_by(authority_id=authority.id)),
                      *db.session.scalars(select(Solution).filter_by(authority_id=authority.id)))
    commit()
    return authority


def profile(authority: Authority, user: User) -> dict:
    """What an authority's page lists: its questions, its solutions and its re-uses."""
    questions = db.session.scalars(
        select(Question).where(Question.authority_id == authority.id, public_questions())
        .options(selectinload(Question.authority), selectinload(Question.topics))
        .order_by(Question.created_at.desc()).limit(50))
    solutions = db.session.scalars(
        visible_solutions_of(user, Solution.authority_id == authority.id).limit(50))
    reuses = db.session.scalars(
        select(Reuse).join(Reuse.solution)
        .where(Reuse.authority_id == authority.id, public_solutions())
        .options(selectinload(Reuse.solution).selectinload(Solution.authority))
        .order_by(Reuse.created_at.desc()))
    return {"questions": list(questions), "solutions": list(solutions), "reuses": list(reuses)}
