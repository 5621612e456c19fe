from datetime import date, datetime

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..authorities.services import directory
from ..filters import active_filters, reset_url
from ..text import clean_text
from ..models import POPULATION_BANDS
from ..web import AUTHORITY_KINDS
from ..topics.services import all_topics
from .index import start_poller
from .service import SORTS, SearchFilters, search_cases

bp = Blueprint("search", __name__)
# Each web process applies changes committed elsewhere within seconds (see index.py).
bp.before_app_request(start_poller)

MAX_QUERY = 500


def _date(name: str, errors: list[str]) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):  # German order first; ISO from old links
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    errors.append(_("Bitte geben Sie das Datum im Format TT.MM.JJJJ an, z. B. 01.03.2026."))
    return None


@bp.route("/suche")
def search():
    query = clean_text(request.args.get("q", ""))[:MAX_QUERY].strip()
    errors: list[str] = []
    solved = request.args.get("geloest")
    filters = SearchFilters(
        kind=request.args.get("art") or None,
        topic=request.args.get("thema") or None,
        authority=request.args.get("kommune") or None,
        authority_kind=request.args.get("kommunenart") or None,
        population_band=request.args.get("groesse") or None,
        solved={"ja": True, "nein": False}.get(solved),
        best_practice=request.args.get("best") == "1",
        date_from=_date("von", errors),
        date_to=_date("bis", errors),
    )
    sort = request.args.get("sortierung", "relevance")
    sort = sort if sort in SORTS else "relevance"
    page = request.args.get("page", 1, type=int) or 1
    results = search_cases(current_user, query, filters, sort, page) if query else None
    topics = {t.slug: t.name for t in all_topics()}
    authorities = {a.slug: a.name for a in directory()}
    active = active_filters("search.search", [
        ("art", _("Art"), {"question": _("Fragen"), "solution": _("Lösungen")}),
        ("thema", _("Themenfeld"), topics),
        ("kommune", _("Kommune"), authorities),
        ("kommunenart", _("Art der Kommune"), AUTHORITY_KINDS),
        ("groesse", _("Einwohnerzahl"), POPULATION_BANDS),
        ("geloest", _("Fragen"), {"ja": _("gelöst"), "nein": _("offen")}),
        ("best", _("Nur Best Practice"), {"1": _("ja")}),
        ("von", _("Von"), {}),
        ("bis", _("Bis"), {}),
    ])
    unfiltered = None
    if results and not results.total and not results.unavailable and active:
        # Zero hits with filters: say how many there are without them.
        unfiltered = search_cases(current_user, query, SearchFilters(), sort, 1).total
    return render_template(
        "search/results.html", query=query, results=results, filters=filters, sort=sort,
        errors=errors, topics=topics, authorities=authorities, active=active,
        reset=reset_url("search.search", keep=("q", "sortierung")), unfiltered=unfiltered)
