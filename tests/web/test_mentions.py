"""Mentions (issue 9, item 3): @handle tells that person, @authority-slug the members of
that authority who follow it; code is no mention; links are safe; suggestions."""
import json

from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, User
from kitu_exchange.notifications.mentions import handle_base
from tests.conftest import A, B, MOD
from tests.web.notification_helpers import follow_as, id_of, kinds_of, sentences_of

C = "c@nachbarort.example"


def handle_of(app, email):
    with app.app_context():
        return db.session.query(User).filter_by(email=email).one().handle


def test_handles_are_derived_from_names_unique_and_shown(app, client, auth, people, make_user):
    assert handle_of(app, A) == "anna-autorin"
    assert handle_base("Jürgen Weiß-Ölmüller") == "juergen-weiss-oelmueller"
    assert handle_base("??") == "mitglied"
    make_user("anna2@nachbarort.example", authority="nachbarort", name="Anna Autorin")
    assert handle_of(app, "anna2@nachbarort.example") == "anna-autorin-2"
    # A handle never takes an authority's slug: @musterstadt stays the authority.
    make_user("m@musterstadt.example", name="Musterstadt")
    assert handle_of(app, "m@musterstadt.example") == "musterstadt-2"
    auth.login(B)
    page = client.get("/personen/anna-autorin").get_data(as_text=True)
    assert "Anna Autorin" in page and "@anna-autorin" in page and "Stadt Musterstadt" in page
    assert client.get("/personen/niemand").status_code == 404
    assert "@bernd-beispiel" in client.get("/konto/").get_data(as_text=True)


def test_mention_in_a_question_notifies_and_links_but_not_in_code(app, client, auth, people,
                                                                  make_user):
    make_user(C, authority="nachbarort", name="Carla Cramer")
    auth.login(A)
    body = ("Was meint @bernd-beispiel dazu? Und `@carla-cramer` im Code nicht.\n\n"
            "```\n@carla-cramer auch nicht\n```\n\n"
            "Mail an anna@carla-cramer.example ist keine Erwähnung, @niemand-da auch nicht.")
    response = auth.post("/fragen/neu", {"title": "Erwähnungen in einer Frage testen",
                                         "body": body, "topics": ["drucker-kopierer"]},
                         token_from="/fragen/neu")
    assert response.status_code == 302
    assert kinds_of(app, B) == ["mention"]
    assert sentences_of(app, B) == [
        "Anna Autorin (Stadt Musterstadt) hat Sie in „Erwähnungen in einer Frage testen“ "
        "erwähnt."]
    assert kinds_of(app, C) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<a href="/personen/bernd-beispiel" rel="nofollow noopener">@bernd-beispiel</a>' in page
    assert "<code>@carla-cramer</code>" in page and "/personen/carla-cramer" not in page
    assert "/personen/niemand-da" not in page


def test_mention_in_reply_and_edit_notifies_once(app, client, auth, people, make_user,
                                                 make_question):
    make_user(C, authority="nachbarort", name="Carla Cramer")
    question = make_question(A)
    auth.login(B)
    auth.post(f"/fragen/{question}/antworten", {"body": "Frag mal @Carla-Cramer."})
    assert kinds_of(app, C) == ["mention"]
    assert kinds_of(app, A) == ["question_reply"]  # the asker: one notification, not two
    auth.post(f"/fragen/{question}/antworten", {"body": "Und @anna-autorin weiß es auch."})
    assert kinds_of(app, A) == ["question_reply", "question_reply"]
    auth.logout()
    auth.login(A)
    edit = f"/fragen/{question}/bearbeiten"
    form = {"title": "Wie vereinheitlichen wir unsere Drucker?", "topics": ["drucker-kopierer"],
            "body": "Nachtrag: @carla-cramer und @bernd-beispiel, was meint ihr?"}
    assert auth.post(edit, form, token_from=edit).status_code == 302
    assert kinds_of(app, C) == ["mention", "mention"]
    assert kinds_of(app, B)[-1] == "mention"
    count = len(kinds_of(app, B))
    form["body"] += " Noch ein Satz."
    auth.post(edit, form, token_from=edit)
    assert len(kinds_of(app, B)) == count and kinds_of(app, C) == ["mention", "mention"]
    assert kinds_of(app, A).count("mention") == 0  # never told of one's own mention


def test_mention_in_a_solution_is_told_when_it_is_published(app, client, auth, people,
                                                           make_user):
    auth.login(A)
    form = {"title": "Lösung mit einer Erwähnung darin", "approach": "Dank an @bernd-beispiel.",
            "topics": ["drucker-kopierer"], "status": "submitted"}
    response = auth.post("/loesungen/neu", form, token_from="/loesungen/neu")
    assert response.status_code == 302
    assert kinds_of(app, B) == []  # not public yet: B could not open it
    slug = response.headers["Location"].rsplit("/", 1)[1]
    auth.logout()
    auth.login(MOD)
    auth.post(f"/loesungen/{slug}/pruefen", {"decision": "publish", "comment": ""},
              token_from=f"/loesungen/{slug}")
    assert kinds_of(app, B) == ["mention"]


