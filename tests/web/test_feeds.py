"""Atom feeds read with a personal feed token, as a feed reader reads them: through
feedparser, and checked against RFC 4287's structural rules with ElementTree."""
import hashlib
import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import feedparser
import pytest
from sqlalchemy import select

from kitu_exchange.admin import services as admin
from kitu_exchange.extensions import db
from kitu_exchange.models import (Authority, Base, FeedToken, Question, Reply, Solution, Tag,
                                  Topic, User)
from kitu_exchange.moderation import services as moderation
from tests.conftest import ADMIN, MOD, A, B, factory_moderator

ATOM = "{http://www.w3.org/2005/Atom}"
FEED_URL = re.compile(r'https?://[^/"\s<]+/feeds/([A-Za-z0-9_-]{43})/loesungen\.atom')
MARKDOWN_BODY = ("Wir haben **alle** Drucker _ersetzt_.\n\n- Schritt eins\n"
                 "- [Vertrag](https://example.org)")


# -- helpers -------------------------------------------------------------------------

def create_token(auth, label="Thunderbird") -> str:
    """Create a feed token through the settings form; its feed addresses are listed
    there. Returns the token, read from the listed address of the solutions feed."""
    response = auth.post("/konto/feeds", {"label": label}, token_from="/konto/")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = auth.client.get("/konto/").get_data(as_text=True)
    tokens = FEED_URL.findall(page)
    assert tokens, "no feed address in the settings"
    return tokens[0]


def rfc4287_problems(document: bytes) -> list[str]:
    """What breaks RFC 4287's rules for atom:feed and atom:entry (section 4.1)."""
    problems = []
    root = ElementTree.fromstring(document)
    if root.tag != f"{ATOM}feed":
        return [f"root is {root.tag}"]

    def once(element, name, where):
        found = element.findall(f"{ATOM}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} atom:{name}")
        return found[0] if found else None

    def date(element, name, where):
        node = element.find(f"{ATOM}{name}")
        if node is not None:
            try:
                moment = datetime.fromisoformat(node.text)
            except (TypeError, ValueError):
                problems.append(f"{where}: atom:{name} {node.text!r} is no date")
            else:
                if moment.tzinfo is None:
                    problems.append(f"{where}: atom:{name} without time zone")

    def links(element, where, need_alternate):
        alternates = {}
        for link in element.findall(f"{ATOM}link"):
            if not link.get("href"):
                problems.append(f"{where}: link without href")
            if link.get("rel", "alternate") == "alternate":  # 4.2.7.2: no rel = alternate
                key = (link.get("type"), link.get("hreflang"))
                alternates[key] = alternates.get(key, 0) + 1
        if any(count > 1 for count in alternates.values()):
            problems.append(f"{where}: several alternate links of one type and language")
        if need_alternate and not alternates:
            problems.append(f"{where}: no alternate link and no content")

    def authors(element):
        return [author for author in element.findall(f"{ATOM}author")
                if (author.findtext(f"{ATOM}name") or "").strip()]

    for name in ("id", "title", "updated"):
        once(root, name, "feed")
    date(root, "updated", "feed")
    links(root, "feed", need_alternate=False)
    feed_id = root.findtext(f"{ATOM}id") or ""
    if not re.match(r"[a-z][a-z0-9+.-]*:", feed_id):
        problems.append(f"feed: id {feed_id!r} is not an absolute IRI")
    ids = set()
    for number, entry in enumerate(root.findall(f"{ATOM}entry")):
        where = f"entry {number}"
        for name in ("id", "title", "updated"):
            once(entry, name, where)
        for name in ("published", "summary", "content"):
            if len(entry.findall(f"{ATOM}{name}")) > 1:
                problems.append(f"{where}: several atom:{name}")
        date(entry, "updated", where)
        date(entry, "published", where)
        links(entry, where, need_alternate=entry.find(f"{ATOM}content") is None)
        if not authors(root) and not authors(entry):
            problems.append(f"{where}: no atom:author here or on the feed")
        entry_id = entry.findtext(f"{ATOM}id")
        if entry_id in ids:
            problems.append(f"{where}: id {entry_id} twice")
        ids.add(entry_id)
        summary = entry.find(f"{ATOM}summary")
        if summary is not None and summary.get("type", "text") not in ("text", "html"):
            problems.append(f"{where}: summary type {summary.get('type')}")
    return problems


