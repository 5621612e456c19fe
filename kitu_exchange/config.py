"""Default configuration. Override with KITU_* environment variables or test_config."""
import os

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means: SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Folder of the Whoosh index; None means instance/search-index.
    INDEX_DIR: str | None = None
    # Apply pending index changes right after each commit (off only in special tests).
    SEARCH_SYNC_AFTER_COMMIT = True

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600

    # Requests above these sizes are refused with 413 before they are parsed; single
    # posts are limited by the forms, so that a too-long text comes back with its
    # content kept. The largest form (a solution: three texts of 20,000 characters)
    # is at most about 750 kB url-encoded; no form has more than a few dozen fields.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024  # a url-encoded form, or one multipart field
    MAX_FORM_PARTS = 500

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Sign-in rate limit: failed attempts per e-mail address and per client address
    # within the window before further attempts are refused.
    LOGIN_MAX_FAILURES_PER_EMAIL = 5
    LOGIN_MAX_FAILURES_PER_IP = 30
    LOGIN_WINDOW_SECONDS = 15 * 60
    INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600
    # Public address of the site, e.g. https://exchange.kitu.example: absolute links made
    # outside a request (the invitation link of `flask users create`) start with it.
    BASE_URL: str | None = None

    PAGE_SIZE = 20

    # Seconds a post may take to render before it is kept as plain text (a safety net:
    # rendering is linear, an ordinary post takes milliseconds).
    RENDER_BUDGET_SECONDS = 2.0


def database_url_from_environment() -> str | None:
    """DATABASE_URL is the conventional name; KITU_SQLALCHEMY_DATABASE_URI also works."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url
