"""KITU Exchange: knowledge exchange for the member authorities of the Kommunale IT-UNION."""
import os
import secrets
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config, database_url_from_environment
from .models.unit_of_work import reads_only_now


def create_app(test_config: dict | None = None) -> Flask:
    # INSTANCE_PATH only for tests that need an instance folder of their own.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=(test_config or {}).get("INSTANCE_PATH"))
    app.config.from_object(Config)
    app.config.from_prefixed_env("KITU")
    if url := database_url_from_environment():
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if test_config:
        app.config.update(test_config)
    # Database errors must not carry statement parameters (post bodies, password hashes)
    # into tracebacks and so into the log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    _fill_instance_defaults(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A SQLite connection reads the planner's statistics when it opens; renewing
        # connections hourly lets them see what the poller's ANALYZE found
        # (models/statistics.py).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_recycle"] = 3600
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        # Client address (sign-in throttling, session list) and scheme come from the
        # headers the last `proxies` proxies added; with 0 nobody can spoof them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    _check_secret_key(app)

    from . import cli
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .authorities.views import bp as authorities_bp
    from .errors import register_error_handlers
    from .extensions import babel, csrf, db, login_manager, migrate
    from .feeds.views import bp as feeds_bp
    from .forum.views import bp as forum_bp
    from .health import bp as health_bp
    from .limits import LimitedRequest
    from .library.views import bp as library_bp
    from .mail import notices  # noqa: F401  (mails direct notifications)
    from .mail.views import bp as mail_bp
    from .main.views import bp as main_bp
    from .moderation.views import bp as moderation_bp
    from .notifications.views import bp as notifications_bp
    from .models.unit_of_work import after_commit
    from .request_guards import register_request_guards
    from .search.changes import apply_after_commit
    from .search.views import bp as search_bp
    from .topics.views import bp as topics_bp
    from .web import register_web_helpers

    app.request_class = LimitedRequest
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path),
                                                     "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "de")
    login_manager.init_app(app)
    register_request_guards(app)
    after_commit(app, apply_after_commit)

    for blueprint in (main_bp, auth_bp, forum_bp, library_bp, authorities_bp, topics_bp,
                      admin_bp, search_bp, moderation_bp, account_bp, health_bp,
                      notifications_bp, feeds_bp, mail_bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    register_web_helpers(app)
    cli.register(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # SQLite creates the file but not its folder: on a fresh clone there is none.
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "kitu.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("INDEX_DIR"):
        app.config["INDEX_DIR"] = os.path.join(app.instance_path, "search-index")


def _check_secret_key(app: Flask) -> None:
    """Never sign with a known key: debugging without one gets a random key per start
    (sessions end at a restart); outside tests a key must have at least 32 bytes."""
    key = app.config.get("SECRET_KEY")
    if not key:
        if not (app.debug or app.testing):
            raise RuntimeError("Set KITU_SECRET_KEY, e.g. to the output of "
                               "python -c 'import secrets; print(secrets.token_hex(32))'.")
        app.config["SECRET_KEY"] = key = secrets.token_hex(32)
    if not app.testing and len(str(key).encode()) < 32:
        raise RuntimeError("KITU_SECRET_KEY is too short: use at least 32 bytes, e.g. "
                           "python -c 'import secrets; print(secrets.token_hex(32))'.")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on; WAL and a busy timeout so that several workers can write.

    pysqlite's own transaction handling is switched off (isolation_level None) so that
    `_sqlite_begin` decides how each transaction begins (SQLAlchemy's documented recipe).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """On SQLite, writers take the write lock when their transaction begins.

    A deferred transaction that reads and then writes cannot wait for the lock: once
    another writer has committed since its first read, SQLite fails it at once with
    "database is locked", whatever the busy timeout. `BEGIN IMMEDIATE` waits (up to the
    busy timeout) for the lock instead, and then sees the other writer's work. Only
    GET/HEAD/OPTIONS requests, POST views marked `reads_only` and `reading()` blocks
    (the index applier's and pollers' reads), which only read, begin deferred: with WAL
    they never wait for a writer and never make one wait.
    Every other request, command and worker may write and begins immediate, so writers
    on one SQLite file queue up one at a time.
    """
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN" if reads_only_now() else "BEGIN IMMEDIATE")
