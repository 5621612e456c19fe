"""Fixtures in the flaskr shape: app, client, runner, auth, and factories that call the
real services. The database schema comes from the Alembic migrations, once per session;
each test gets its own copy (SQLite) or emptied tables (PostgreSQL, via DATABASE_URL)."""
import os
import re
import shutil
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from kitu_exchange import create_app
from kitu_exchange.auth import services as accounts
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.moderation import services as moderation
from kitu_exchange.models import Authority, Role, Topic
from kitu_exchange.search.index import ensure_index

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PASSWORD = "ein-sicheres-passwort"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def base_config(database_url: str, index_dir: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INDEX_DIR": str(index_dir),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": "kitu.test",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # No poller threads in the test process; live servers run their own.
        "SEARCH_POLL_SECONDS": 0,
    }


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url if url and url.startswith("postgresql") else None


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database at the newest migration: a template file (SQLite) or the server's."""
    url = postgres_url()
    if url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite3'}"
    app = create_app(base_config(url, tmp_path_factory.mktemp("index")))
    with app.app_context():
        upgrade(directory=str(REPO / "migrations"))
        db.engine.dispose()
    return url


def fresh_database_url(template_url: str, tmp_path: Path) -> str:
    if template_url.startswith("sqlite"):
        path = tmp_path / "test.sqlite3"
        shutil.copy(template_url.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    engine = create_engine(template_url)
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")).scalars().all()
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return template_url


@pytest.fixture
def app_config(migrated_database, tmp_path):
    return base_config(fresh_database_url(migrated_database, tmp_path), tmp_path / "index")


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        ensure_index()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield


def csrf_token(client, url: str = "/anmelden") -> str:
    response = client.get(url)
    match = CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        token = csrf_token(self.client, "/anmelden")
        return self.client.post("/anmelden", data={
            "csrf_token": token, "email": email, "password": password})

    def logout(self):
        return self.client.post("/abmelden", data={"csrf_token": csrf_token(self.client, "/")})

    def post(self, url: str, data: dict | None = None, token_from: str = "/", **kwargs):
        """POST a form as the signed-in user, with a valid CSRF token."""
        return self.client.post(url, data={"csrf_token": csrf_token(self.client, token_from),
                                           **(data or {})}, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_authority(app):
    def make(slug="musterstadt", name=None, kind="Stadt", population=20_000, **fields):
        with app.app_context():
            authority = Authority(slug=slug, name=name or f"Stadt {slug.title()}", kind=kind,
                                  population=population, **fields)
            db.session.add(authority)
            db.session.commit()
            return authority.slug
    return make


@pytest.fixture
def make_topic(app):
    def make(slug="drucker-kopierer", name="Drucker und Kopierer"):
        with app.app_context():
            db.session.add(Topic(slug=slug, name=name, description=""))
            db.session.commit()
            return slug
    return make


@pytest.fixture
def make_user(app, make_authority):
    """make_user("a@x.de", role="moderator", authority="musterstadt") -> e-mail."""
    def make(email="mitglied@musterstadt.example", role=Role.MEMBER, authority="musterstadt",
             name="Erika Mustermann", password=PASSWORD):
        with app.app_context():
            if db.session.query(Authority).filter_by(slug=authority).first() is None:
                make_authority(authority)
            return accounts.create_user(email, name, authority, role, password).email
    return make


def factory_moderator():
    from kitu_exchange.models import User
    moderator = db.session.query(User).filter_by(email="pruefung@kitu.example").first()
    if moderator is None:
        if db.session.query(Authority).filter_by(slug="kitu").first() is None:
            db.session.add(Authority(slug="kitu", name="KITU Geschäftsstelle", kind="Sonstige"))
            db.session.commit()
        moderator = accounts.create_user("pruefung@kitu.example", "Prüfung", "kitu",
                                         Role.MODERATOR, PASSWORD)
    return moderator


def _user(email):
    from kitu_exchange.models import User
    return db.session.query(User).filter_by(email=email).one()


@pytest.fixture
def make_question(app, make_topic):
    def make(author_email, title="Wie vereinheitlichen wir unsere Drucker?",
             body="Wir haben 40 verschiedene Druckermodelle im Rathaus.", topics=None, tags=""):
        with app.app_context():
            if topics is None:
                if db.session.query(Topic).filter_by(slug="drucker-kopierer").first() is None:
                    make_topic()
                topics = ["drucker-kopierer"]
            question = forum.ask_question(_user(author_email), title, body, topics, tags)
            return question.id
    return make


@pytest.fixture
def make_reply(app):
    def make(author_email, question_id, body="Wir haben einen Rahmenvertrag für MFP."):
        with app.app_context():
            return forum.add_reply(_user(author_email), question_id, body).id
    return make


@pytest.fixture
def make_solution(app, make_topic):
    def make(author_email, title="Managed Print für die ganze Verwaltung", status="published",
             approach="Wir haben alle Arbeitsplatzdrucker durch Multifunktionsgeräte ersetzt.",
             **fields):
        with app.app_context():
            if db.session.query(Topic).filter_by(slug="drucker-kopierer").first() is None:
                make_topic()
            values = {"topics": ["drucker-kopierer"], "tags": "managed-print", **fields}
            author = _user(author_email)
            draft = status if status in ("draft", "submitted") else "submitted"
            solution = library.create_solution(author, library.SolutionFields(
                title=title, approach=approach, status=draft, **values))
            if status != draft:  # reviewed by a moderator, as in real life
                decision = {"published": "publish"}.get(status, status.removesuffix("d"))
                moderation.review_solution(factory_moderator(), solution, decision, "")
            return solution.slug
    return make


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here: ../shared sits beside the checkout only on the "
                    "team's machines and in CI")
    return path
