"""A small site with content on every main page, served once per test module, for the
browser checks that only read (axe, layout at two widths) and for flows that use data
of their own on it.

Pages are checked on data made by the same service calls the factory fixtures use.
`serve_site()` is a module-scoped fixture body: on PostgreSQL every test's `app_config`
empties the one test database, so a module that uses a site must not also use the
per-test fixtures `app`, `client` or `live_server` of the other conftests.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from kitu_exchange import create_app
from kitu_exchange.auth import services as accounts
from kitu_exchange.authorities import services as authorities
from kitu_exchange.extensions import db
from kitu_exchange.feeds.tokens import create_feed_token
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.mail.preferences import unsubscribe_token
from kitu_exchange.models import Authority, Role, Topic, utcnow
from kitu_exchange.moderation import services as moderation
from kitu_exchange.search.index import ensure_index
from tests.browser.conftest import SECRET_KEY, serve, sign_in
from tests.conftest import PASSWORD, base_config, fresh_database_url, totp_secret_for

ASKER = "anna.asker@musterstadt.example"
HELPER = "bernd.helfer@beispielhausen.example"
MODERATOR = "mona.moderation@kitu.example"


@dataclass
class Site:
    url: str
    question: int      # open, with a reply
    solved: int        # solved
    solution: str      # a best practice with a re-use
    two_replies: int   # asked by ASKER, two replies, none accepted (for the accept flow)
    flag: int          # an open flag on the first question's reply
    duplicate: int     # a near-duplicate of the first question
    unsubscribe: str   # ASKER's digest unsubscribe token


def make_content() -> dict:
    """Two authorities and the association's office, questions, replies, a best practice,
    a re-use, a submitted solution and a flag (so the moderation queue has entries)."""
    db.session.add_all([
        Authority(slug="musterstadt", name="Stadt Musterstadt", kind="Stadt",
                  population=21_500, staff=310, area_km2=48.2, member_since=date(2019, 3, 1)),
        Authority(slug="beispielhausen", name="Landkreis Beispielhausen", kind="Landkreis",
                  population=180_000, staff=1_450, area_km2=1_210.5,
                  member_since=date(2021, 1, 1)),
        Authority(slug="kitu", name="KITU Geschäftsstelle", kind="Sonstige", is_member=False),
        Topic(slug="drucker-kopierer", name="Drucker und Kopierer", description=""),
        Topic(slug="e-rechnung", name="E-Rechnung",
              description="Empfang und Verarbeitung elektronischer Rechnungen."),
    ])
    db.session.commit()
    asker = accounts.create_user(ASKER, "Anna Asker", "musterstadt", Role.MEMBER, PASSWORD)
    helper = accounts.create_user(HELPER, "Bernd Helfer", "beispielhausen", Role.MODERATOR,
                                  PASSWORD)
    moderator = accounts.create_user(MODERATOR, "Mona Moderation", "kitu", Role.MODERATOR,
                                     PASSWORD)
    moderator.totp_secret, moderator.totp_enabled_at = totp_secret_for(MODERATOR), utcnow()
    db.session.commit()
    question = forum.ask_question(
        asker, "Wie vereinheitlichen wir unsere Drucker?",
        "Wir haben 40 verschiedene Druckermodelle im Rathaus. Wer hat `Managed Print` "
        "eingeführt?", ["drucker-kopierer"], "Drucker, managed-print")
    forum.add_reply(helper, question.id, "Wir haben **Managed Print** eingeführt:\n\n"
                    "- ein Rahmenvertrag\n- ein Gerätetyp pro Etage\n\n"
                    "```\nDruckerpool: 12 Geräte, 4 Etagen\n```")
    solved = forum.ask_question(asker, "Wer nimmt XRechnungen per Workflow an?",
                                "Seit Januar kommen XRechnungen per E-Mail.",
                                ["e-rechnung"], "XRechnung")
    forum.accept_reply(asker, forum.add_reply(helper, solved.id,
                                              "Über den Rechnungseingang des Landes."))
    two_replies = forum.ask_question(asker, "Wie archivieren wir E-Rechnungen revisionssicher?",
                                     "Welche Ablage nutzen Sie für XRechnungen?",
                                     ["e-rechnung"], "XRechnung, Archiv")
    forum.add_reply(helper, two_replies.id, "Wir legen sie im DMS ab.")
    forum.add_reply(moderator, two_replies.id, "Bei uns übernimmt das der Finanzdienstleister.")
    solution = library.create_solution(helper, library.SolutionFields(
        title="Managed Print für die ganze Verwaltung", status="submitted",
        situation="40 Druckermodelle in 12 Gebäuden.",
        approach="Wir haben alle Arbeitsplatzdrucker durch Multifunktionsgeräte ersetzt.",
        result="30 % weniger Kosten.", costs="ca. 20.000 € im Jahr", effort="6 Monate",
        contact="IT-Service, it@beispielhausen.example", topics=["drucker-kopierer"],
        tags="managed-print"))
    moderation.review_solution(moderator, solution, "best_practice", "")
    library.record_reuse(asker, solution, "in_progress", "Wir übernehmen den Rahmenvertrag.")
    library.create_solution(asker, library.SolutionFields(
        title="Rechnungseingang mit dem Landesportal", status="submitted",
        approach="Alle XRechnungen kommen über das Portal des Landes.",
        topics=["e-rechnung"], tags="XRechnung"))
    flag = moderation.flag_post(asker, question.replies[0], "outdated",
                                "Der Rahmenvertrag ist ausgelaufen.")
    # Issue 11, items 11-15: a profile with contacts and software, a near-duplicate.
    musterstadt = db.session.scalar(db.select(Authority).filter_by(slug="musterstadt"))
    authorities.save_contact(asker, musterstadt, None, authorities.ContactFields(
        role="IT-Leitung", email="it@musterstadt.example", phone="03946 905-100"))
    authorities.save_software(asker, musterstadt, None, "finance", "proDoppik", "H&H")
    duplicate = forum.ask_question(helper, "Drucker vereinheitlichen: wie geht das?",
                                   "Wir haben viele verschiedene Druckermodelle im Rathaus.",
                                   ["drucker-kopierer"], "drucker")
    create_feed_token(asker, "Feedreader im Büro")  # the settings list its feed addresses
    return {"question": question.id, "solved": solved.id, "solution": solution.slug,
            "two_replies": two_replies.id, "flag": flag.id, "duplicate": duplicate.id,
            "unsubscribe": unsubscribe_token(asker, "digest")}


@contextmanager
def serve_site(migrated_database, tmp_path_factory, name: str):
    """Make the content in a fresh database and serve it: yields a Site."""
    folder = tmp_path_factory.mktemp(name)
    config = base_config(fresh_database_url(migrated_database, folder), folder / "index")
    app = create_app({**config, "SECRET_KEY": SECRET_KEY})  # the live server's key
    try:
        with app.app_context():
            ensure_index()
            content = make_content()
    finally:
        with app.app_context():
            db.engine.dispose()
    with serve(config, folder / "live_server.log") as url:
        yield Site(url=url, **content)


def signed_in_state(browser, site: Site, email: str) -> dict:
    """The cookies of a person signed in once through the form (with the second factor
    for moderators): pass to new_page() to start signed in."""
    context = browser.new_context(base_url=site.url)
    try:
        sign_in(context.new_page(), site.url, email)
        return context.storage_state()
    finally:
        context.close()
