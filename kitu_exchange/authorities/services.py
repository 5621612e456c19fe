"""Member authorities: directory, profiles and their upkeep."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..errors import Conflict, Invalid
from ..extensions import db
from ..library.services import visible_solutions_of
from ..models import (POPULATION_BANDS, SOFTWARE_FIELDS, Authority, AuthorityContact,
                      AuthorityKind, AuthoritySoftware, Question, Reuse, Solution, User,
                      utcnow)
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


@dataclass
class DirectoryFilter:
    kind: str | None = None             # AuthorityKind value
    size: str | None = None             # POPULATION_BANDS key
    software: str | None = None         # text in a product or provider name
    field: str | None = None            # SOFTWARE_FIELDS key

    @property
    def active(self) -> int:
        return sum(1 for value in vars(self).values() if value)


def _population_in_band(band: str):
    if band == "lt10k":
        return or_(Authority.population.is_(None), Authority.population < 10_000)
    if band == "10k-50k":
        return Authority.population.between(10_000, 50_000)
    return Authority.population > 50_000


def _contains(column, text: str):
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def directory(filters: DirectoryFilter | None = None) -> list[Authority]:
    """Member authorities (not the association's office), filtered by kind, size band
    and software in use ("Wer nutzt auch …?"), with their software loaded."""
    filters = filters or DirectoryFilter()
    query = (select(Authority).where(Authority.is_member.is_(True))
             .options(selectinload(Authority.software)).order_by(Authority.name))
    if filters.kind:
        query = query.where(Authority.kind == filters.kind)
    if filters.size in POPULATION_BANDS:
        query = query.where(_population_in_band(filters.size))
    if filters.software or filters.field:
        conditions = []
        if filters.software:
            conditions.append(or_(_contains(AuthoritySoftware.product, filters.software),
                                  _contains(AuthoritySoftware.provider, filters.software)))
        if filters.field:
            conditions.append(AuthoritySoftware.field == filters.field)
        query = query.where(Authority.software.any(and_(*conditions)))
    return list(db.session.scalars(query))


def software_names() -> list[str]:
    """Products and providers members have listed, for the directory's suggestions."""
    products = db.session.scalars(select(AuthoritySoftware.product).distinct())
    providers = db.session.scalars(select(AuthoritySoftware.provider).distinct()
                                   .where(AuthoritySoftware.provider != ""))
    return sorted({*products, *providers}, key=str.lower)


# -- contacts and software in use ------------------------------------------------------

@dataclass
class ContactFields:
    role: str
    email: str = ""
    phone: str = ""
    note: str = ""


def save_contact(user: User, authority: Authority, contact: AuthorityContact | None,
                 fields: ContactFields) -> AuthorityContact:
    """Add (contact=None) or change a functional contact of the authority.

    Members of the authority and administrators; audited. Raises NotAllowed, Invalid
    without a mailbox or phone.
    """
    require(user, "authority.edit", authority)
    if not fields.email and not fields.phone:
        raise Invalid(_("Bitte geben Sie ein Funktionspostfach oder eine Telefonnummer an."),
                      "email")
    created = contact is None
    if contact is None:
        contact = AuthorityContact(authority=authority)
        db.session.add(contact)
    contact.role, contact.email = fields.role, fields.email
    contact.phone, contact.note = fields.phone, fields.note
    contact.updated_at = utcnow()
    audit(user, "authority.edit", authority,
          (_("Ansprechperson hinzugefügt: %(role)s", role=fields.role) if created
           else _("Ansprechperson geändert: %(role)s", role=fields.role)))
    commit()
    return contact


def remove_contact(user: User, authority: Authority, contact: AuthorityContact) -> None:
    require(user, "authority.edit", authority)
    audit(user, "authority.edit", authority,
          _("Ansprechperson entfernt: %(role)s", role=contact.role))
    authority.contacts.remove(contact)
    commit()


def save_software(user: User, authority: Authority, entry: AuthoritySoftware | None,
                  field: str, product: str, provider: str = "") -> AuthoritySoftware:
    """Add (entry=None) or change a software or service provider the authority uses.

    Raises NotAllowed, Invalid for an unknown field.
    """
    require(user, "authority.edit", authority)
    if field not in SOFTWARE_FIELDS:
        raise Invalid(_("Bitte wählen Sie einen Bereich."), "field")
    created = entry is None
    if entry is None:
        entry = AuthoritySoftware(authority=authority)
        db.session.add(entry)
    entry.field, entry.product, entry.provider = field, product, provider
    entry.updated_at = utcnow()
    audit(user, "authority.edit", authority,
          (_("Software hinzugefügt: %(product)s", product=product) if created
           else _("Software geändert: %(product)s", product=product)))
    commit()
    return entry


def remove_software(user: User, authority: Authority, entry: AuthoritySoftware) -> None:
    require(user, "authority.edit", authority)
    audit(user, "authority.edit", authority,
          _("Software entfernt: %(product)s", product=entry.product))
    authority.software.remove(entry)
    commit()


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
