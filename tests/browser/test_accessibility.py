"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, with content on them.

The checks only read pages (the error cases submit forms that fail validation and store
nothing), so they share one database and one server for the module: starting the app
per page would triple the run time. The data comes from tests/browser/site.py;
`live_server` below overrides the per-test one of conftest.py.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.site import ASKER, MODERATOR, serve_site, signed_in_state

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory, _browser_requirements):
    with serve_site(migrated_database, tmp_path_factory, "accessibility") as site:
        yield site


@pytest.fixture
def live_server(site):
    return site.url


@pytest.fixture(scope="module")
def asker_state(site, browser):
    """The cookies of ASKER, signed in once through the form."""
    return signed_in_state(browser, site, ASKER)


@pytest.fixture(scope="module")
def moderator_state(site, browser):
    """The cookies of MODERATOR (password and second factor), signed in once."""
    return signed_in_state(browser, site, MODERATOR)


def submit_empty(button):
    def action(page):
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.get_by_text("Bitte prüfen Sie Ihre Eingaben.")).to_be_visible()
    return action


def type_mention(page):
    page.get_by_label("Ihre Antwort").press_sequentially("Frage an @bern")
    expect(page.get_by_role("listbox", name="Personen erwähnen")).to_be_visible()


# (name, path, signed in (True: as ASKER, "moderator": as MODERATOR), what to do on the
# page before the check)
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
    # Issue 11, items 11-15.
    ("authority-profile", "/kommunen/musterstadt", True, None),
    ("authority-contacts", "/kommunen/musterstadt/ansprechpersonen", True, None),
    ("authority-contacts-errors", "/kommunen/musterstadt/ansprechpersonen", True,
     submit_empty("Speichern")),
    ("authority-software", "/kommunen/musterstadt/software", True, None),
    ("directory-filtered", "/kommunen?art=Stadt&groesse=10k-50k&software=doppik", True, None),
    ("directory-no-hits", "/kommunen?software=gibt-es-nicht", True, None),
    ("delete-question-confirm", "/fragen/{question}/loeschen", True, None),
    ("moderation-queue", "/moderation", "moderator", None),
    ("flag-decision", "/moderation/meldungen/{flag}", "moderator", None),
    ("flag-decision-errors", "/moderation/meldungen/{flag}", "moderator",
     submit_empty("Entscheidung speichern")),
    ("duplicate-choice", "/fragen/{duplicate}/duplikat?suche=Drucker", "moderator", None),
    ("deleted-questions", "/moderation/geloescht", "moderator", None),
    ("synonyms", "/moderation/synonyme", "moderator", None),
    ("notifications", "/benachrichtigungen", True, None),
    ("following", "/gefolgt", True, None),
    ("person", "/personen/bernd-helfer", True, None),
    ("mention-suggestions", "/fragen/{question}", True, type_mention),
]


@pytest.mark.parametrize("path, signed_in, action",
                         [pytest.param(*rest, id=name) for name, *rest in PAGES])
def test_no_axe_violations(site, asker_state, moderator_state, new_page, browser_errors, axe,
                           path, signed_in, action):
    page = new_page({True: asker_state, "moderator": moderator_state}.get(signed_in))
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
