"""Hidden and unpublished content never reaches a member of another authority.

One hidden question, one hidden reply on a visible question, and solutions that are a
draft, submitted, sent back, archived, hidden after re-use, and a draft promoted from a
question each carry a unique marker word. A member of another authority then follows
every same-site link from the home page (breadth-first, bounded), plus the directory,
topics, library, the search for each marker, the similar-cases panel and the history
page of every visible post: no marker may appear anywhere.
"""
import re
from collections import deque
from urllib.parse import urlencode, urljoin, urlsplit, parse_qsl

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.library.services import record_reuse
from kitu_exchange.models import Question, Reply, Solution, User
from kitu_exchange.moderation import services as moderation
from tests.conftest import csrf_token, factory_moderator

AUTHOR = "autorin@musterstadt.example"
THIRD = "dritte@drittort.example"
CRAWLER = "leser@nachbarort.example"
MARKERS = {
    "hidden_question": "Geheimwortalpha",
    "hidden_reply": "Geheimwortbeta",
    "draft": "Geheimwortgamma",
    "archived": "Geheimwortdelta",
    "submitted": "Geheimwortepsilon",
    "sent_back": "Geheimwortzeta",
    "promoted_draft": "Geheimworteta",
    "hidden_reused": "Geheimworttheta",
}
CONTROL = "Geheimwortkontrolle"  # in no post: the search page's echo of a query
MAX_PAGES = 1500
HREF = re.compile(r'href="([^"]+)"')


def _user(email: str) -> User:
    return db.session.scalar(select(User).filter_by(email=email))


def _solution(slug: str) -> Solution:
    return db.session.scalar(select(Solution).filter_by(slug=slug))


@pytest.fixture
def world(app, make_user, make_topic, make_question, make_reply, make_solution):
    make_topic("drucker-kopierer", "Drucker und Kopierer")
    make_topic("e-rechnung", "E-Rechnung")
    make_user(AUTHOR, authority="musterstadt", name="Anna Autorin")
    make_user(THIRD, authority="drittort", name="Dora Dritte")
    make_user(CRAWLER, authority="nachbarort", name="Lars Leser")

    def text(marker: str) -> dict:
        return {"title": f"Vertraulich {marker} Vorgang",
                "body": f"Interna: {marker} bitte nicht weitergeben."}

    # Visible content, so that the crawl has somewhere to go.
    visible = make_question(AUTHOR, title="Welche Drucker nutzt ihr im Bürgeramt?",
                            body="Wir suchen robuste Geräte.", tags="drucker")
    make_reply(THIRD, visible, "Wir nutzen Multifunktionsgeräte im Leasing.")
    own = make_question(CRAWLER, title="Wie empfangt ihr E-Rechnungen?",
                        body="Über welches Portal?", topics=["e-rechnung"])
    make_reply(AUTHOR, own, "Über die Plattform des Landes.")
    make_solution(AUTHOR, title="Managed Print im Rathaus")
    make_solution(THIRD, title="E-Rechnung mit dem Landesportal", status="best_practice",
                  topics=["e-rechnung"])
    make_solution(CRAWLER, title="Eigene Lösung der Leserin")

    hidden_question = make_question(AUTHOR, **text(MARKERS["hidden_question"]))
    hidden_reply = make_reply(THIRD, visible, text(MARKERS["hidden_reply"])["body"])
    slugs = {status: make_solution(AUTHOR, status=status,
                                   title=text(MARKERS[status])["title"],
                                   approach=text(MARKERS[status])["body"])
             for status in ("draft", "archived", "submitted")}
    slugs["sent_back"] = make_solution(AUTHOR, title=text(MARKERS["sent_back"])["title"],
                                       approach=text(MARKERS["sent_back"])["body"])
    slugs["hidden_reused"] = make_solution(
        AUTHOR, title=text(MARKERS["hidden_reused"])["title"],
        approach=text(MARKERS["hidden_reused"])["body"])
    solved = make_question(AUTHOR, title="Gelöste Frage zu Kopierern",
                           body="Wie zählt ihr Kopien ab?")
    accepted = make_reply(THIRD, solved, "Mit Kostenstellen-PINs.")
    duplicate = make_question(THIRD, title="Doppelte Frage zu Kopierern", body="Siehe oben.")

    with app.app_context():
        moderator = factory_moderator()
        author = _user(AUTHOR)
        record_reuse(_user(THIRD), _solution(slugs["hidden_reused"]), "in_use", "")
        record_reuse(_user(THIRD), _solution(slugs["sent_back"]), "planned", "")
        moderation.close_as_duplicate(moderator, db.session.get(Question, duplicate),
                                      hidden_question, "")
        moderation.hide_post(moderator, db.session.get(Question, hidden_question), "Test")
        moderation.hide_post(moderator, db.session.get(Reply, hidden_reply), "Test")
        moderation.hide_post(moderator, _solution(slugs["hidden_reused"]), "Test")
        moderation.review_solution(moderator, _solution(slugs["sent_back"]), "send_back",
                                   "Bitte überarbeiten")
        from kitu_exchange.forum.services import accept_reply
        accept_reply(author, db.session.get(Reply, accepted))
        promoted = moderation.question_to_solution(author, db.session.get(Question, solved))
        promoted.title = text(MARKERS["promoted_draft"])["title"]
        promoted.approach = text(MARKERS["promoted_draft"])["body"]
        db.session.commit()
        slugs["promoted_draft"] = promoted.slug
    return {"hidden_question": hidden_question, "hidden_reply": hidden_reply,
            "solutions": slugs}


