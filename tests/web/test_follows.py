"""Following and unfollowing (issue 9, item 1): buttons with CSRF on every followable
page, the "Gefolgt" page, and automatic follows that the settings switch."""
from kitu_exchange.models import Authority, Solution
from tests.conftest import A, B, MOD
from tests.web.notification_helpers import follow, follows_of, id_of, tag_id, topic_id


def test_follow_and_unfollow_a_topic_with_the_button(app, client, auth, people):
    auth.login(B)
    page = client.get("/themen/drucker-kopierer").get_data(as_text=True)
    assert ">Folgen<" in page and "Nicht mehr folgen" not in page
    response = auth.post("/folgen", {"kind": "topic", "target_id": str(topic_id(app)),
                                     "next": "/themen/drucker-kopierer"},
                         token_from="/themen/drucker-kopierer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/themen/drucker-kopierer"
    assert follows_of(app, B) == {("topic", topic_id(app))}
    page = client.get("/themen/drucker-kopierer").get_data(as_text=True)
    assert "Sie folgen diesem Themenfeld." in page and "Nicht mehr folgen" in page
    # Following twice is no error and no second row.
    assert follow(auth, "topic", topic_id(app)).status_code == 302
    assert follows_of(app, B) == {("topic", topic_id(app))}
    response = auth.post("/folgen/beenden", {"kind": "topic", "target_id": str(topic_id(app)),
                                             "next": "/themen/drucker-kopierer"})
    assert response.status_code == 302 and follows_of(app, B) == set()


def test_follow_without_csrf_token_is_refused(app, client, auth, people):
    auth.login(B)
    response = client.post("/folgen", data={"kind": "topic", "target_id": str(topic_id(app))})
    assert response.status_code == 400 and follows_of(app, B) == set()
    follow(auth, "topic", topic_id(app))
    response = client.post("/folgen/beenden", data={"kind": "topic",
                                                    "target_id": str(topic_id(app))})
    assert response.status_code == 400 and follows_of(app, B) == {("topic", topic_id(app))}


def test_every_followable_page_has_the_button(app, client, auth, people, make_question,
                                              make_solution):
    question = make_question(A, tags="toner")
    slug = make_solution(A)
    auth.login(B)
    pages = {f"/fragen/{question}": ("question", question),
             f"/loesungen/{slug}": ("solution", id_of(app, Solution, slug=slug)),
             "/themen/drucker-kopierer": ("topic", topic_id(app)),
             "/fragen?schlagwort=toner": ("tag", tag_id(app, "toner")),
             "/kommunen/musterstadt": ("authority", id_of(app, Authority, slug="musterstadt"))}
    for url, (kind, target) in pages.items():
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert f'name="kind" type="hidden" value="{kind}"' in page, url
        assert f'name="target_id" type="hidden" value="{target}"' in page, url
        assert follow(auth, kind, target).status_code == 302
        page = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "Nicht mehr folgen" in page, url
    assert len(follows_of(app, B)) == 5
    following = client.get("/gefolgt").get_data(as_text=True)
    for heading in ("Fragen", "Lösungen", "Themenfelder", "Schlagwörter", "Kommunen"):
        assert f">{heading}</h2>" in following
    assert "Drucker und Kopierer" in following and "toner" in following
    assert following.count("Nicht mehr folgen") == 5
    response = auth.post("/folgen/beenden", {"kind": "tag", "target_id": str(tag_id(app, "toner")),
                                             "next": "/gefolgt"}, token_from="/gefolgt")
    assert response.headers["Location"] == "/gefolgt"
    assert len(follows_of(app, B)) == 4


def test_nobody_follows_what_they_cannot_open(app, client, auth, people, make_question,
                                              make_solution):
    question = make_question(A)
    draft = id_of(app, Solution, slug=make_solution(A, title="Ein geheimer Entwurf",
                                                    status="draft"))
    auth.login(MOD)
    auth.post(f"/moderation/ausblenden/question/{question}", {"note": "Spam"})
    auth.logout()
    auth.login(B)
    assert follow(auth, "question", question).status_code == 404
    assert follow(auth, "solution", draft).status_code == 404
    assert follow(auth, "topic", 9999).status_code == 404
    assert follow(auth, "kaese", 1).status_code == 404
    assert auth.post("/folgen", {"kind": "topic", "target_id": "abc"}).status_code == 404
    assert follows_of(app, B) == set()


def test_follow_only_redirects_within_the_site(app, client, auth, people):
    auth.login(B)
    for target in ("//evil.example/", "https://evil.example/"):
        response = auth.post("/folgen", {"kind": "topic", "target_id": str(topic_id(app)),
                                         "next": target})
        assert response.headers["Location"] == "/gefolgt"


def test_asking_replying_and_reuse_follow_automatically(app, client, auth, people,
                                                        make_question, make_solution):
    slug = make_solution(A)
    solution = id_of(app, Solution, slug=slug)
    auth.login(B)
    auth.post("/fragen/neu", {"title": "Welche Scanner nutzt ihr im Bürgerbüro?",
                              "body": "Wir suchen Scanner.", "topics": ["drucker-kopierer"]},
              token_from="/fragen/neu")
    other = make_question(A, title="Noch eine Frage zu Multifunktionsgeräten")
    auth.post(f"/fragen/{other}/antworten", {"body": "Wir nutzen Geräte von Hersteller X."})
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "planned", "note": ""},
              token_from=f"/loesungen/{slug}")
    kinds = sorted(kind for kind, _id in follows_of(app, B))
    assert kinds == ["question", "question", "solution"]
    assert ("question", other) in follows_of(app, B)
    assert ("solution", solution) in follows_of(app, B)


def follow_section(page: str) -> str:
    """The automatic-follow section of the settings page (the mail choices have
    checkboxes of their own)."""
    start = page.index('id="folgen"')
    return page[start:page.index("</section>", start)]


def test_settings_switch_automatic_follows_off(app, client, auth, people, make_question,
                                               make_solution):
    slug = make_solution(A)
    auth.login(B)
    settings = follow_section(client.get("/konto/").get_data(as_text=True))
    assert "Automatisch folgen" in settings
    assert settings.count('type="checkbox"') >= 3 and settings.count("checked") == 3
    response = auth.post("/konto/benachrichtigungen", {"follow_on_ask": "y"},
                         token_from="/konto/")
    assert response.status_code == 302
    settings = follow_section(client.get("/konto/").get_data(as_text=True))
    assert settings.count("checked") == 1
    question = make_question(A)
    auth.post(f"/fragen/{question}/antworten", {"body": "Antwort ohne Folgen."})
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "planned", "note": ""},
              token_from=f"/loesungen/{slug}")
    assert follows_of(app, B) == set()
    auth.post("/fragen/neu", {"title": "Diese Frage folgt man noch automatisch",
                              "body": "Text.", "topics": ["drucker-kopierer"]},
              token_from="/fragen/neu")
    assert [kind for kind, _id in follows_of(app, B)] == ["question"]
    # Without a CSRF token nothing changes.
    assert client.post("/konto/benachrichtigungen", data={}).status_code == 400
    assert follow_section(client.get("/konto/").get_data(as_text=True)).count("checked") == 1
