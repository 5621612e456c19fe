"""Member authorities: directory, profiles and their upkeep."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, Invalid
from ..extensions import db
from ..library.services import visible_solutions_of
from ..models import Authority, AuthorityKind, Question, Reuse, Solution, User
from ..records import audit, require
from ..models.unit_of_work import commit
from ..search.changes import record_change
from ..visibility import public_questions, public_solutions


FIELD_LABELS = {"name": _l("Name"), "kind": _l("Art"), "state": _l("Bundesland"),
                "population": _l("Einwohnerzahl"), "staff": _l("Beschäftigte"),
                "area_km2": _l("Fläche in km²"), "member_since": _l("Mitglied seit")}


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
    """Create (authority=None) or update an authority profile; audited.

    Only administrators rename. Raises NotAllowed, Invalid for an unknown kind or a
    name that another authority has (ignoring case), Conflict for a taken slug.
    """
    require(user, "authority.create" if authority is None else "authority.edit", authority)
    if authority is not None and fields.name != authority.name:
        require(user, "authority.rename", authority)
    if fields.kind not in set(AuthorityKind):
        raise Invalid(_("Unbekannte Art der Kommune."), "kind")
    namesake = db.session.scalar(select(Authority).where(
        func.lower(Authority.name) == fields.name.strip().lower()))
    if namesake is not None and namesake is not authority:
        raise Invalid(_("Eine Kommune mit diesem Namen gibt es schon."), "name")
    clash = db.session.scalar(select(Authority).filter_by(slug=fields.slug))
    if clash is not None and clash is not authority:
        raise Conflict(_("Eine Kommune mit dieser Kurzbezeichnung gibt es schon."))
    if authority is None:
        authority = Authority(slug=fields.slug)
        db.session.add(authority)
    elif authority.slug != fields.slug:
        raise Invalid(_("Die Kurzbezeichnung kann nicht geändert werden."), "slug")
    population_changed = authority.population != fields.population or authority.kind != fields.kind
    changes = [f"{FIELD_LABELS[name]}: {_shown(getattr(authority, name))} → {_shown(value)}"
               for name, value in vars(fields).items()
               if name in FIELD_LABELS and getattr(authority, name) != value]
    created = authority.id is None
    for name, value in vars(fields).items():
        setattr(authority, name, value)
    if created:
        audit(user, "authority.create", authority)
    elif changes:
        audit(user, "authority.edit", authority, "; ".join(changes))
    if population_changed and authority.id is not None:
        # Search filters by kind and population band: refresh this authority's posts.
        record_change(*db.session.scalars(select(Question).filter_by(authority_id=authority.id)),
                      *db.session.scalars(select(Solution).filter_by(authority_id=authority.id)))
    commit()
    return authority


def _shown(value) -> str:
    return "–" if value is None or value == "" else str(value)


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
        .options(selectinload(Reuse.solution).selectinload(Solution.authority),
                 selectinload(Reuse.recorded_by))
        .order_by(Reuse.created_at.desc()))
    return {"questions": list(questions), "solutions": list(solutions), "reuses": list(reuses)}
