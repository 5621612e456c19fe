"""No 500 from bad input: NUL bytes and numbers beyond the integer range in every path
parameter and query parameter of every route, a Range past the end of a static file, and
the error page after a database error."""
import re

import pytest
from kitu_exchange.extensions import db
from tests.conftest import csrf_token

HUGE = "99999999999999999999999"
NUL = "a\x00b"
# Every query parameter a view reads (grep request.args); extra ones are ignored.
QUERY_NAMES = ["q", "page", "thema", "status", "art", "sortierung", "kommune", "kommunenart",
               "groesse", "geloest", "best", "anzeigen", "schlagwort", "titel", "text", "a",
               "b", "aktion", "person", "next", "von", "bis"]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        yield rule, methods


def _url(rule, value_for) -> str:
    """The rule's path with each converter filled by value_for(converter name)."""
    def fill(match):
        converter = match.group(1) or "default"
        return value_for(converter.split("(")[0])
    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?[a-z_]+>", fill, rule.rule)


@pytest.fixture
def admin_client(client, auth, make_user):
    auth.login(make_user("admin@musterstadt.example", role="admin"))
    return client


def _request(client, method, url, **kwargs):
    if method == "POST":
        return client.post(url, data={"csrf_token": csrf_token(client, "/"), "text": NUL,
                                      "body": NUL, "topics": NUL, "decision": NUL},
                           **kwargs)
    return client.open(url, method=method, **kwargs)


@pytest.mark.parametrize("bad", ["nul", "huge"])
def test_path_parameters_never_give_500(app, admin_client, bad):
    seen = 0
    for rule, methods in _routes(app):
        if not rule.arguments:
            continue
        url = _url(rule, lambda kind: HUGE if kind == "int" else (
            "x" if bad == "huge" else "a%00b"))
        if bad == "nul" and "%00" not in url:
            url = _url(rule, lambda kind: "a%00b")  # int rules: a NUL where the id goes
        for method in methods:
            response = _request(admin_client, method, url)
            seen += 1
            assert response.status_code in (400, 404, 405), (method, url,
                                                                response.status_code)
            assert "Interner Fehler" not in response.get_data(as_text=True)
    assert seen > 20


@pytest.mark.parametrize("value", [NUL, HUGE, "-" + HUGE])
def test_query_parameters_never_give_500(app, admin_client, value):
    query = {name: value for name in QUERY_NAMES}
    seen = 0
    for rule, methods in _routes(app):
        if rule.arguments or "GET" not in methods:
            continue
        response = admin_client.get(rule.rule, query_string=query)
        seen += 1
        assert response.status_code in (200, 302, 400, 404), (rule.rule, response.status_code)
    assert seen > 10


def test_nul_in_a_checkbox_value_is_a_clear_error(admin_client, make_topic):
    make_topic()
    response = admin_client.post("/fragen/neu", data={
        "csrf_token": csrf_token(admin_client, "/fragen/neu"),
        "title": "Drucker vereinheitlichen, aber wie?", "body": "Wir haben 40 Modelle.",
        "topics": "drucker\x00kopierer"})
    assert response.status_code in (200, 400)
    assert "Drucker vereinheitlichen" in response.get_data(as_text=True)


def test_range_past_the_end_of_a_static_file_is_416(client):
    response = client.get("/static/css/app.css", headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416


def test_error_page_after_a_database_error_is_the_german_page(app, client, auth, make_user):
    """A unique violation leaves the session needing a rollback; the error page still
    renders current_user, in German."""
    email = make_user()

    @app.route("/_test/doppelt")
    def duplicate_account():
        from kitu_exchange.models import User
        user = db.session.query(User).filter_by(email=email).one()
        db.session.add(User(email=email, name="Doppelt", authority_id=user.authority_id))
        db.session.flush()  # raises IntegrityError
        return "unreachable"

    auth.login(email)
    response = client.get("/_test/doppelt")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Interner Fehler" in page and "Erika Mustermann" in page