@pytest.fixture
def reader(app):
    """A feed reader: its own client, never signed in, keeping no cookies."""
    return app.test_client(use_cookies=False)


def fetch(reader, path: str, **headers):
    return reader.get(path, headers=headers)


def read(reader, token: str, feed: str):
    """Fetch a feed as a reader; it must be valid Atom and parse without complaint."""
    response = fetch(reader, f"/feeds/{token}/{feed}")
    assert response.status_code == 200, (feed, response.status_code)
    assert response.mimetype == "application/atom+xml"
    assert rfc4287_problems(response.data) == []
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def solution_id(app, slug) -> int:
    with app.app_context():
        return db.session.scalar(select(Solution.id).filter_by(slug=slug))


# -- the structural check itself -----------------------------------------------------

def test_the_rfc4287_check_finds_broken_feeds():
    """The helper can fail: each rule it checks catches a document that breaks it."""
    good = (b'<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:x,2026:f</id><title>t</title>'
            b'<updated>2026-01-01T00:00:00+00:00</updated><author><name>n</name></author>'
            b'<entry><id>tag:x,2026:e</id><title>e</title>'
            b'<updated>2026-01-01T00:00:00+00:00</updated><link href="http://x/e"/></entry>'
            b'</feed>')
    assert rfc4287_problems(good) == []
    link = b'<link href="http://x/e"/>'
    broken = [
        (b"<id>tag:x,2026:f</id>", b""),                           # feed without id
        (b"<author><name>n</name></author>", b""),                 # nobody credited
        (link, b""),                                               # no alternate, no content
        (b"<title>e</title>", b"<title>e</title><title>f</title>"),
        (link, link + b'<link rel="alternate" href="http://x/f"/>'),
        (b"<updated>2026-01-01T00:00:00+00:00</updated><author>",
         b"<updated>gestern</updated><author>"),
    ]
    for before, after in broken:
        assert before in good
        assert rfc4287_problems(good.replace(before, after, 1)), after


# -- tokens ----------------------------------------------------------------------------

def test_token_is_made_in_the_settings_and_the_database_never_holds_it(app, people, auth):
    auth.login(A)
    page = auth.client.get("/konto/").get_data(as_text=True)
    assert 'id="feeds"' in page and "Sie haben noch keinen Feed-Schlüssel." in page
    token = create_token(auth, "Mein Feedreader")
    assert len(token) == 43  # 256 bits, base64url
    page = auth.client.get("/konto/").get_data(as_text=True)
    assert "Mein Feedreader" in page and "noch nicht benutzt" in page
    for feed in ("loesungen.atom", "best-practice.atom", "fragen.atom", "gefolgt.atom"):
        assert f"/feeds/{token}/{feed}" in page
    with app.app_context():
        record = db.session.scalar(select(FeedToken))
        assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
        # No column of any table holds the token.
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(table.select()):
                assert token not in " ".join(map(str, row)), table.name


def test_several_tokens_with_labels_and_revoking_one(app, people, auth, reader):
    auth.login(A)
    first = create_token(auth, "Arbeitsplatz")
    second = create_token(auth, "Telefon")
    assert first != second
    assert fetch(reader, f"/feeds/{first}/loesungen.atom").status_code == 200
    with app.app_context():
        first_id = db.session.scalar(select(FeedToken.id).filter_by(label="Arbeitsplatz"))
    response = auth.post(f"/konto/feeds/{first_id}/widerrufen", token_from="/konto/",
                         follow_redirects=True)
    assert "Der Feed-Schlüssel ist widerrufen" in response.get_data(as_text=True)
    gone = fetch(reader, f"/feeds/{first}/loesungen.atom")
    assert gone.status_code == 404 and gone.data == b""
    assert fetch(reader, f"/feeds/{second}/loesungen.atom").status_code == 200


def test_nobody_revokes_another_persons_token(app, people, auth, reader):
    auth.login(A)
    token = create_token(auth)
    auth.logout()
    auth.login(B)
    with app.app_context():
        token_id = db.session.scalar(select(FeedToken.id))
    assert auth.post(f"/konto/feeds/{token_id}/widerrufen", token_from="/konto/"
                     ).status_code == 404
    assert fetch(reader, f"/feeds/{token}/loesungen.atom").status_code == 200


