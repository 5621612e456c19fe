"""gunicorn settings for production: `gunicorn wsgi:app` picks this file up by itself.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("KITU_BIND", "127.0.0.1:8000")
# Sync workers: requests are short (search p95 < 100 ms); two per core plus one keeps
# the cores busy while one worker waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer than this is killed and logged: rendering and search are
# bounded far below it, so a hit means a bug, not a slow client.
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Not preloaded: each worker opens its own database pool and search index after fork.
preload_app = False

# Access log without query strings (%(U)s is the path only): search terms and filters
# can hold personal data, and the similar-cases draft text never travels in URLs.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
_FEED_TOKEN = re.compile(r"^/feeds/[^/]*")


class AccessLogger(Logger):
    """Feed addresses carry a personal feed token in the path: it never reaches the log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = _FEED_TOKEN.sub("/feeds/***", atoms["U"])
        return atoms


logger_class = AccessLogger
errorlog = "-"
loglevel = "info"
# Client addresses come from the app's own proxy handling (KITU_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Warm a new worker up before it takes requests, so that no member's request waits
    for the noun lexicon and the index files to load (about 0.6 s per worker)."""
    from kitu_exchange.search.service import warm_up

    app = worker.app.wsgi()
    with app.app_context():
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - a cold worker still serves; requests retry
            worker.log.exception("Warming up the search failed; the worker starts cold")