def same_site_links(base: str, html: str) -> list[str]:
    links = []
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "kitu.test"):
            continue
        if parts.path.startswith(("/static/", "/abmelden")):
            continue
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        links.append(parts.path + (f"?{query}" if query else ""))
    return links


def crawl(client, start: list[str]) -> dict[str, tuple[int, str]]:
    """GET every page reachable from `start`; {url: (status, body)}."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        body = response.get_data(as_text=True)
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302, 303):
            queue.append(same_site_links(url, f'href="{response.headers["Location"]}"')[0])
        elif response.mimetype == "text/html":
            queue.extend(link for link in same_site_links(url, body) if link not in seen)
    return seen


def similar_panel(client, text: str):
    """The similar-cases panel for a draft: POST (text in the body), else GET."""
    response = client.post("/fragen/aehnliche", data={
        "csrf_token": csrf_token(client, "/fragen/neu"), "titel": text, "text": text})
    if response.status_code == 405:
        response = client.get("/fragen/aehnliche", query_string={"titel": text, "text": text})
    assert response.status_code == 200
    return response


def leaks(body: str) -> list[str]:
    lowered = body.lower()
    return [marker for marker in MARKERS.values() if marker.lower() in lowered]


def test_no_marker_reaches_a_member_of_another_authority(app, client, auth, world):
    assert auth.login(CRAWLER).status_code == 302
    pages = crawl(client, ["/", "/kommunen", "/themen", "/loesungen", "/fragen",
                           "/best-practice", "/suche?q=Drucker", "/suche?q=Rechnung"])

    with app.app_context():
        visible_questions = (Question.hidden_at.is_(None), Question.deleted_at.is_(None))
        history = [f"/verlauf/question/{pk}" for pk in db.session.scalars(
            select(Question.id).where(*visible_questions))]
        history += [f"/verlauf/reply/{pk}" for pk in db.session.scalars(
            select(Reply.id).join(Reply.question).where(Reply.hidden_at.is_(None),
                                                        *visible_questions))]
        history += [f"/verlauf/solution/{pk}" for pk in db.session.scalars(
            select(Solution.id).where(Solution.hidden_at.is_(None), Solution.status.in_(
                ["published", "best_practice"])))]
        assert len(history) == 10
    for url in history:
        response = client.get(url)
        pages[url] = (response.status_code, response.get_data(as_text=True))

    found = {url: leaks(body) for url, (_, body) in pages.items() if leaks(body)}
    assert not found, found
    assert not [url for url, (status, _) in pages.items() if status >= 500]
    ok = [url for url, (status, _) in pages.items() if status == 200]
    assert len(ok) >= 50, "\n".join(f"{s} {u}" for u, (s, _) in sorted(pages.items()))
    print(f"crawled {len(pages)} pages, {len(ok)} with status 200")  # the crawl really went somewhere
    for expected in ("/kommunen/musterstadt", "/kommunen/drittort", "/themen/drucker-kopierer",
                     "/loesungen/managed-print-im-rathaus"):
        assert expected in ok, expected
    # The duplicate of the hidden question and the source of the promoted draft were seen.
    titles = " ".join(body for url, (status, body) in pages.items() if url.startswith("/fragen/"))
    assert "Doppelte Frage zu Kopierern" in titles and "Gelöste Frage zu Kopierern" in titles

    # Search: the page echoes the query, so compare with a word that is in no post.
    control = client.get("/suche", query_string={"q": CONTROL}).get_data(as_text=True)
    echoes = control.count(CONTROL)
    assert echoes >= 1 and not leaks(control)
    for marker in MARKERS.values():
        html = client.get("/suche", query_string={"q": marker}).get_data(as_text=True)
        assert html.count(marker) == echoes, marker
        assert not [other for other in leaks(html) if other != marker]
        assert not leaks(similar_panel(client, f"{marker} Vorgang Interna").get_data(
            as_text=True))


def test_hidden_and_unpublished_posts_answer_404(app, client, auth, world):
    auth.login(CRAWLER)
    question, reply = world["hidden_question"], world["hidden_reply"]
    urls = [f"/fragen/{question}", f"/fragen/{question}/bearbeiten",
            f"/verlauf/question/{question}", f"/verlauf/reply/{reply}",
            f"/melden/reply/{reply}", f"/melden/question/{question}"]
    urls += [f"/loesungen/{slug}" for slug in world["solutions"].values()]
    with app.app_context():
        urls += [f"/verlauf/solution/{_solution(slug).id}"
                 for slug in world["solutions"].values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert not leaks(response.get_data(as_text=True)), url
