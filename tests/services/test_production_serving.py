"""gunicorn with the repository's gunicorn.conf.py: several workers, health, access log."""
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.conftest import REPO


FEED_TOKEN = "geheimer-Feed-Schluessel-aus-43-Zeichen-abc"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorn_serves_with_the_repository_config(app, app_config, tmp_path):
    port = _free_port()
    env = {**os.environ, "KITU_SECRET_KEY": "k" * 64, "KITU_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "2", "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
           "KITU_INDEX_DIR": app_config["INDEX_DIR"]}
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "wsgi:app"], cwd=REPO,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200
        assert _get(f"http://127.0.0.1:{port}/suche?q=vertraulicher-suchbegriff") in (200, 302)
        assert _get(f"http://127.0.0.1:{port}/feeds/{FEED_TOKEN}/loesungen.atom") == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
    output = log.read_text()
    assert "Booting worker" in output and output.count("Booting worker") == 2
    assert '"GET /suche HTTP/1.1" 302' in output or '"GET /suche HTTP/1.1" 200' in output
    assert "vertraulicher-suchbegriff" not in output
    assert '"GET /feeds/***/loesungen.atom HTTP/1.1" 404' in output
    assert FEED_TOKEN not in output
