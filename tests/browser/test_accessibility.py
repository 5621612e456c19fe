"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, with content on them.

The checks only read pages (the error cases submit forms that fail validation and store
nothing), so they share one database and one server for the module: starting the app
per page would triple the run time. The data is made with the same service calls the
factory fixtures use; `live_server` below overrides the per-test one of conftest.py.
"""
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import expect

from kitu_exchange import create_app
from kitu_exchange.auth import services as accounts
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.mail.preferences import unsubscribe_token
from kitu_exchange.models import Authority, Role, Topic
from kitu_exchange.search.index import ensure_index
from tests.browser.conftest import SECRET_KEY, assert_accessible, serve, sign_in
from tests.conftest import PASSWORD, base_config, fresh_database_url

pytestmark = pytest.mark.browser

ASKER = "anna.asker@musterstadt.example"


@dataclass
class Site:
    url: str
    question: int
    solved: int
    solution: str
    unsubscribe: str


def make_content() -> dict:
    """Two authorities with questions, replies, a best practice and a re-use."""
    db.session.add_all([
        Authority(slug="musterstadt", name="Stadt Musterstadt", kind="Stadt",
                  population=21_500, staff=310, area_km2=48.2, member_since=date(2019, 3, 1)),
        Authority(slug="beispielhausen", name="Landkreis Beispielhausen", kind="Landkreis",
                  population=180_000, staff=1_450, area_km2=1_210.5,
                  member_since=date(2021, 1, 1)),
        Topic(slug="drucker-kopierer", name="Drucker und Kopierer", description=""),
        Topic(slug="e-rechnung", name="E-Rechnung",
              description="Empfang und Verarbeitung elektronischer Rechnungen."),
    ])
    db.session.commit()
    asker = accounts.create_user(ASKER, "Anna Asker", "musterstadt", Role.MEMBER, PASSWORD)
    helper = accounts.create_user("bernd.helfer@beispielhausen.example", "Bernd Helfer",
                                  "beispielhausen", Role.MODERATOR, PASSWORD)
    question = forum.ask_question(
        asker, "Wie vereinheitlichen wir unsere Drucker?",
        "Wir haben 40 verschiedene Druckermodelle im Rathaus.", ["drucker-kopierer"],
        "drucker, managed-print")
    forum.add_reply(helper, question.id, "Wir haben **Managed Print** eingeführt:\n\n"
                    "- ein Rahmenvertrag\n- ein Gerätetyp pro Etage")
    solved = forum.ask_question(asker, "Wer nimmt XRechnungen per Workflow an?",
                                "Seit Januar kommen XRechnungen per E-Mail.",
                                ["e-rechnung"], "xrechnung")
    forum.accept_reply(asker, forum.add_reply(helper, solved.id,
                                              "Über den Rechnungseingang des Landes."))
    solution = library.create_solution(helper, library.SolutionFields(
        title="Managed Print für die ganze Verwaltung", status="best_practice",
        situation="40 Druckermodelle in 12 Gebäuden.",
        approach="Wir haben alle Arbeitsplatzdrucker durch Multifunktionsgeräte ersetzt.",
        result="30 % weniger Kosten.", costs="ca. 20.000 € im Jahr", effort="6 Monate",
        contact="IT-Service, it@beispielhausen.example", topics=["drucker-kopierer"],
        tags="managed-print"))
    library.record_reuse(asker, solution, "in_progress", "Wir übernehmen den Rahmenvertrag.")
    return {"question": question.id, "solved": solved.id, "solution": solution.slug,
            "unsubscribe": unsubscribe_token(asker, "digest")}


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory, _browser_requirements):
    folder = tmp_path_factory.mktemp("accessibility")
    config = base_config(fresh_database_url(migrated_database, folder), folder / "index")
    app = create_app({**config, "SECRET_KEY": SECRET_KEY})  # the live server's
    try:
        with app.app_context():
            ensure_index()
            content = make_content()
    finally:
        with app.app_context():
            db.engine.dispose()
    with serve(config, folder / "live_server.log") as url:
        yield Site(url=url, **content)


@pytest.fixture
def live_server(site):
    return site.url


@pytest.fixture(scope="module")
def asker_state(site, browser):
    """The cookies of ASKER, signed in once through the form."""
    context = browser.new_context(base_url=site.url)
    try:
        sign_in(context.new_page(), site.url, ASKER)
        return context.storage_state()
    finally:
        context.close()


def submit_empty(button):
    def action(page):
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text("Bitte prüfen Sie Ihre Eingaben.")).to_be_visible()
    return action


# (name, path, signed in, what to do on the page before the check)
PAGES = [
    ("home", "/", True, None),
    ("sign-in", "/anmelden", False, None),
    ("sign-in-errors", "/anmelden", False, submit_empty("Anmelden")),
    ("forgot-password", "/passwort-vergessen", False, None),
    ("forgot-password-errors", "/passwort-vergessen", False, submit_empty("Link anfordern")),
    ("unsubscribe", "/abbestellen/{unsubscribe}", False, None),
    ("questions", "/fragen", True, None),
    ("question", "/fragen/{question}", True, None),
    ("question-solved", "/fragen/{solved}", True, None),
    ("ask", "/fragen/neu", True, None),
    ("ask-errors", "/fragen/neu", True, submit_empty("Frage veröffentlichen")),
    ("library", "/loesungen", True, None),
    ("solution", "/loesungen/{solution}", True, None),
    ("authorities", "/kommunen", True, None),
    ("topics", "/themen", True, None),
    ("accessibility-statement", "/barrierefreiheit", False, None),
    ("account-settings", "/konto/", True, None),
    ("devices", "/konto/geraete", True, None),
    ("second-factor-setup", "/konto/zwei-faktor", True, None),
    ("second-factor-setup-errors", "/konto/zwei-faktor", True, submit_empty("Einschalten")),
    ("history", "/verlauf/question/{question}", True, None),
    ("delete-account", "/konto/loeschen", True, None),
    ("delete-account-errors", "/konto/loeschen", True, submit_empty("Konto endgültig löschen")),
]


@pytest.mark.parametrize("path, signed_in, action",
                         [pytest.param(*rest, id=name) for name, *rest in PAGES])
def test_no_axe_violations(site, asker_state, new_page, browser_errors, axe, path, signed_in,
                           action):
    page = new_page(asker_state if signed_in else None)
    response = page.goto(path.format(**vars(site)))
    assert response is not None and response.ok, f"{path}: HTTP {response.status}"
    if action:
        action(page)
    axe(page)
    assert not browser_errors


def test_no_axe_violations_after_sign_in(site, page, browser_errors, axe):
    """The page signing in leads to: home, with the success message."""
    sign_in(page, site.url, ASKER)
    axe(page)
    assert not browser_errors


def test_axe_helper_reports_violations(browser):
    """The check itself works: a page with known faults fails with a readable message."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html lang="de"><title>Test</title><main>'
                         '<img src="data:,"><label>Name</label><input id="name">'
                         '<p style="color:#bbb">Kaum lesbar</p></main></html>')
        with pytest.raises(AssertionError) as failure:
            assert_accessible(page)
    finally:
        context.close()
    message = str(failure.value)
    for expected in ("image-alt (critical)", "label (critical)", "color-contrast (serious)",
                     "<img src=\"data:,\">", "  - img"):
        assert expected in message, message
