"""In-app notifications (issue 9, item 2): every event tells the right people, never the
actor, never about what they cannot open; the bell, the list, marking read."""
import re

from kitu_exchange.extensions import db
from kitu_exchange.models import Notification, Question, Solution
from tests.conftest import A, B, MOD
from tests.web.notification_helpers import (all_notifications, follow_as, kinds_of,
                                            sentences_of, topic_id, unread_in_header)

C = "c@drittstadt.example"
D = "d@drittstadt.example"


def more_people(make_user):
    make_user(C, authority="drittstadt", name="Carla Cramer")
    make_user(D, authority="drittstadt", name="Dora Dahl")


def test_reply_tells_the_asker_and_followers_but_not_the_replier(
        app, client, auth, people, make_user, make_question):
    more_people(make_user)
    question = make_question(A, title="Wie archiviert ihr E-Mails revisionssicher?")
    follow_as(app, C, "question", question)
    auth.login(B)
    response = auth.post(f"/fragen/{question}/antworten", {"body": "Mit einem Archivsystem."},
                         token_from="/")
    assert response.status_code == 302
    assert kinds_of(app, A) == ["question_reply"]
    assert kinds_of(app, C) == ["followed_reply"]
    assert kinds_of(app, B) == [] and kinds_of(app, D) == []
    assert sentences_of(app, A) == [
        "Bernd Beispiel (Stadt Nachbarort) hat auf Ihre Frage „Wie archiviert ihr E-Mails "
        "revisionssicher?“ geantwortet."]
    # B replied and so follows the question now: C's reply tells A and B, not C.
    auth.logout()
    auth.login(C)
    auth.post(f"/fragen/{question}/antworten", {"body": "Wir auch."},
              token_from="/")
    assert kinds_of(app, A) == ["question_reply", "question_reply"]
    assert kinds_of(app, B) == ["followed_reply"]
    assert kinds_of(app, C) == ["followed_reply"]


def test_accepting_tells_the_reply_author_once(app, auth, people, make_question, make_reply):
    question = make_question(A)
    reply = make_reply(B, question)
    auth.login(A)
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren",
                     token_from="/").status_code == 302
    assert kinds_of(app, B) == ["reply_accepted"]
    assert kinds_of(app, A) == ["question_reply"]  # from B's reply; nothing for accepting


def test_new_question_tells_followers_of_its_topic_tag_and_authority_once_each(
        app, auth, client, people, make_user, make_question, make_topic):
    more_people(make_user)
    make_user("e@nachbarort.example", authority="nachbarort", name="Emil Ernst")
    make_topic("e-akte", "E-Akte")
    make_question(B, topics=["drucker-kopierer"], tags="toner")  # makes the tag
    from tests.web.notification_helpers import tag_id
    follow_as(app, C, "topic", topic_id(app))
    follow_as(app, D, "tag", tag_id(app, "toner"))
    follow_as(app, D, "topic", topic_id(app))  # both: still one notification
    follow_as(app, "e@nachbarort.example", "authority",
              app_id_of_authority(app, "musterstadt"))
    follow_as(app, A, "topic", topic_id(app))  # the asker follows too: not told of herself
    before = len(all_notifications(app))
    auth.login(A)
    response = auth.post("/fragen/neu", {"title": "Toner-Bestellung zentral organisieren?",
                                         "body": "Wer bestellt bei euch?",
                                         "topics": ["drucker-kopierer"], "tags": "toner"},
                         token_from="/fragen/neu")
    assert response.status_code == 302
    new = all_notifications(app)[before:]
    assert sorted(new) == [(C, "new_question"), (D, "new_question"),
                           ("e@nachbarort.example", "new_question")]
    assert sentences_of(app, C)[-1] == ("Neue Frage von Anna Autorin (Stadt Musterstadt): "
                                        "„Toner-Bestellung zentral organisieren?“.")


def app_id_of_authority(app, slug):
    from kitu_exchange.models import Authority
    from tests.web.notification_helpers import id_of
    return id_of(app, Authority, slug=slug)


def review(auth, slug, decision, comment=""):
    return auth.post(f"/loesungen/{slug}/pruefen", {"decision": decision, "comment": comment},
                     token_from=f"/loesungen/{slug}")


def test_review_decisions_tell_the_author_and_publication_tells_followers(
        app, client, auth, people, make_user, make_solution):
    more_people(make_user)
    follow_as(app, C, "topic", topic_id(app))
    slug = make_solution(A, title="Digitale Rechnungseingangsbearbeitung", status="submitted")
    assert kinds_of(app, C) == []  # a submitted solution is nobody's news
    auth.login(MOD)
    assert review(auth, slug, "send_back", "Bitte Kosten ergänzen.").status_code == 302
    assert kinds_of(app, A) == ["solution_sent_back"]
    assert sentences_of(app, A)[-1] == (
        "Ihre Lösung „Digitale Rechnungseingangsbearbeitung“ wurde zur Überarbeitung "
        "zurückgegeben. Hinweis der Moderation: Bitte Kosten ergänzen.")
    assert kinds_of(app, C) == []  # a draft sent back: still nobody's news
    response = review(auth, slug, "publish")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert kinds_of(app, A) == ["solution_sent_back", "solution_published"]
    assert kinds_of(app, C) == ["new_solution"]
    review(auth, slug, "best_practice")
    assert kinds_of(app, A)[-1] == "solution_best_practice"
    assert kinds_of(app, C) == ["new_solution"]  # not news twice
    assert kinds_of(app, MOD) == []