def test_token_forms_need_csrf_and_keep_a_too_long_label(app, people, auth):
    auth.login(A)
    assert auth.client.post("/konto/feeds", data={"label": "x"}).status_code == 400
    label = "Feedreader im Büro " * 6
    response = auth.post("/konto/feeds", {"label": label}, token_from="/konto/")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Bitte höchstens 80 Zeichen." in page and label.strip() in page
    with app.app_context():
        assert db.session.scalar(select(FeedToken)) is None


def test_a_form_sent_twice_makes_one_token(app, people, auth):
    auth.login(A)
    page = auth.client.get("/konto/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', page).group(1)
    for _ in range(2):
        response = auth.client.post("/konto/feeds", data={
            "csrf_token": csrf, "submission_key": key, "label": "Doppelt"})
        assert response.status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(FeedToken)).all()) == 1


@pytest.mark.parametrize("bad", [
    "x", "a" * 43, "a" * 44, "a" * 5000, "%00" + "a" * 40, "a" * 20 + "%00" + "a" * 22,
    "ä" * 43, "..%2F..%2Fetc", "a" * 42 + "=",
])
def test_bad_tokens_get_an_empty_404(app, people, reader, bad):
    response = fetch(reader, f"/feeds/{bad}/loesungen.atom")
    assert response.status_code == 404
    assert b"<feed" not in response.data


def test_a_deactivated_persons_tokens_stop_working(app, people, auth, reader, make_user):
    auth.login(A)
    token = create_token(auth)
    assert fetch(reader, f"/feeds/{token}/fragen.atom").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=A))
        admin.update_account(db.session.scalar(select(User).filter_by(email=ADMIN)), user,
                             user.role, "musterstadt", False)
    response = fetch(reader, f"/feeds/{token}/fragen.atom")
    assert response.status_code == 404 and response.data == b""


def test_a_new_secret_key_ends_every_token(app, people, auth, reader):
    auth.login(A)
    token = create_token(auth)
    app.config["SECRET_KEY"] = "ein-anderer-schluessel-" + "x" * 20
    assert fetch(reader, f"/feeds/{token}/fragen.atom").status_code == 404


def test_deleting_the_account_erases_its_tokens_and_the_export_lists_them(
        app, people, auth, reader):
    auth.login(A)
    token = create_token(auth, "Export-Probe")
    export = auth.client.get("/konto/daten.json").get_json()
    assert [entry["label"] for entry in export["feed_tokens"]] == ["Export-Probe"]
    assert token not in auth.client.get("/konto/daten.json").get_data(as_text=True)
    response = auth.post("/konto/loeschen", {"password": "ein-sicheres-passwort"},
                         token_from="/konto/loeschen")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(FeedToken)) is None
    assert fetch(reader, f"/feeds/{token}/fragen.atom").status_code == 404


# -- what a feed request is ------------------------------------------------------------

def test_feed_requests_set_no_cookie_and_are_cached_privately(app, people, auth, reader):
    auth.login(A)
    token = create_token(auth)
    # Opened in the signed-in browser too: still no cookie, nothing about the session.
    for client in (reader, auth.client):
        response = client.get(f"/feeds/{token}/loesungen.atom")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert response.headers["Cache-Control"].startswith("private")


