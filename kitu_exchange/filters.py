"""Active filters of a list or search page, so that none is a dead end: each active
filter becomes a chip that removes it, and one link resets them all."""
from collections.abc import Mapping
from dataclasses import dataclass

from flask import request, url_for


@dataclass(frozen=True)
class ActiveFilter:
    label: str        # "Themenfeld"
    value: str        # "E-Rechnung", as the page names it
    remove_url: str   # the same page without this filter (and on its first page)


def active_filters(endpoint: str, shown: list[tuple[str, str, Mapping]],
                   defaults: Mapping[str, str] | None = None,
                   **view_args) -> list[ActiveFilter]:
    """The filters among `shown` (parameter, label, names of values) that the request
    sets to something else than their default. A value that is not in `names` is shown
    as it came (an unknown one is still a filter that finds nothing and must be
    removable)."""
    found = []
    for param, label, names in shown:
        value = request.args.get(param, "").strip()
        if value and value != (defaults or {}).get(param):
            rest = {key: values for key, values in request.args.lists()
                    if key not in (param, "page")}
            found.append(ActiveFilter(label=str(label), value=str(names.get(value, value)),
                                      remove_url=url_for(endpoint, **view_args, **rest)))
    return found


def reset_url(endpoint: str, keep: tuple[str, ...] = (), **view_args) -> str:
    """The page without any filter; `keep` names parameters that are not filters (the
    search words, the sort order)."""
    kept = {key: values for key, values in request.args.lists() if key in keep}
    return url_for(endpoint, **view_args, **kept)
