"""Changes to what a post's search document holds, made elsewhere than on the post, reach
the index without a manual sync; applied changes are pruned once every host passed them."""
from dataclasses import asdict
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kitu_exchange.authorities.services import AuthorityFields, save_authority
from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, Role, SearchChange, SearchCursor, Topic, User, utcnow
from kitu_exchange.search import index as search_index
from kitu_exchange.topics.services import save_topic
from tests.services.test_index_integrity import wait_until

MEMBER = "m@musterstadt.example"
ADMIN = "admin@kitu.example"
SLUG = "druckerflotte-im-bauamt-erneuern"


@pytest.fixture
def post(make_user, make_question):
    make_user(MEMBER)
    make_user(ADMIN, role=Role.ADMIN, authority="kitu")
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")


def admin() -> User:
    return db.session.scalar(select(User).filter_by(email=ADMIN))


@pytest.fixture
def client(client, auth, post):
    auth.login(MEMBER)
    return client


def search(client, **params) -> str:
    response = client.get("/suche", query_string={"q": "Druckerflotte", **params})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_renamed_topic_finds_its_posts(app, client, post):
    with app.app_context():
        topic = db.session.scalar(select(Topic).filter_by(slug="drucker-kopierer"))
        save_topic(admin(), topic, "drucken", "Drucken im Amt", "")
    page = search(client, thema="drucken")
    assert SLUG in page and "Drucken im Amt" in page
    assert SLUG not in search(client, thema="drucker-kopierer")


def change_authority(**changes) -> None:
    authority = db.session.scalar(select(Authority).filter_by(slug="musterstadt"))
    fields = AuthorityFields(slug=authority.slug, name=authority.name, kind=authority.kind,
                             state=authority.state, population=authority.population)
    save_authority(admin(), authority, AuthorityFields(**{**asdict(fields), **changes}))


@pytest.mark.parametrize("changes, filters", [
    ({"kind": "Landkreis"}, {"kommunenart": "Landkreis"}),
    ({"population": 120_000}, {"groesse": "gt50k"}),
])
def test_authority_changes_reach_its_posts(app, client, post, changes, filters):
    assert SLUG not in search(client, **filters)
    with app.app_context():
        change_authority(**changes)
    assert SLUG in search(client, **filters)


def test_renamed_authority_shows_in_results(app, client, post):
    # The name is not in the index: results show the database's current name.
    with app.app_context():
        change_authority(name="Hansestadt Musterstadt")
    assert "Hansestadt Musterstadt" in search(client)


def change_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(SearchChange.id)))


def heartbeat(app) -> None:
    """This host reports its position now (not only every HEARTBEAT_SECONDS)."""
    search_index._heartbeats.clear()
    with app.app_context():
        search_index.sync(wait=True)


def test_applied_changes_are_pruned_once_every_host_passed_them(app, post, make_question):
    with app.app_context():
        db.session.add(SearchCursor(host="other-host", position=0, updated_at=utcnow()))
        db.session.commit()
    for number in range(3):
        make_question(MEMBER, title=f"Kopierer Nummer {number} tauschen")
    heartbeat(app)
    assert change_count(app) == 4  # the other host has not passed them
    with app.app_context():
        other = db.session.get(SearchCursor, "other-host")
        other.updated_at = utcnow() - timedelta(days=30)  # long gone: no longer counted
        db.session.commit()
    heartbeat(app)
    assert change_count(app) <= 1  # SQLite keeps the newest id so that ids never repeat
    make_question(MEMBER, title="Scanner im Standesamt tauschen")
    with app.app_context(), search_index.open_index().searcher() as searcher:
        assert search_index.pending_count() == 0
        assert "question/scanner-im-standesamt-tauschen" in {
            fields["doc_id"] for fields in searcher.all_stored_fields()}


def test_host_silent_longer_than_the_cursor_ttl_rebuilds(app, post):
    heartbeat(app)
    with app.app_context():
        own = db.session.get(SearchCursor, search_index.host_key())
        own.updated_at = utcnow() - timedelta(days=30)
        db.session.commit()
        before = search_index.current_generation()
    heartbeat(app)  # changes it never saw may be pruned: it rebuilds by itself

    def rebuilt():
        with app.app_context():
            return (not search_index._rebuilding.is_set()
                    and search_index.current_generation() != before
                    and search_index.open_index() is not None)
    assert wait_until(rebuilt, 30) is not None


def test_search_watch_applies_what_no_web_process_applied(app, runner, post, make_question):
    # The writer's own attempt after its commit finds the applier lock taken.
    with app.app_context(), search_index.file_lock(
            search_index.root() / search_index.SYNC_LOCK, wait=True):
        make_question(MEMBER, title="Scanner im Standesamt tauschen")
    with app.app_context():
        assert search_index.pending_count() == 1
    result = runner.invoke(args=["search", "watch", "--seconds", "1.5", "--interval", "0.2"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert search_index.pending_count() == 0
    with app.app_context(), search_index.file_lock(
            search_index.root() / search_index.SYNC_LOCK, wait=True):
        make_question(MEMBER, title="Kopierer im Standesamt tauschen")
    assert runner.invoke(args=["search", "watch", "--once"]).exit_code == 0
    with app.app_context():
        assert search_index.pending_count() == 0