def test_unchanged_feed_answers_304_and_last_use_is_noted(app, people, auth, reader,
                                                         make_solution):
    make_solution(B)
    auth.login(A)
    token = create_token(auth)
    first = fetch(reader, f"/feeds/{token}/loesungen.atom")
    assert first.headers["ETag"]
    again = fetch(reader, f"/feeds/{token}/loesungen.atom", **{
        "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    with app.app_context():
        assert db.session.scalar(select(FeedToken.last_used_at)) is not None
    assert "zuletzt benutzt am" in auth.client.get("/konto/").get_data(as_text=True)


def test_requests_per_token_are_limited(app, people, auth, reader):
    app.config["FEED_REQUESTS_PER_MINUTE"] = 3
    auth.login(A)
    token, other = create_token(auth), create_token(auth, "Zweiter")
    statuses = [fetch(reader, f"/feeds/{token}/fragen.atom").status_code for _ in range(4)]
    if statuses[:3] != [200] * 3:  # the minute turned over in between: once more
        statuses = [fetch(reader, f"/feeds/{token}/fragen.atom").status_code
                    for _ in range(4)]
    assert statuses[-1] == 429
    limited = fetch(reader, f"/feeds/{token}/fragen.atom")
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert fetch(reader, f"/feeds/{other}/fragen.atom").status_code == 200


# -- contents --------------------------------------------------------------------------

def test_solutions_feed_as_a_reader_sees_it(app, people, auth, reader, make_solution):
    published = make_solution(B, title="Managed Print", situation=MARKDOWN_BODY)
    make_solution(B, title="Digitale Akte", status="best_practice")
    make_solution(B, title="Entwurf von Bernd", status="draft")
    make_solution(B, title="Bernd wartet auf Prüfung", status="submitted")
    auth.login(A)
    token = create_token(auth)
    parsed = read(reader, token, "loesungen.atom")
    assert titles(parsed) == ["Best Practice: Digitale Akte", "Lösung: Managed Print"]
    entry = parsed.entries[1]
    assert entry.link == f"http://kitu.test/loesungen/{published}"
    assert entry.author == "Stadt Nachbarort"  # solutions are credited to the authority
    assert entry.author_detail.href == "http://kitu.test/kommunen/nachbarort"
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary.startswith("Wir haben alle Drucker ersetzt. Schritt eins")
    assert "**" not in entry.summary and "](" not in entry.summary
    assert entry.published_parsed and entry.updated_parsed
    assert [tag.term for tag in entry.tags] == ["drucker-kopierer"]
    assert entry.id == f"tag:kitu.test,2026:kitu-exchange/loesung/{solution_id(app, published)}"
    assert parsed.feed.link == "http://kitu.test/loesungen"
    assert token not in parsed.feed.id and token not in entry.id
    assert parsed.feed.language == "de"


def test_best_practice_feed(app, people, auth, reader, make_solution):
    make_solution(B, title="Managed Print")
    make_solution(B, title="Digitale Akte", status="best_practice")
    auth.login(A)
    token = create_token(auth)
    parsed = read(reader, token, "best-practice.atom")
    assert titles(parsed) == ["Best Practice: Digitale Akte"]


def test_questions_feed_credits_the_person_and_authority(app, people, auth, reader,
                                                         make_question):
    question_id = make_question(B, title="Welche Drucker nutzt ihr?", body=MARKDOWN_BODY)
    auth.login(A)
    token = create_token(auth)
    parsed = read(reader, token, "fragen.atom")
    [entry] = parsed.entries
    assert entry.title == "Welche Drucker nutzt ihr?"
    assert entry.author == "Bernd Beispiel, Stadt Nachbarort"
    assert entry.link.startswith(f"http://kitu.test/fragen/{question_id}-")
    assert "**" not in entry.summary


def test_topic_tag_and_authority_feeds(app, people, auth, reader, make_topic,
                                       make_question, make_solution):
    make_topic("personal", "Personal")
    make_question(B, title="Drucker in Nachbarort", tags="mfp")
    make_question(A, title="Personal in Musterstadt", topics=["personal"])
    make_solution(B, title="Managed Print", tags="mfp")
    auth.login(A)
    token = create_token(auth)
    topic = read(reader, token, "themen/drucker-kopierer.atom")
    assert sorted(titles(topic)) == ["Drucker in Nachbarort", "Lösung: Managed Print"]
    assert topic.feed.link == "http://kitu.test/themen/drucker-kopierer"
    assert titles(read(reader, token, "themen/personal.atom")) == ["Personal in Musterstadt"]
    assert sorted(titles(read(reader, token, "schlagwoerter/mfp.atom"))) == [
        "Drucker in Nachbarort", "Lösung: Managed Print"]
    assert titles(read(reader, token, "kommunen/musterstadt.atom")) == [
        "Personal in Musterstadt"]
    assert sorted(titles(read(reader, token, "kommunen/nachbarort.atom"))) == [
        "Drucker in Nachbarort", "Lösung: Managed Print"]
    for missing in ("themen/gibt-es-nicht.atom", "schlagwoerter/nichts.atom",
                    "kommunen/nirgendwo.atom", "themen/%00.atom"):
        response = fetch(reader, f"/feeds/{token}/{missing}")
        assert response.status_code == 404 and b"<feed" not in response.data


def test_empty_feed_is_valid(app, people, auth, reader):
    auth.login(A)
    token = create_token(auth)
    assert read(reader, token, "loesungen.atom").entries == []


def test_private_things_never_appear_in_anyones_feed(app, people, auth, reader,
                                                    make_question, make_solution,
                                                    make_user):
    """Drafts and solutions in review, not even one's own; hidden and deleted posts,
    not even for a moderator."""
    make_solution(B, title="Bernds Entwurf", status="draft", tags="geheim")
    make_solution(B, title="Bernd wartet auf Prüfung", status="submitted", tags="geheim")
    make_solution(A, title="Annas Entwurf", status="draft", tags="geheim")
    make_solution(B, title="Archiviert", status="archived", tags="geheim")
    hidden = make_question(B, title="Ausgeblendete Frage", tags="geheim")
    deleted = make_question(B, title="Gelöschte Frage", tags="geheim")
    make_question(B, title="Sichtbare Frage", tags="geheim")
    with app.app_context():
        moderator = factory_moderator()
        moderation.hide_post(moderator, db.session.get(Question, hidden), "Spam")
        question = db.session.get(Question, deleted)
        question.deleted_at = question.created_at
        db.session.commit()
    for email in (A, B, "mod@kitu.example"):
        auth.login(email)
        token = create_token(auth, email)
        auth.logout()
        for feed in ("loesungen.atom", "fragen.atom", "schlagwoerter/geheim.atom",
                     "themen/drucker-kopierer.atom", "kommunen/nachbarort.atom",
                     "kommunen/musterstadt.atom"):
            assert all(title in ("Sichtbare Frage",) for title in
                       titles(read(reader, token, feed))), (email, feed)


def test_hiding_later_removes_the_post_from_the_next_fetch(app, people, auth, reader,
                                                         make_question, make_solution):
    question_id = make_question(B, title="Bald ausgeblendet")
    slug = make_solution(B, title="Bald zurückgezogen")
    auth.login(A)
    token = create_token(auth)
    first = fetch(reader, f"/feeds/{token}/themen/drucker-kopierer.atom")
    assert sorted(titles(feedparser.parse(first.data))) == [
        "Bald ausgeblendet", "Lösung: Bald zurückgezogen"]
    with app.app_context():
        moderator = factory_moderator()
        moderation.hide_post(moderator, db.session.get(Question, question_id), "Doppelt")
        solution = db.session.scalar(select(Solution).filter_by(slug=slug))
        moderation.hide_post(moderator, solution, "Veraltet")
    # A reader asking with its cached ETag gets the changed feed, not a 304.
    again = fetch(reader, f"/feeds/{token}/themen/drucker-kopierer.atom",
                  **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert titles(feedparser.parse(again.data)) == []


def test_feed_of_fifty_entries_is_capped_and_valid(app, people, auth, reader, make_question):
    app.config["FEED_ENTRIES"] = 5
    for number in range(7):
        make_question(B, title=f"Frage Nummer {number}")
    auth.login(A)
    token = create_token(auth)
    assert titles(read(reader, token, "fragen.atom")) == [
        f"Frage Nummer {number}" for number in range(6, 1, -1)]


# -- links on pages --------------------------------------------------------------------

ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml" title="([^"]*)" '
                       r'href="([^"]+)">')


@pytest.mark.parametrize("page, feed", [
    ("/themen/drucker-kopierer", "/themen/drucker-kopierer.atom"),
    ("/kommunen/musterstadt", "/kommunen/musterstadt.atom"),
    ("/loesungen", "/loesungen.atom"),
    ("/loesungen?status=best_practice", "/best-practice.atom"),
    ("/fragen", "/fragen.atom"),
    ("/fragen?schlagwort=mfp", "/schlagwoerter/mfp.atom"),
    ("/gefolgt", "/gefolgt.atom"),
])
def test_pages_link_their_feed_for_a_person_with_a_token(app, people, auth, reader,
                                                         make_question, page, feed):
    make_question(A, tags="mfp")
    auth.login(A)
    assert not ALTERNATE.search(auth.client.get(page).get_data(as_text=True))
    token = create_token(auth)
    links = ALTERNATE.findall(auth.client.get(page).get_data(as_text=True))
    assert len(links) == 1
    title, href = links[0]
    assert href == f"http://kitu.test/feeds/{token}{feed}"
    read(reader, token, feed.lstrip("/"))


# -- the personal feed: what I follow ---------------------------------------------------

def follow(auth, kind: str, target_id: int):
    response = auth.post("/folgen", {"kind": kind, "target_id": str(target_id)},
                         token_from="/gefolgt")
    assert response.status_code == 302


def unfollow(auth, kind: str, target_id: int):
    response = auth.post("/folgen/beenden", {"kind": kind, "target_id": str(target_id)},
                         token_from="/gefolgt")
    assert response.status_code == 302


def id_of(app, model, **by) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).filter_by(**by))


def test_personal_feed_lists_what_i_follow(app, people, auth, reader, make_user, make_topic,
                                          make_question, make_reply, make_solution):
    make_topic("personal", "Personal")
    make_user("c@drittstadt.example", authority="drittstadt", name="Carla Dritte")
    followed = make_question(B, title="Gefolgte Frage", topics=["personal"])
    other = make_question(B, title="Nicht gefolgte Frage", topics=["personal"])
    make_question(B, title="Mit Schlagwort", topics=["personal"], tags="mfp")
    auth.login(A)
    token = create_token(auth)
    assert f"/feeds/{token}/gefolgt.atom" in auth.client.get("/konto/").get_data(as_text=True)
    follow(auth, "topic", id_of(app, Topic, slug="drucker-kopierer"))
    follow(auth, "tag", id_of(app, Tag, name="mfp"))
    follow(auth, "authority", id_of(app, Authority, slug="drittstadt"))
    follow(auth, "question", followed)
    make_question(B, title="Neu im Themenfeld")                       # followed topic
    make_question(A, title="Meine eigene Frage")                      # own: left out
    make_question("c@drittstadt.example", title="Aus Drittstadt", topics=["personal"])
    make_solution(B, title="Neue Lösung")                             # followed topic
    make_solution(B, title="Bernds Entwurf", status="draft")
    make_solution(B, title="Bernd wartet", status="submitted")
    make_reply(B, followed, body="Antwort auf die gefolgte Frage")
    make_reply(B, other, body="Antwort auf eine andere Frage")
    hidden_reply = make_reply(B, followed, body="Gleich ausgeblendet")
    with app.app_context():
        moderation.hide_post(factory_moderator(), db.session.get(Reply, hidden_reply), "Spam")
    parsed = read(reader, token, "gefolgt.atom")
    assert sorted(titles(parsed)) == sorted([
        "Neu im Themenfeld", "Mit Schlagwort", "Aus Drittstadt", "Lösung: Neue Lösung",
        "Antwort auf: Gefolgte Frage"])
    reply = next(entry for entry in parsed.entries if entry.title.startswith("Antwort"))
    assert reply.link.startswith(f"http://kitu.test/fragen/{followed}-")
    assert reply.link.endswith("#antwort-" + str(reply.id.rsplit("/", 1)[1]))
    assert reply.author == "Bernd Beispiel, Stadt Nachbarort"
    assert parsed.feed.link == "http://kitu.test/gefolgt"
    # Unfollowing takes the topic's posts out of the next fetch.
    unfollow(auth, "topic", id_of(app, Topic, slug="drucker-kopierer"))
    assert sorted(titles(read(reader, token, "gefolgt.atom"))) == sorted([
        "Mit Schlagwort", "Aus Drittstadt", "Antwort auf: Gefolgte Frage"])


def test_personal_feeds_are_personal(app, people, auth, reader, make_question):
    """B's token reads B's follows, never A's; a question hidden later leaves it."""
    question = make_question(B, title="Von Anna gefolgt")
    auth.login(A)
    follow(auth, "topic", id_of(app, Topic, slug="drucker-kopierer"))
    token_a = create_token(auth)
    auth.logout()
    auth.login(B)
    token_b = create_token(auth)
    make_question(MOD, title="Neu von der Moderation")
    assert titles(read(reader, token_b, "gefolgt.atom")) == []
    assert sorted(titles(read(reader, token_a, "gefolgt.atom"))) == [
        "Neu von der Moderation", "Von Anna gefolgt"]
    with app.app_context():
        moderation.hide_post(factory_moderator(), db.session.get(Question, question), "Spam")
    assert titles(read(reader, token_a, "gefolgt.atom")) == ["Neu von der Moderation"]
