"""Default configuration. Override with KITU_* environment variables or test_config."""
import os


class Config:
    # Required outside debugging and tests (KITU_SECRET_KEY, at least 32 bytes).
    SECRET_KEY: str | None = None
    # None means: SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Folder of the Whoosh index; None means instance/search-index.
    INDEX_DIR: str | None = None
    # Apply pending index changes right after each commit (off only in special tests).
    SEARCH_SYNC_AFTER_COMMIT = True
    # /health answers 503 when more index changes than this wait to be applied.
    HEALTH_MAX_PENDING = 1000
    # Every web process checks this often (seconds) for changes committed elsewhere and
    # applies them; 0 switches the poller off (tests, `flask search watch` hosts).
    SEARCH_POLL_SECONDS = 1.0
    # This replica's name in search_cursor; None means "<host name>:<index folder>".
    SEARCH_HOST: str | None = None
    # Sentence vectors for similar cases and longer search input (search/semantic.py);
    # off: purely lexical, no encoder loaded (about 25 MB and 80 MB of vectors less).
    SEARCH_SEMANTIC = True
    # CPU-seconds per second that encoding drafts and search input in web requests may
    # take on this host, and how many it may take in a burst; beyond that requests
    # answer lexically for a while (search/encoding_budget.py). None: no limit.
    SEARCH_ENCODING_SHARE: float | None = 0.1
    SEARCH_ENCODING_BURST = 1.0

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    # Server-side sessions (auth/sessions.py) end after this much inactivity and at the
    # latest this long after sign-in, remember-me or not (ASVS 3.3.2 L2: 30 min / 12 h).
    SESSION_IDLE_TIMEOUT_SECONDS = 30 * 60
    SESSION_ABSOLUTE_LIFETIME_SECONDS = 12 * 3600
    # Time to enter the second factor after the password.
    SECOND_STEP_SECONDS = 5 * 60

    # Requests above these sizes are refused with 413 before they are parsed; single
    # posts are limited by the forms, so that a too-long text comes back with its
    # content kept. The largest form (a solution: three texts of 20,000 characters)
    # is at most about 750 kB url-encoded; no form has more than a few dozen fields.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024  # a url-encoded form, or one multipart field
    MAX_FORM_PARTS = 500

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Sign-in throttling (auth/services.py). After this many failures in a row for one
    # e-mail address from one client address, that pair waits LOGIN_DELAY_SECONDS,
    # doubled after each further failure up to LOGIN_MAX_DELAY_SECONDS.
    LOGIN_MAX_FAILURES_PER_PAIR = 5
    LOGIN_DELAY_SECONDS = 60
    LOGIN_MAX_DELAY_SECONDS = 3600
    # Looser limits within the window for addresses the account has not signed in from
    # within LOGIN_KNOWN_ADDRESS_SECONDS: failures per account across addresses, and
    # distinct accounts failed from one address (credential stuffing).
    LOGIN_MAX_FAILURES_PER_EMAIL = 20
    LOGIN_MAX_ACCOUNTS_PER_IP = 10
    LOGIN_WINDOW_SECONDS = 3600
    LOGIN_KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted (ProxyFix);
    # 0 means the client address is the connection's, and the header is ignored.
    TRUSTED_PROXIES = 0
    INVITATION_MAX_AGE_SECONDS = 7 * 24 * 3600
    # Whom signed-out visitors ask for an invitation (the association's office), shown
    # on the sign-in page; without it the page points to the imprint.
    INVITATION_CONTACT_EMAIL: str | None = None
    # List of common passwords, one a line; None means kitu_exchange/vendor/
    # common-passwords.txt, copied there by `make assets` (see auth/passwords.py).
    COMMON_PASSWORDS_FILE: str | None = None
    # Public address of the site, e.g. https://exchange.kitu.example: absolute links made
    # outside a request (the invitation link of `flask users create`) start with it.
    BASE_URL: str | None = None

    # Mail (mail/): sent by `flask mail send` through this SMTP server; without
    # MAIL_SERVER, mails are written to the log instead (development). MAIL_USE_TLS means
    # STARTTLS; port 465 speaks TLS from the start. MAIL_FROM defaults to
    # "KITU Exchange <keine-antwort@HOST>" with the host of BASE_URL.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_FROM: str | None = None
    MAIL_TIMEOUT_SECONDS = 30
    # A mail not delivered after this long is given up (state failed, shown to admins);
    # retries wait 1, 2, 4 ... minutes, at most MAIL_RETRY_MAX_SECONDS.
    MAIL_GIVE_UP_SECONDS = 24 * 3600
    MAIL_RETRY_MAX_SECONDS = 3600
    # "Passwort vergessen": link validity, and requests per client address and per
    # e-mail address within an hour (beyond that: 429 per address, silence per e-mail).
    PASSWORD_RESET_MAX_AGE_SECONDS = 3600
    PASSWORD_RESET_PER_ADDRESS = 10
    PASSWORD_RESET_PER_EMAIL = 3

    PAGE_SIZE = 20

    # Atom feeds (feeds/): entries per feed, and requests per feed token and minute in
    # each web process (more are answered 429 with Retry-After).
    FEED_ENTRIES = 50
    FEED_REQUESTS_PER_MINUTE = 60

    # CPU seconds a post may take to render before it is kept as plain text (a safety
    # net: rendering is linear, an ordinary post takes milliseconds and the slowest
    # measured family at the size limit 0.7 s). The bound is 1 s per body.
    RENDER_BUDGET_SECONDS = 1.0


def database_url_from_environment() -> str | None:
    """DATABASE_URL is the conventional name; KITU_SQLALCHEMY_DATABASE_URI also works."""
    url = os.environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url