def test_reuse_tells_the_author_and_the_followers_of_the_solution(
        app, auth, people, make_user, make_solution):
    more_people(make_user)
    slug = make_solution(A)
    solution = app_id(app, Solution, slug=slug)
    follow_as(app, C, "solution", solution)
    auth.login(B)
    response = auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "in_use", "note": ""},
                         token_from=f"/loesungen/{slug}")
    assert response.status_code == 302
    assert kinds_of(app, A) == ["solution_published", "solution_reused"]
    assert sentences_of(app, A)[-1:] == [
        "Stadt Nachbarort nutzt Ihre Lösung „Managed Print für die ganze Verwaltung“ nach."]
    assert kinds_of(app, C) == ["followed_reuse"]
    assert kinds_of(app, B) == []
    # Changing the stage of the same re-use is no news.
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "planned", "note": ""},
              token_from=f"/loesungen/{slug}")
    assert kinds_of(app, A) == ["solution_published", "solution_reused"]


def app_id(app, model, **by):
    from tests.web.notification_helpers import id_of
    return id_of(app, model, **by)


def test_hiding_tells_the_author_and_takes_the_post_out_of_others_lists(
        app, client, auth, people, make_user, make_question):
    more_people(make_user)
    follow_as(app, C, "topic", topic_id(app))
    question = make_question(A, title="Werbung für Tonerkartuschen hier")
    assert kinds_of(app, C) == ["new_question"]
    auth.login(C)
    page = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Werbung für Tonerkartuschen hier" in page and unread_in_header(page) == 1
    notification = re.search(r"/benachrichtigungen/(\d+)", page).group(1)
    auth.logout()
    auth.login(MOD)
    assert auth.post(f"/moderation/ausblenden/question/{question}",
                     {"note": "Werbung"}).status_code == 302
    auth.logout()
    assert kinds_of(app, A) == ["post_hidden"]
    assert sentences_of(app, A) == [
        "Ihr Beitrag „Werbung für Tonerkartuschen hier“ wurde ausgeblendet. Grund: Werbung"]
    auth.login(C)  # the notification is still stored, but C can no longer open the post
    page = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Werbung für Tonerkartuschen hier" not in page and unread_in_header(page) == 0
    assert client.get(f"/benachrichtigungen/{notification}").status_code == 404
    auth.logout()
    auth.login(A)  # the author still sees it, with the reason, and can open it
    page = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Grund: Werbung" in page
    own = re.search(r"/benachrichtigungen/(\d+)", page).group(1)
    assert client.get(f"/benachrichtigungen/{own}").status_code == 302


def test_hidden_and_draft_posts_never_notify(app, auth, people, make_user, make_question,
                                             make_reply, make_solution):
    more_people(make_user)
    follow_as(app, C, "topic", topic_id(app))
    make_solution(A, title="Ein Entwurf im gefolgten Themenfeld", status="draft")
    question = make_question(B)
    follow_as(app, C, "question", question)
    reply = make_reply(A, question, "Eine Antwort, die gleich verschwindet.")
    auth.login(MOD)
    auth.post(f"/moderation/ausblenden/reply/{reply}", {"note": "Falscher Ort"})
    auth.post(f"/moderation/ausblenden/question/{question}", {"note": "Doppelt"})
    auth.logout()
    before = kinds_of(app, C)
    assert before == ["new_question", "followed_reply"]
    make_reply(B, question, "Noch eine Antwort auf die ausgeblendete Frage.")  # its author
    assert kinds_of(app, C) == before  # the question is hidden: followers hear nothing
    auth.login(C)
    assert unread_in_header(auth.client.get("/").get_data(as_text=True)) == 0


def test_flag_resolution_tells_the_author(app, client, auth, people, make_question):
    question = make_question(A)
    auth.login(B)
    auth.post(f"/melden/question/{question}", {"reason": "outdated", "text": ""},
              token_from=f"/melden/question/{question}")
    auth.logout()
    auth.login(MOD)
    flag = re.search(r"/moderation/meldungen/(\d+)",
                     client.get("/moderation").get_data(as_text=True)).group(1)
    auth.post(f"/moderation/meldungen/{flag}", {"action": "dismiss", "note": "Ist aktuell"})
    assert kinds_of(app, A) == ["flag_resolved"]
    assert "die Meldung wurde verworfen" in sentences_of(app, A)[0]
    assert kinds_of(app, B) == [] and kinds_of(app, MOD) == []


