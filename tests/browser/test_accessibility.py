"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, with content on them."""
from datetime import date

import pytest
from playwright.sync_api import expect

from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.models import Reply, Role, Solution, User
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

ASKER = "anna.asker@musterstadt.example"


@pytest.fixture
def site(app, make_authority, make_topic, make_user, make_question, make_reply,
         make_solution):
    """Two authorities with content; the pages are seen by ASKER (Musterstadt)."""
    make_authority("musterstadt", "Stadt Musterstadt", population=21_500, staff=310,
                   area_km2=48.2, member_since=date(2019, 3, 1))
    make_authority("beispielhausen", "Landkreis Beispielhausen", kind="Landkreis",
                   population=180_000, staff=1_450, area_km2=1_210.5,
                   member_since=date(2021, 1, 1))
    make_topic()
    make_topic("e-rechnung", "E-Rechnung")
    asker = make_user(ASKER, authority="musterstadt", name="Anna Asker")
    helper = make_user("bernd.helfer@beispielhausen.example", authority="beispielhausen",
                       name="Bernd Helfer", role=Role.MODERATOR)
    open_question = make_question(asker, tags="drucker, managed-print")
    make_reply(helper, open_question, "Wir haben **Managed Print** eingeführt:\n\n"
               "- ein Rahmenvertrag\n- ein Gerätetyp pro Etage")
    solved_question = make_question(asker, "Wer nimmt XRechnungen per Workflow an?",
                                    "Seit Januar kommen XRechnungen per E-Mail.",
                                    topics=["e-rechnung"], tags="xrechnung")
    accepted = make_reply(helper, solved_question, "Über den Rechnungseingang des Landes.")
    solution = make_solution(
        helper, status="best_practice", situation="40 Druckermodelle in 12 Gebäuden.",
        result="30 % weniger Kosten.", costs="ca. 20.000 € im Jahr", effort="6 Monate",
        contact="IT-Service, it@beispielhausen.example")
    with app.app_context():
        user = db.session.query(User).filter_by(email=ASKER).one()
        forum.accept_reply(user, db.session.get(Reply, accepted))
        library.record_reuse(user, db.session.query(Solution).filter_by(slug=solution).one(),
                             "in_progress", "Wir übernehmen den Rahmenvertrag.")
    return {"question": open_question, "solved": solved_question, "solution": solution}


def submit_empty(page):
    page.get_by_role("button", name="Frage veröffentlichen").click()
    expect(page.get_by_text("Bitte prüfen Sie Ihre Eingaben.")).to_be_visible()


def submit_empty_sign_in(page):
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_text("Bitte prüfen Sie Ihre Eingaben.")).to_be_visible()


# (name, path, signed in, what to do on the page before the check); path None: the page
# that signing in leads to (the home page, with the success message).
PAGES = [
    ("home", None, True, None),
    ("sign-in", "/anmelden", False, None),
    ("sign-in-errors", "/anmelden", False, submit_empty_sign_in),
    ("questions", "/fragen", True, None),
    ("question", "/fragen/{question}", True, None),
    ("question-solved", "/fragen/{solved}", True, None),
    ("ask", "/fragen/neu", True, None),
    ("ask-errors", "/fragen/neu", True, submit_empty),
    ("library", "/loesungen", True, None),
    ("solution", "/loesungen/{solution}", True, None),
    ("authorities", "/kommunen", True, None),
    ("topics", "/themen", True, None),
]


@pytest.mark.parametrize("path, signed_in, action",
                         [pytest.param(*rest, id=name) for name, *rest in PAGES])
def test_no_axe_violations(live_server, page, site, axe, path, signed_in, action):
    if signed_in:
        sign_in(page, live_server, ASKER)
    if path is not None:
        response = page.goto(path.format(**site))
        assert response is not None and response.ok, f"{path}: HTTP {response.status}"
    if action:
        action(page)
    axe(page)


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
