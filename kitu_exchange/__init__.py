"""KITU Exchange: knowledge exchange for the member authorities of the Kommunale IT-UNION."""
import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import DEFAULT_SECRET_KEY, Config, database_url_from_environment


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("KITU")
    if url := database_url_from_environment():
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if test_config:
        app.config.update(test_config)
    _fill_instance_defaults(app)
    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not (app.debug or app.testing):
        raise RuntimeError("Set KITU_SECRET_KEY: the default secret key is only for "
                           "debugging and tests.")

    from . import cli
    from .account.views import bp as account_bp
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .authorities.views import bp as authorities_bp
    from .errors import register_error_handlers
    from .extensions import babel, csrf, db, login_manager, migrate
    from .forum.views import bp as forum_bp
    from .limits import LimitedRequest
    from .library.views import bp as library_bp
    from .main.views import bp as main_bp
    from .moderation.views import bp as moderation_bp
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

    for blueprint in (main_bp, auth_bp, forum_bp, library_bp, authorities_bp, topics_bp,
                      admin_bp, search_bp, moderation_bp, account_bp):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    register_web_helpers(app)
    cli.register(app)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "kitu.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config.get("INDEX_DIR"):
        app.config["INDEX_DIR"] = os.path.join(app.instance_path, "search-index")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on; WAL and a busy timeout so that several workers can write."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
