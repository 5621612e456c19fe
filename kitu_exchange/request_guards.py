"""Input that no view should ever see: NUL bytes and numbers beyond the database's range.

PostgreSQL refuses NUL in text and both databases refuse integers past 64 bits, which
would surface as a 500 deep inside a query. These checks answer such requests before
any view runs, in one place, so a new route or parameter is covered without thought.
"""
import re

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

from .errors import render_error

# Row ids and page numbers fit a signed 32-bit integer (the smallest id column type).
INT_MAX = 2**31 - 1
# Query parameters that carry free text: a long number there is a search, not an id.
FREE_TEXT_ARGS = frozenset({"q", "titel", "text", "next"})
_INTEGER = re.compile(r"[+-]?\d+")


class DatabaseIntConverter(IntegerConverter):
    """`<int:…>` that matches only ids the database can hold; larger ones are a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def _out_of_range(value: str) -> bool:
    return bool(_INTEGER.fullmatch(value.strip())) and abs(int(value)) > INT_MAX


def register_request_guards(app: Flask) -> None:
    """Call before any blueprint is registered: the converter applies when rules compile."""
    app.url_map.converters["int"] = DatabaseIntConverter

    @app.before_request
    def refuse_unusable_input():
        if "\x00" in request.path:
            return render_error(404)
        # Nobody types NUL: drop it from every parameter, as the text fields already do.
        request.args = _without_nul(request.args)
        if request.method == "POST":
            request.form = _without_nul(request.form)
        if any(name not in FREE_TEXT_ARGS and _out_of_range(value)
               for name, value in request.args.items(multi=True)):
            return render_error(400)
        return None


def _without_nul(values: MultiDict) -> MultiDict:
    if not any("\x00" in name or "\x00" in value for name, value in values.items(multi=True)):
        return values
    return ImmutableMultiDict((name.replace("\x00", ""), value.replace("\x00", ""))
                              for name, value in values.items(multi=True))