def test_pending_change_review_tells_its_editor(app, auth, people, make_solution):
    slug = make_solution(A)
    auth.login(A)
    form = {"title": "Managed Print für die ganze Verwaltung", "approach": "Neu gefasst.",
            "topics": ["drucker-kopierer"], "status": "published", "reason": "Update"}
    auth.post(f"/loesungen/{slug}/bearbeiten", form, token_from=f"/loesungen/{slug}/bearbeiten")
    auth.logout()
    auth.login(MOD)
    response = auth.post(f"/loesungen/{slug}/aenderung",
                         {"decision": "send_back", "comment": "Bitte belegen."},
                         token_from=f"/loesungen/{slug}/aenderung")
    assert response.status_code == 302
    assert kinds_of(app, A)[-1] == "change_sent_back"
    assert "Bitte belegen." in sentences_of(app, A)[-1]


def test_bell_list_open_and_mark_all_read(app, client, auth, people, make_question,
                                          make_reply):
    first = make_question(A, title="Erste Frage zu Druckern im Amt")
    second = make_question(A, title="Zweite Frage zu Druckern im Amt")
    make_reply(B, first, "Antwort eins.")
    make_reply(B, second, "Antwort zwei.")
    auth.login(A)
    page = client.get("/").get_data(as_text=True)
    assert unread_in_header(page) == 2
    # Said in words for screen readers, the number beside the icon for the eye.
    assert '<span class="visually-hidden">Benachrichtigungen, 2 ungelesen</span>' in page
    assert '<span class="bell__count" aria-hidden="true">2</span></a>' in page
    listing = client.get("/benachrichtigungen").get_data(as_text=True)
    # newest first, unread said in words
    assert listing.index("Zweite Frage") < listing.index("Erste Frage")
    assert listing.count(">Ungelesen<") == 2
    ids = re.findall(r"/benachrichtigungen/(\d+)\"", listing)
    response = client.get(f"/benachrichtigungen/{ids[-1]}")
    assert response.status_code == 302
    with app.app_context():
        reply_id = db.session.scalar(db.select(Notification.reply_id).filter_by(
            id=int(ids[-1])))
    assert re.search(rf"/fragen/{first}-[\w-]+#antwort-{reply_id}$", response.headers["Location"])
    assert unread_in_header(client.get("/").get_data(as_text=True)) == 1
    response = auth.post("/benachrichtigungen/alle-gelesen", token_from="/benachrichtigungen")
    assert response.status_code == 302
    listing = client.get("/benachrichtigungen").get_data(as_text=True)
    assert unread_in_header(listing) == 0 and ">Ungelesen<" not in listing
    assert "Alle als gelesen markieren" not in listing
    # Someone else's notification is not there for B.
    auth.logout()
    auth.login(B)
    assert client.get(f"/benachrichtigungen/{ids[0]}").status_code == 404
    assert client.post("/benachrichtigungen/alle-gelesen").status_code == 400  # no CSRF


def test_list_is_paginated(app, client, auth, people, make_question, make_reply):
    question = make_question(A)
    for number in range(31):
        make_reply(B, question, f"Antwort Nummer {number}.")
    auth.login(A)
    first = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Seite 1 von 2" in first and len(re.findall(r"/benachrichtigungen/\d+\"", first)) == 30
    second = client.get("/benachrichtigungen?page=2").get_data(as_text=True)
    assert len(re.findall(r"/benachrichtigungen/\d+\"", second)) == 1


def test_inactive_people_are_not_notified(app, auth, people, make_user, make_question):
    more_people(make_user)
    follow_as(app, C, "topic", topic_id(app))
    from kitu_exchange.models import User
    with app.app_context():
        db.session.query(User).filter_by(email=C).one().active = False
        db.session.commit()
    make_question(A)
    assert kinds_of(app, C) == []


def test_signal_carries_each_batch_with_ids(app, people, make_user, make_question):
    from kitu_exchange.notifications.services import notification_created
    more_people(make_user)
    follow_as(app, C, "topic", topic_id(app))
    follow_as(app, D, "topic", topic_id(app))
    batches = []

    def receive(sender, notifications, kind):
        batches.append((sender, kind, notifications.ids,
                        [(n.id, n.kind, n.recipient.email) for n in notifications]))

    with notification_created.connected_to(receive):
        make_question(A)
    assert len(batches) == 1
    sender, kind, ids, loaded = batches[0]
    assert sender is app and kind == "new_question" and len(ids) == 2
    assert sorted(loaded) == sorted([(ids[0], "new_question", loaded[0][2]),
                                     (ids[1], "new_question", loaded[1][2])])
    assert {email for _id, _kind, email in loaded} == {C, D}