def test_authority_mention_tells_its_members_who_follow_it(app, client, auth, people,
                                                          make_user, make_question):
    make_user(C, authority="nachbarort", name="Carla Cramer")
    make_user("d@drittstadt.example", authority="drittstadt", name="Dora Dahl")
    nachbarort = id_of(app, Authority, slug="nachbarort")
    follow_as(app, C, "authority", nachbarort)
    follow_as(app, "d@drittstadt.example", "authority", nachbarort)  # not a member
    make_question(A, body="Hat @nachbarort schon Erfahrungen damit?")
    assert kinds_of(app, C) == ["authority_mention"]
    assert kinds_of(app, B) == []  # a member, but does not follow the authority
    assert kinds_of(app, "d@drittstadt.example") == []  # follows it, but no member
    assert sentences_of(app, C) == [
        "Anna Autorin (Stadt Musterstadt) hat Stadt Nachbarort in „Wie vereinheitlichen wir "
        "unsere Drucker?“ erwähnt."]


def test_mention_links_are_safe(app, client, auth, people):
    auth.login(A)
    body = '@bernd-beispiel"><script>alert(1)</script> [@bernd-beispiel](javascript:alert(1))'
    response = auth.post("/fragen/neu", {"title": "Sichere Erwähnungen im Text",
                                         "body": body, "topics": ["drucker-kopierer"]},
                         token_from="/fragen/neu")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "javascript:" not in page
    assert '<a href="/personen/bernd-beispiel" rel="nofollow noopener">@bernd-beispiel</a>' in page


def test_suggestions_for_signed_in_members_only_active_at_most_eight(
        app, client, auth, people, make_user):
    for number in range(10):
        make_user(f"s{number}@nachbarort.example", authority="nachbarort",
                  name=f"Sabine Sommer {number}")
    make_user("weg@nachbarort.example", authority="nachbarort", name="Sabine Weg")
    with app.app_context():
        db.session.query(User).filter_by(email="weg@nachbarort.example").one().active = False
        db.session.commit()
    assert client.get("/personen/vorschlaege?q=sab").status_code == 302  # to sign-in
    auth.login(A)
    found = json.loads(client.get("/personen/vorschlaege?q=@sab").get_data(as_text=True))
    assert len(found) == 8
    assert all(person["handle"].startswith("sabine-sommer") for person in found)
    assert found[0] == {"handle": "sabine-sommer-0", "name": "Sabine Sommer 0",
                        "authority": "Stadt Nachbarort"}
    by_surname = json.loads(client.get("/personen/vorschlaege?q=beisp").get_data(as_text=True))
    assert [p["handle"] for p in by_surname] == ["bernd-beispiel"]
    assert json.loads(client.get("/personen/vorschlaege?q=").get_data(as_text=True)) == []
    assert json.loads(client.get("/personen/vorschlaege?q=%25").get_data(as_text=True)) == []
    assert client.get("/personen/vorschlaege?q=" + "x" * 5000).status_code == 200


def test_export_and_deletion_cover_follows_notifications_and_handle(
        app, client, auth, people, make_question, make_reply):
    from tests.conftest import PASSWORD
    from kitu_exchange.models import Follow, Notification
    question = make_question(B)
    make_reply(A, question)
    auth.login(B)
    data = json.loads(client.get("/konto/daten.json").get_data(as_text=True))
    assert data["account"]["handle"] == "bernd-beispiel"
    assert data["follows"] == [{"target_kind": "question", "target_id": question,
                                "created_at": data["follows"][0]["created_at"]}]
    assert [n["kind"] for n in data["notifications"]] == ["question_reply"]
    assert "Anna" not in json.dumps(data["notifications"])
    response = auth.post("/konto/loeschen", {"password": PASSWORD}, token_from="/konto/loeschen")
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(id=data["account"]["id"]).one()
        assert user.handle is None
        assert db.session.query(Follow).filter_by(user_id=user.id).count() == 0
        assert db.session.query(Notification).filter_by(recipient_id=user.id).count() == 0
    auth.login(A)
    assert client.get("/personen/bernd-beispiel").status_code == 404


def test_many_mentions_render_in_bounded_time_with_few_lookups(app, people):
    import time

    from kitu_exchange.forms import BODY_MAX
    from kitu_exchange.notifications.mentions import MAX_MENTIONS, Mentions
    from kitu_exchange.rendering import render_markdown
    texts = [("@bernd-beispiel " * BODY_MAX)[:BODY_MAX],
             " ".join(f"@name-{n}" for n in range(BODY_MAX))[:BODY_MAX],
             ("@" * BODY_MAX), ("@a-" * BODY_MAX)[:BODY_MAX]]
    with app.test_request_context():
        for text in texts:
            mentions = Mentions()
            cpu = time.thread_time()
            html = render_markdown(text, mentions)
            assert time.thread_time() - cpu < 2.0
            assert "als reiner Text gespeichert" not in html
            assert len(mentions._seen) <= MAX_MENTIONS
