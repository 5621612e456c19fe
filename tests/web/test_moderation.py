"""Curation and moderation through HTTP: review, question to solution, revisions, votes,
flags, hiding, duplicates, locking, moving, audit log, account administration."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, Solution, User, utcnow
from tests.conftest import A, ADMIN, B, MOD



@pytest.fixture
def people(people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


SOLUTION = {"title": "Rechnungseingang mit XRechnung", "situation": "Papierrechnungen.",
            "approach": "Wir nutzen die Plattform des Landes.", "result": "Schneller.",
            "topics": ["e-rechnung"], "status": "draft"}


# 1. review workflow -------------------------------------------------------------------

def test_submit_review_send_back_resubmit_and_best_practice(client, auth, people, app):
    auth.login(A)
    url = auth.post("/loesungen/neu", SOLUTION, token_from="/loesungen/neu").headers["Location"]
    slug = url.rsplit("/", 1)[1]
    assert "Entwurf: nur für Sie" in client.get(url).get_data(as_text=True)
    assert auth.post(f"{url}/einreichen", token_from=url).status_code == 302
    assert "wartet auf die Prüfung" in client.get(url).get_data(as_text=True)
    auth.logout()

    auth.login(MOD)
    queue = client.get("/moderation").get_data(as_text=True)
    assert "Rechnungseingang mit XRechnung" in queue
    response = auth.post(f"{url}/pruefen", {"decision": "send_back", "comment": ""}, token_from=url)
    assert response.status_code == 400
    assert "Bitte begründen Sie" in response.get_data(as_text=True)
    response = auth.post(f"{url}/pruefen", {"decision": "send_back",
                                            "comment": "Bitte Kosten ergänzen."}, token_from=url)
    assert response.status_code == 302
    auth.logout()

    auth.login(A)
    html = client.get(url).get_data(as_text=True)
    assert "Hinweis der Moderation: Bitte Kosten ergänzen." in html
    assert auth.post(f"{url}/einreichen", token_from=url).status_code == 302
    auth.logout()

    auth.login(MOD)
    assert auth.post(f"{url}/pruefen", {"decision": "best_practice", "comment": ""},
                     token_from=url).status_code == 302
    library = client.get("/loesungen").get_data(as_text=True)
    assert "Rechnungseingang mit XRechnung" in library and "Best Practice" in library
    assert "Rechnungseingang mit XRechnung" in client.get("/best-practice").get_data(
        as_text=True)
    assert "Rechnungseingang mit XRechnung" in client.get("/").get_data(as_text=True)
    assert "zuletzt geprüft" in client.get(url).get_data(as_text=True)
    assert audit_actions(app) == ["solution.send_back", "solution.best_practice"]
    assert slug


def test_stale_solutions_are_listed(client, auth, people, app, make_solution):
    slug = make_solution(A, title="Alte Lösung zur Telefonanlage")
    with app.app_context():
        solution = db.session.scalar(select(Solution).filter_by(slug=slug))
        solution.last_reviewed_at = utcnow() - timedelta(days=400)
        db.session.commit()
    make_solution(A, title="Frisch geprüfte Lösung")
    auth.login(MOD)
    html = client.get("/moderation").get_data(as_text=True)
    stale = html.split('id="veraltet"')[1]
    assert "Alte Lösung zur Telefonanlage" in stale and "Frisch geprüfte" not in stale


# 2. question to solution --------------------------------------------------------------

def test_solved_question_becomes_linked_solution_draft(client, auth, people, make_question,
                                                       make_reply):
    question = make_question(A, title="Wie empfangt ihr XRechnungen?", topics=["e-rechnung"])
    reply = make_reply(B, question, "Über die Plattform des Landes, mit Leitweg-ID.")
    auth.login(A)
    page = f"/fragen/{question}"
    assert auth.post(f"/fragen/{question}/in-loesung").status_code == 409  # not solved yet
    auth.post(f"/fragen/antworten/{reply}/akzeptieren")
    response = auth.post(f"/fragen/{question}/in-loesung")
    assert response.status_code == 302 and "/bearbeiten" in response.headers["Location"]
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Über die Plattform des Landes, mit Leitweg-ID." in edit
    slug = response.headers["Location"].split("/")[2]
    solution = client.get(f"/loesungen/{slug}").get_data(as_text=True)
    assert "Entstanden aus der Frage" in solution
    html = client.get(client.get(page).headers.get("Location", page)).get_data(as_text=True)
    assert "Lösung in der Bibliothek" in html
    assert auth.post(f"/fragen/{question}/in-loesung").status_code == 409  # only once


# 3. revisions -------------------------------------------------------------------------

def test_edits_keep_versions_with_diff_and_restore(client, auth, people, app, make_question):
    question = make_question(A, title="Drucker im Rathaus", body="Erste Fassung des Textes.")
    auth.login(A)
    auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Drucker im Rathaus", "body": "Zweite Fassung des Textes.",
        "topics": ["drucker-kopierer"], "reason": "Tippfehler"})
    auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Drucker im Rathaus vereinheitlichen", "body": "Dritte Fassung.",
        "topics": ["drucker-kopierer"], "reason": ""})
    history = client.get(f"/verlauf/question/{question}").get_data(as_text=True)
    assert "3 Versionen" in history and "Tippfehler" in history and "Anna Autorin" in history
    assert "<del" in history and "<ins" in history
    assert "Dritte Fassung." in re.sub(r"<[^>]+>", "", history)  # words marked within
    compare = re.sub(r"<[^>]+>", "", client.get(f"/verlauf/question/{question}?a=1&b=2")
                     .get_data(as_text=True))
    assert "Erste Fassung des Textes." in compare and "Zweite Fassung des Textes." in compare
    assert "wiederherstellen" not in history  # members cannot restore
    auth.logout()
    auth.login(MOD)
    history = client.get(f"/verlauf/question/{question}").get_data(as_text=True)
    first_revision = re.findall(r"/wiederherstellen/(\d+)", history)[-1]
    response = auth.post(f"/verlauf/question/{question}/wiederherstellen/{first_revision}")
    assert response.status_code == 302
    page = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "Erste Fassung des Textes." in page
    assert "4 Versionen" in client.get(f"/verlauf/question/{question}").get_data(as_text=True)
    assert "revision.restore" in audit_actions(app)


def test_reply_and_solution_edits_keep_versions(client, auth, people, make_question,
                                                 make_reply, make_solution):
    reply = make_reply(B, make_question(A), "Alte Antwort")
    slug = make_solution(A, status="draft")  # a published one's edit waits for review
    auth.login(B)
    auth.post(f"/fragen/antworten/{reply}/bearbeiten", {"body": "Neue Antwort"})
    assert "2 Versionen" in client.get(f"/verlauf/reply/{reply}").get_data(as_text=True)
    auth.logout()
    auth.login(A)
    edit = f"/loesungen/{slug}/bearbeiten"
    auth.post(edit, {"title": "Managed Print neu", "approach": "Anders gemacht.",
                     "topics": ["drucker-kopierer"], "status": "draft"}, token_from=edit)
    with_id = client.get(f"/loesungen/{slug}").get_data(as_text=True)
    solution_id = re.search(r"/verlauf/solution/(\d+)", with_id).group(1)
    assert "2 Versionen" in client.get(f"/verlauf/solution/{solution_id}").get_data(
        as_text=True)


# 4. helpful votes ---------------------------------------------------------------------

def test_helpful_votes(client, auth, people, make_question, make_reply, make_solution):
    question = make_question(A)
    first = make_reply(B, question, "Antwort eins")
    second = make_reply(B, question, "Antwort zwei")
    auth.login(A)
    assert auth.post(f"/hilfreich/reply/{second}").status_code == 302
    html = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "1 Person fand das hilfreich" in html
    assert html.index("Antwort zwei") < html.index("Antwort eins")  # sorted by votes
    auth.post(f"/hilfreich/reply/{second}")  # withdraw
    html = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "1 Person fand" not in html
    auth.logout()
    auth.login(B)
    assert auth.post(f"/hilfreich/reply/{first}").status_code == 403  # own post
    slug = make_solution(A)
    response = client.get(f"/loesungen/{slug}")
    solution_id = re.search(r"/hilfreich/solution/(\d+)", response.get_data(as_text=True)).group(1)
    auth.post(f"/hilfreich/solution/{solution_id}")
    assert "1 Person fand das hilfreich" in client.get(f"/loesungen/{slug}").get_data(
        as_text=True)
    assert "Managed Print" in client.get("/loesungen?sortierung=helpful").get_data(as_text=True)


# 5. flags and hiding ------------------------------------------------------------------

def test_flag_hide_and_visibility(client, auth, people, app, make_question, make_reply):
    question = make_question(A, title="Kopierer-Wartung im Bauamt", body="Wer wartet eure Kopierer?")
    reply = make_reply(B, question, "Rufen Sie Herrn Müller privat an: 0171 1234567")
    auth.login(A)
    response = auth.post(f"/melden/reply/{reply}", {"reason": "other", "text": ""},
                         token_from=f"/melden/reply/{reply}")
    assert response.status_code == 400 and "Bitte beschreiben Sie" in response.get_data(
        as_text=True)
    assert auth.post(f"/melden/reply/{reply}", {"reason": "personal_data", "text": "Handynummer"},
                     token_from=f"/melden/reply/{reply}").status_code == 302
    auth.logout()
    auth.login(MOD)
    queue = client.get("/moderation").get_data(as_text=True)
    assert "Enthält personenbezogene Daten" in queue and "Handynummer" in queue
    flag_id = re.search(r"/moderation/meldungen/(\d+)", queue).group(1)
    response = auth.post(f"/moderation/meldungen/{flag_id}", {"action": "hide", "note": ""})
    assert response.status_code == 400  # hiding needs a reason
    assert auth.post(f"/moderation/meldungen/{flag_id}", {
        "action": "hide", "note": "Private Telefonnummer"}).status_code == 302
    assert "Private Telefonnummer" in client.get(f"/fragen/{question}", follow_redirects=True
                                                 ).get_data(as_text=True)  # moderators see it
    auth.logout()
    auth.login(A)
    page = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "0171 1234567" not in page
    auth.logout()
    auth.login(B)  # the author sees the post and why it was hidden
    page = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "0171 1234567" in page and "Private Telefonnummer" in page
    assert "flag.hide" in audit_actions(app) and "post.hide" in audit_actions(app)


def test_hidden_question_leaves_lists_and_search_at_once(client, auth, people,
                                                         make_question):
    question = make_question(A, title="Werbung für Druckerpatronen", body="Billige Toner!")
    auth.login(B)
    assert "Werbung für Druckerpatronen" in client.get("/suche?q=Druckerpatronen").get_data(
        as_text=True)
    auth.logout()
    auth.login(MOD)
    assert auth.post(f"/moderation/ausblenden/question/{question}", {"note": "Spam"}
                     ).status_code == 302
    auth.logout()
    auth.login(B)
    assert "Werbung für Druckerpatronen" not in client.get("/fragen").get_data(as_text=True)
    assert "Werbung für Druckerpatronen" not in client.get("/suche?q=Druckerpatronen").get_data(
        as_text=True)
    assert client.get(f"/fragen/{question}").status_code == 404
    auth.logout()
    auth.login(MOD)
    assert auth.post(f"/moderation/einblenden/question/{question}").status_code == 302
    auth.logout()
    auth.login(B)
    assert "Werbung für Druckerpatronen" in client.get("/suche?q=Druckerpatronen").get_data(
        as_text=True)


def test_dismissing_a_flag(client, auth, people, app, make_question):
    question = make_question(A)
    auth.login(B)
    auth.post(f"/melden/question/{question}", {"reason": "outdated", "text": ""},
              token_from=f"/melden/question/{question}")
    auth.logout()
    auth.login(MOD)
    flag_id = re.search(r"/moderation/meldungen/(\d+)",
                        client.get("/moderation").get_data(as_text=True)).group(1)
    auth.post(f"/moderation/meldungen/{flag_id}", {"action": "dismiss", "note": "Ist aktuell"})
    assert "Keine offenen Meldungen." in client.get("/moderation").get_data(as_text=True)
    response = auth.post(f"/moderation/meldungen/{flag_id}", {"action": "dismiss"})
    assert response.status_code == 409
    assert "flag.dismiss" in audit_actions(app)


# 6. duplicates, locking, moving -------------------------------------------------------

def test_duplicate_merge_lock_and_move(client, auth, people, app, make_question, make_reply):
    original = make_question(A, title="Original: Druckerflotte vereinheitlichen")
    duplicate = make_question(B, title="Duplikat: Drucker vereinheitlichen")
    make_reply(A, duplicate, "Antwort beim Duplikat")
    auth.login(MOD)
    response = auth.post(f"/fragen/{duplicate}/duplikat", {"original": "9999"})
    assert response.status_code == 400  # shown at the choice, on the duplicate page
    assert "Eine Frage mit dieser Nummer gibt es nicht." in response.get_data(as_text=True)
    assert auth.post(f"/fragen/{duplicate}/duplikat", {"original": str(original)}
                     ).status_code == 302
    page = client.get(f"/fragen/{duplicate}", follow_redirects=True).get_data(as_text=True)
    assert "Diese Frage ist ein Duplikat." in page and "Original: Druckerflotte" in page
    assert "Duplikat: Drucker vereinheitlichen" in client.get("/suche?q=Duplikat").get_data(
        as_text=True)  # stays findable
    assert auth.post(f"/fragen/{duplicate}/zusammenfuehren").status_code == 302
    page = client.get(f"/fragen/{original}", follow_redirects=True).get_data(as_text=True)
    assert "Antwort beim Duplikat" in page
    assert auth.post(f"/fragen/{original}/sperren", {"note": "Erledigt"}).status_code == 302
    auth.logout()
    auth.login(B)
    response = auth.post(f"/fragen/{original}/antworten", {"body": "Noch was"})
    assert response.status_code == 403 and "gesperrt" in response.get_data(as_text=True)
    auth.logout()
    auth.login(MOD)
    assert auth.post(f"/fragen/{original}/verschieben", {"topics": ["e-rechnung"]}
                     ).status_code == 302
    assert "Original: Druckerflotte" in client.get("/fragen?thema=e-rechnung").get_data(
        as_text=True)
    assert audit_actions(app) == ["question.close_duplicate", "question.merge",
                                  "question.lock", "question.move"]


def test_merging_a_question_that_is_no_duplicate_is_a_conflict(auth, people, make_question):
    question = make_question(A)
    auth.login(MOD)
    response = auth.post(f"/fragen/{question}/zusammenfuehren")
    assert response.status_code == 409
    assert "zuerst als Duplikat" in response.get_data(as_text=True)


# 7. audit log -------------------------------------------------------------------------

def test_audit_log_is_browsable_filterable_and_append_only(client, auth, people, app,
                                                           make_question):
    question = make_question(A)
    auth.login(MOD)
    auth.post(f"/fragen/{question}/sperren", {"note": "Grund eins"})
    auth.post(f"/moderation/ausblenden/question/{question}", {"note": "Grund zwei"})
    log = client.get("/moderation/protokoll").get_data(as_text=True)
    assert "2 Einträge" in log and "Frage gesperrt" in log and "Grund zwei" in log
    assert "Moni Moderation" in log
    filtered = client.get("/moderation/protokoll?aktion=post").get_data(as_text=True)
    assert "1 Eintrag" in filtered and "Grund eins" not in filtered
    with app.app_context():
        moderator_id = db.session.scalar(select(User.id).filter_by(email=MOD))
    assert "2 Einträge" in client.get(f"/moderation/protokoll?person={moderator_id}"
                                      ).get_data(as_text=True)
    for method in ("put", "delete", "post"):
        assert getattr(client, method)("/moderation/protokoll").status_code == 405
    auth.logout()
    auth.login(A)
    assert client.get("/moderation/protokoll").status_code == 403


# 8. account administration ------------------------------------------------------------

def test_admin_changes_role_moves_and_deactivates(client, auth, people, app, make_question):
    make_question(B, title="Frage von Bernd bleibt")
    with app.app_context():
        bernd = db.session.scalar(select(User.id).filter_by(email=B))
    auth.login(ADMIN)
    url = f"/verwaltung/konten/{bernd}"
    assert auth.post(url, {"role": "moderator", "authority": "nachbarort", "active": "y",
                           "reason": "Neue Aufgabe"}, token_from=url).status_code == 302
    assert auth.post(url, {"role": "moderator", "authority": "musterstadt", "active": "y"},
                     token_from=url).status_code == 302
    assert auth.post(url, {"role": "moderator", "authority": "musterstadt",
                           "reason": "Ausgeschieden"}, token_from=url).status_code == 302
    assert audit_actions(app) == ["user.role", "user.move", "user.deactivate"]
    html = client.get("/fragen").get_data(as_text=True)
    assert "Frage von Bernd bleibt" in html and "Stadt Nachbarort" in html
    response = auth.post(url, {"role": "chef", "authority": "musterstadt"}, token_from=url)
    assert response.status_code == 400 and "Unbekannte Rolle" in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(B).status_code == 401


def test_last_admin_cannot_be_removed(client, auth, people, app):
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).filter_by(email=ADMIN))
    auth.login(ADMIN)
    url = f"/verwaltung/konten/{admin_id}"
    response = auth.post(url, {"role": "member", "authority": "kitu", "active": "y"},
                         token_from=url)
    assert response.status_code == 400
    assert "mindestens eine aktive Administration" in response.get_data(as_text=True)


def test_deactivated_account_loses_running_session(client, auth, people, app):
    auth.login(B)
    assert client.get("/fragen").status_code == 200
    with app.app_context():
        db.session.scalar(select(User).filter_by(email=B)).active = False
        db.session.commit()
    assert client.get("/fragen").status_code == 302


def test_synonyms_are_maintained_in_the_web_ui(client, auth, people, make_question):
    make_question(A, title="Erfahrungen mit dem Fernwartungswerkzeug",
                  body="Welches Fernwartungswerkzeug nutzt ihr?")
    auth.login(B)
    assert "Keine Treffer" in client.get("/suche?q=Teamviewer").get_data(as_text=True)
    auth.logout()
    auth.login(MOD)
    response = auth.post("/moderation/synonyme", {"terms": "Teamviewer"},
                         token_from="/moderation/synonyme")
    assert response.status_code == 400 and "mindestens zwei Begriffe" in response.get_data(
        as_text=True)
    assert auth.post("/moderation/synonyme", {"terms": "Teamviewer, Fernwartungswerkzeug"},
                     token_from="/moderation/synonyme").status_code == 302
    auth.logout()
    auth.login(B)
    assert "Fernwartungswerkzeug" in client.get("/suche?q=Teamviewer").get_data(as_text=True)
    assert client.get("/moderation/synonyme").status_code == 403


def test_deleting_a_post_deletes_its_votes_flags_and_versions(app, make_user, make_question,
                                                             make_reply):
    """The (target_type, target_id) references behave like ON DELETE CASCADE: no orphans,
    whichever way a post goes (here a question, and its replies by cascade)."""
    from kitu_exchange.forum import services as forum
    from kitu_exchange.models import Flag, Question, Reply, Revision, User, Vote
    from kitu_exchange.moderation import services as moderation

    asker, other = make_user(), make_user("b@nachbarort.example", authority="nachbarort")
    question_id = make_question(asker)
    reply_id = make_reply(other, question_id)
    with app.app_context():
        person = lambda email: db.session.query(User).filter_by(email=email).one()  # noqa
        reply = db.session.get(Reply, reply_id)
        forum.edit_reply(person(other), reply, "Überarbeitete Antwort mit Rahmenvertrag.", "")
        moderation.toggle_vote(person(asker), reply)
        moderation.flag_post(person(asker), reply, "other", "Bitte prüfen")
        moderation.flag_post(person(other), db.session.get(Question, question_id), "spam", "")
        assert db.session.query(Vote).count() == 1 and db.session.query(Flag).count() == 2
        db.session.delete(db.session.get(Question, question_id))
        db.session.commit()
        assert [db.session.query(model).count() for model in (Vote, Flag, Revision)] == [0, 0, 0]
