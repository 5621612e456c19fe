"""Load and faults from outside: gunicorn with 4 workers under simulated members.

Prepares a database through the app's own CLI and services (migrations, starter content,
benchmark accounts), starts gunicorn on 127.0.0.1 and drives members with locust's library
API (FastHttpUser, gevent, in this one process): they sign in once, then browse lists and
cases, search, get similar cases while typing, ask and reply, pausing between actions.
Afterwards it waits 5 s without running any command and checks every acknowledged post (the
server answered with the redirect to it): in the database exactly once and findable through
the running server's search. Prints one JSON line.

    .venv/bin/python benchmarks/load.py [--database sqlite|postgresql] [--users 50]
        [--seconds 60] [--think-ms 500,1500] [--kill-worker-every SECONDS]

PostgreSQL: --database-url, else DATABASE_URL, else the local test_load database. Its
public schema is dropped and recreated. Sign-in and each member's first look at the ask
form are left out of the figures: password hashing is slow on purpose.
"""
# locust patches the standard library for gevent when it is imported: it comes first.
from locust import FastHttpUser, between, constant, task  # isort: skip
from locust.env import Environment  # isort: skip
from locust.stats import StatsEntry  # isort: skip

import argparse
import ctypes
import html
import itertools
import json
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
import gevent.pool
import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from database import empty_postgres, psycopg_url  # noqa: E402  (benchmarks/database.py)

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test_load"
PASSWORD = "lastprobe-passwort"
# Request names with this prefix (sign-in, first look at the ask form) are not measured.
SETUP = "setup: "
SEARCH_WORDS = ("Drucker", "XRechnung", "Datensicherung", "Telefonanlage", "VPN Homeoffice",
                "Barrierefreiheit", "Hundesteuer", "Tablets Ratsmitglieder", "Zwei-Faktor",
                "ersetzendes Scannen", "BundID", "ISMS", "Baumkataster", "Diensthandy verloren",
                "Sitzungsgeld", "Kassenautomat", "Ratsinformationssystem", "Scan-to-Mail")
DRAFTS = (
    ("Druckermodelle vereinheitlichen", "Wir haben sehr viele verschiedene Drucker im Rathaus "
     "und wollen die Modelle reduzieren. Wie geht man die Ausschreibung an?"),
    ("XRechnung im Rechnungseingang", "Wie habt ihr den Empfang von E-Rechnungen eingerichtet "
     "und welche Software prüft die Rechnungen?"),
    ("Datensicherung offline aufbewahren", "Unsere Datensicherung liegt im selben Gebäude. "
     "Wer hat einen Notfallplan mit verschlüsselten Bändern?"),
    ("VPN im Homeoffice bricht ab", "Die VPN-Verbindung der Kolleginnen im Homeoffice bricht "
     "mehrmals am Tag ab. Liegt es an der Firewall?"),
    ("Tablets für den Gemeinderat", "Sollen Ratsmitglieder eigene Geräte nutzen oder stellt "
     "die Gemeinde Tablets für das Ratsinformationssystem?"),
)
MARKER_PREFIX = "Lastprobe"
# Consonants only (no umlaut spellings like "ae") and a final x: the German analyser
# neither folds, stems nor splits the marker, so each is one search term of its own.
MARKER_LETTERS = "bdfghjklmnpqrtvwz"
MARKER = re.compile(MARKER_PREFIX + f"[{MARKER_LETTERS}]{{4}}x")
QUESTION_LINK = re.compile(r'href="(/fragen/(\d+)-[^"#?]*)"')
SOLUTION_LINK = re.compile(r'href="(/loesungen/(?!neu")[a-z0-9-]+)"')
TOPIC_LINK = re.compile(r'href="(/themen/(?!neu")[a-z0-9-]+)"')
AUTHORITY_LINK = re.compile(r'href="(/kommunen/(?!neu")[a-z0-9-]+)"')
HIT = re.compile(r'<li class="list-item">(.*?)</li>', re.S)


def marker(number: int) -> str:
    """A unique invented word: the prefix, the number in MARKER_LETTERS, an x."""
    letters = ""
    for _ in range(4):
        number, digit = divmod(number, len(MARKER_LETTERS))
        letters = MARKER_LETTERS[digit] + letters
    return f"{MARKER_PREFIX}{letters}x"


class Forms(HTMLParser):
    """The forms of a page: attributes, hidden inputs and checkbox choices."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict] = []
        self.panel: dict = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "hidden": {}, "checkboxes": {}, "fields": set()})
        elif tag in ("input", "textarea", "select") and self.forms and attrs.get("name"):
            form = self.forms[-1]
            form["fields"].add(attrs["name"])
            if attrs.get("type") == "hidden":
                form["hidden"][attrs["name"]] = attrs.get("value") or ""
            elif attrs.get("type") == "checkbox":
                form["checkboxes"].setdefault(attrs["name"], []).append(attrs.get("value"))
        elif attrs.get("id") == "aehnliche-liste":
            self.panel = attrs

    def find(self, field: str = "", action: str = "") -> dict:
        """The first form with this field and an action matching the pattern; or an empty
        one, which the server will refuse."""
        for form in self.forms:
            if ((not field or field in form["fields"])
                    and re.search(action, form["attrs"].get("action") or "")):
                return form
        return {"attrs": {}, "hidden": {}, "checkboxes": {}, "fields": set()}


def unexpected(response) -> None:
    """Count a response that is not the expected one as failed. Errors (4xx, 5xx, a
    connection closed by a killed worker) count by themselves; a redirect or a page where
    a redirect should come (a form sent back) is marked here."""
    if 200 <= response.status_code < 400:
        response.failure(f"unexpected status {response.status_code}")


class Shared:
    """State of one run that the simulated members share."""
    accounts: list[str] = []
    markers = itertools.count(1)
    posts: list[dict] = []        # acknowledged: {"marker", "kind", "url"}
    attempted = 0
    questions: set[str] = set()   # case addresses seen in lists
    solutions: set[str] = set()
    lists: set[str] = set()       # topic and authority pages seen
    similar_pause = 0.4


class Member(FastHttpUser):
    network_timeout = 30.0
    connection_timeout = 30.0
    # One connection at a time, as one browser tab. Like browsers, the client sends a GET
    # again (once) when the connection closes without an answer, e.g. a killed worker;
    # a POST is never resent by the client, only by the member (send_post).
    concurrency = 1
    csrf = ""  # the session's CSRF token, from the last page that had a form

    def on_start(self):
        self.email = Shared.accounts.pop()
        for _ in range(5):  # a killed worker may take the first tries with it
            if self.sign_in():
                break
            gevent.sleep(0.5)
        page = self.remember(self.page("/fragen/neu", SETUP + "ask form"))
        panel = Forms(page).panel
        self.similar_url = panel.get("data-url") or "/fragen/aehnliche"
        self.similar_method = (panel.get("data-method") or "").upper() or self.probe_similar()

    def sign_in(self) -> bool:
        form = Forms(self.page("/anmelden", SETUP + "sign-in")).find("password")
        data = {**form["hidden"], "email": self.email, "password": PASSWORD}
        with self.post("/anmelden", data, SETUP + "sign-in") as response:
            return response.status_code == 302

    def probe_similar(self) -> str:
        """POST with the CSRF token where the server takes it, else GET (405)."""
        with self.post(self.similar_url, self.similar_data("Drucker", ""),
                       SETUP + "similar probe") as response:
            if response.status_code == 405:
                response.success()
                return "GET"
        return "POST"

    # -- helpers -------------------------------------------------------------------------
    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code == 200:
                return response.text or ""
            unexpected(response)
            return ""

    def post(self, url: str, data: dict, name: str):
        return self.client.post(
            url, data=urlencode(data, doseq=True), name=name, allow_redirects=False,
            catch_response=True, headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "X-CSRFToken": data.get("csrf_token", "")})

    def similar_data(self, title: str, text: str) -> dict:
        return {"csrf_token": self.csrf, "titel": title, "text": text}

    def send_post(self, url: str, data: dict, name: str, expect: str, kind: str, mark: str):
        """Send a form that creates a post; resend it once if the answer is lost, as a person
        would. Acknowledged only when the server redirects to the post."""
        Shared.attempted += 1
        for attempt in (name, name + " (resent)"):
            with self.post(url, data, attempt) as response:
                location = urlsplit((response.headers or {}).get("location") or "").path
                if response.status_code == 302 and re.fullmatch(expect, location):
                    Shared.posts.append({"marker": mark, "kind": kind, "url": location})
                    return location
                unexpected(response)
                if response.status_code and response.status_code < 500:
                    return None  # refused, not lost: sending it again would not help
        return None

    def remember(self, page: str) -> str:
        for pattern, found in ((QUESTION_LINK, Shared.questions),
                               (SOLUTION_LINK, Shared.solutions)):
            found.update(match.group(1) for match in pattern.finditer(page))
        for pattern in (TOPIC_LINK, AUTHORITY_LINK):
            Shared.lists.update(match.group(1) for match in pattern.finditer(page))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token:
            self.csrf = html.unescape(token.group(1))
        return page

    # -- what members do -----------------------------------------------------------------
    @task(10)
    def browse_lists(self):
        url = random.choice(["/", "/fragen", "/loesungen", "/themen", "/kommunen",
                             *random.sample(sorted(Shared.lists), min(3, len(Shared.lists)))])
        name = "list: " + (url if url.count("/") == 1 else url.rsplit("/", 1)[0] + "/<slug>")
        self.remember(self.page(url, name))

    @task(8)
    def open_case(self):
        if not (Shared.questions or Shared.solutions):
            return self.browse_lists()
        kind = random.choice([k for k, found in (("question", Shared.questions),
                                                 ("solution", Shared.solutions)) if found])
        cases = Shared.questions if kind == "question" else Shared.solutions
        self.remember(self.page(random.choice(sorted(cases)), f"case: {kind}"))

    @task(5)
    def search(self):
        self.remember(self.page("/suche?" + urlencode({"q": random.choice(SEARCH_WORDS)}),
                                "search"))

    @task(3)
    def similar_while_typing(self):
        title, body = random.choice(DRAFTS)
        for data in (self.similar_data(title, ""), self.similar_data(title, body)):
            if self.similar_method == "GET":
                query = urlencode({k: v for k, v in data.items() if k != "csrf_token"})
                self.page(f"{self.similar_url}?{query}", "similar")
            else:
                with self.post(self.similar_url, data, "similar") as response:
                    if response.status_code != 200:
                        unexpected(response)
            gevent.sleep(Shared.similar_pause)  # the script waits for a pause in typing

    @task(1)
    def ask(self):
        form = Forms(self.remember(self.page("/fragen/neu", "ask: form"))).find("title")
        topics = form["checkboxes"].get("topics") or []
        if not form["fields"]:
            return  # the form did not come (counted as a failed request)
        mark = marker(next(Shared.markers))
        title, body = random.choice(DRAFTS)
        data = {**form["hidden"], "title": f"{title} ({mark})",
                "body": f"{body}\n\nKennung der Lastprobe: {mark}",
                "topics": random.sample(topics, min(1, len(topics))), "tags": "lastprobe"}
        url = self.send_post("/fragen/neu", data, "ask: post", r"/fragen/\d+-[^/]*",
                             "question", mark)
        if url:
            Shared.questions.add(url)

    @task(2)
    def reply(self):
        if not Shared.questions:
            return self.browse_lists()
        case = random.choice(sorted(Shared.questions))
        form = Forms(self.remember(self.page(case, "case: question"))).find(
            "body", r"/antworten$")
        if not form["fields"]:
            return
        mark = marker(next(Shared.markers))
        question = case.split("/")[2].split("-")[0]
        data = {**form["hidden"],
                "body": f"Bei uns hat das so funktioniert. Kennung der Lastprobe: {mark}"}
        self.send_post(form["attrs"]["action"], data, "reply: post",
                       rf"/fragen/{question}-[^/]*", "reply", mark)


# -- the server and its database -----------------------------------------------------------
class Run:
    """Processes and files of one run; cleanup() is safe to call more than once."""

    def __init__(self, keep: bool):
        self.folder = Path(tempfile.mkdtemp(prefix="kitu-load-"))
        self.keep = keep
        self.server: subprocess.Popen | None = None

    def cleanup(self) -> None:
        server, self.server = self.server, None
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        if self.keep:
            print(f"Kept {self.folder}", file=sys.stderr)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (gunicorn's master adds its
    workers' when it reaps them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, index_dir: Path) -> dict:
    return {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": database_url,
            "KITU_INDEX_DIR": str(index_dir), "KITU_SECRET_KEY": secrets.token_hex(32),
            "KITU_SESSION_COOKIE_SECURE": "false", "KITU_REMEMBER_COOKIE_SECURE": "false",
            "KITU_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


def flask(env: dict, *arguments: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", *arguments], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(arguments)} failed:\n{result.stdout}"
                           f"{result.stderr}")


def app_for(env: dict):
    from kitu_exchange import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
                       "INDEX_DIR": env["KITU_INDEX_DIR"], "SECRET_KEY": env["KITU_SECRET_KEY"],
                       "PASSWORD_HASH_METHOD": env["KITU_PASSWORD_HASH_METHOD"]})


def prepare(env: dict, users: int, vectors: bool = True) -> list[str]:
    """Empty database, migrations, starter content with its sentence vectors (a site in
    service has them; building them is measured by search_bench.py), member accounts;
    returns their e-mails."""
    from sqlalchemy import select, text

    url = env["DATABASE_URL"]
    if url.startswith("postgresql"):
        empty_postgres(url)
    flask(env, "db", "upgrade")
    flask(env, "content", "import", str(REPO / "content"))
    if vectors:
        flask(env, "search", "vectors", "--procs", "2")

    from kitu_exchange.auth.services import create_user
    from kitu_exchange.extensions import db
    from kitu_exchange.models import Authority

    app = app_for(env)
    with app.app_context():
        authorities = db.session.scalars(select(Authority.slug).order_by(Authority.id)).all()
        emails = [f"mitglied{number}@{authorities[number % len(authorities)]}.example"
                  for number in range(users)]
        for number, email in enumerate(emails):
            create_user(email, f"Mitglied {number}", authorities[number % len(authorities)],
                        "member", PASSWORD)
        db.engine.dispose()
    return emails


def _die_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(run: Run, env: dict, port: int, workers: int) -> str:
    # No control socket: its default path is shared by every gunicorn of this account.
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
               "--no-control-socket"]
    if (REPO / "gunicorn.conf.py").exists():
        command[3:3] = ["-c", "gunicorn.conf.py"]
    with open(run.folder / "gunicorn.log", "wb") as log:
        run.server = subprocess.Popen([*command, "wsgi:app"], cwd=REPO, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True,
                                      preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if run.server.poll() is not None:
            break
        try:
            requests.get(base + "/health", timeout=30)
            return base
        except requests.RequestException:  # not listening yet, or the workers still boot
            gevent.sleep(0.2)
    raise RuntimeError("gunicorn did not start:\n" + (run.folder / "gunicorn.log").read_text())


def worker_pids(master: int) -> list[int]:
    """gunicorn's workers: the master's children, read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def kill_workers(master: int, every: float, killed: list[int]) -> None:
    while True:
        gevent.sleep(every)
        workers = worker_pids(master)
        if workers:
            try:
                os.kill(random.choice(workers), signal.SIGKILL)
                killed.append(1)
            except ProcessLookupError:
                pass


# -- load and figures ----------------------------------------------------------------------
def drive(base: str, args, master: int) -> tuple[dict, int]:
    low, high = (value / 1000 for value in args.think)
    Member.wait_time = constant(0) if high == 0 else between(low, high)
    Shared.similar_pause = min(0.4, high)
    environment = Environment(user_classes=[Member], host=base)
    runner = environment.create_local_runner()
    killed: list[int] = []
    killer = (gevent.spawn(kill_workers, master, args.kill_worker_every, killed)
              if args.kill_worker_every else None)
    started = time.monotonic()
    runner.start(args.users, spawn_rate=max(args.users / 5, 1))
    gevent.sleep(args.seconds)
    if killer:
        killer.kill()
    runner.quit()
    duration = time.monotonic() - started
    figures = measured(environment.stats, duration)
    # A task that raised is a fault of this client, not of the server: shown, never hidden.
    figures["client_errors"] = sum(e["count"] for e in runner.exceptions.values())
    return figures, len(killed)


def measured(stats, duration: float) -> dict:
    total = StatsEntry(stats, "measured", "", use_response_times_cache=False)
    for (name, _method), entry in stats.entries.items():
        if not name.startswith(SETUP):
            total.extend(entry)
    failures = Counter()
    for error in stats.errors.values():
        if not error.name.startswith(SETUP):
            failures[f"{error.method} {error.name}: {error.error}"[:160]] += error.occurrences
    percentile = total.get_response_time_percentile
    by_action = {name: {"requests": entry.num_requests,
                        "p50_ms": entry.get_response_time_percentile(0.5),
                        "p95_ms": entry.get_response_time_percentile(0.95)}
                 for (name, _method), entry in sorted(stats.entries.items())
                 if not name.startswith(SETUP) and entry.num_requests}
    return {"requests": total.num_requests, "failed": total.num_failures,
            "rps": round(total.num_requests / duration, 1),
            "p50_ms": percentile(0.5) if total.num_requests else None,
            "p95_ms": percentile(0.95) if total.num_requests else None,
            "p99_ms": percentile(0.99) if total.num_requests else None,
            "setup_failed": sum(e.num_failures for (n, _), e in stats.entries.items()
                                if n.startswith(SETUP)),
            "failures": dict(failures), "by_action": by_action}


def signed_in_session(base: str, email: str) -> requests.Session:
    session = requests.Session()
    form = Forms(session.get(base + "/anmelden", timeout=30).text).find("password")
    response = session.post(base + "/anmelden", data={**form["hidden"], "email": email,
                                                      "password": PASSWORD},
                            allow_redirects=False, timeout=30)
    if response.status_code != 302:
        raise RuntimeError(f"checking sign-in failed: {response.status_code}")
    return session


def warm_up(base: str, session: requests.Session, workers: int) -> None:
    """Each worker loads its search index and word lists on its first search (seconds on
    this machine): make sure every worker has done so before the measured run."""
    def get(path: str) -> None:
        session.get(base + path, timeout=60)
    for path in ("/suche?q=Drucker", "/fragen/1"):
        gevent.pool.Pool(2 * workers).map(get, [path] * 2 * workers)


def check_posts(base: str, env: dict, session: requests.Session, posts: list[dict]) -> dict:
    """Acknowledged posts in the database (exactly once) and findable through search."""
    from sqlalchemy import select

    from kitu_exchange.extensions import db
    from kitu_exchange.models import Question, Reply

    with app_for(env).app_context():
        texts = [*db.session.scalars(select(Question.title)
                                     .where(Question.title.contains(MARKER_PREFIX))),
                 *db.session.scalars(select(Reply.body)
                                     .where(Reply.body.contains(MARKER_PREFIX)))]
        db.engine.dispose()
    stored = Counter(found for text in texts for found in set(MARKER.findall(text)))

    def findable(post: dict) -> bool:
        page = session.get(base + "/suche", params={"q": post["marker"]}, timeout=30).text
        return any(post["marker"].lower() in hit.lower() for hit in HIT.findall(page))

    found = dict(zip((p["marker"] for p in posts), gevent.pool.Pool(4).map(findable, posts)))
    return {"posts_acknowledged": len(posts),
            "questions_acknowledged": sum(p["kind"] == "question" for p in posts),
            "replies_acknowledged": sum(p["kind"] == "reply" for p in posts),
            "posts_in_db": sum(stored[p["marker"]] >= 1 for p in posts),
            "posts_findable": sum(found.values()),
            "duplicates": sum(stored[p["marker"]] - 1 for p in posts if stored[p["marker"]] > 1),
            "posts_unfindable": sorted(m for m, ok in found.items() if not ok)[:10]}


def options(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (default: DATABASE_URL or the local test_load)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think-ms", dest="think", default="500,1500",
                        type=lambda value: tuple(int(part) for part in value.split(",")),
                        help="MIN,MAX pause between actions; 0,0 measures capacity")
    parser.add_argument("--kill-worker-every", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=None,
                        help="hard limit for the whole run (default: seconds + 600)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--no-vectors", dest="vectors", action="store_false",
                        help="leave the starter content's sentence vectors to the web "
                             "processes' vector thread (a site just imported)")
    args = parser.parse_args(argv)
    if len(args.think) != 2 or not 0 <= args.think[0] <= args.think[1]:
        parser.error("--think-ms takes MIN,MAX with 0 <= MIN <= MAX")
    return args


def database_url(args, folder: Path) -> str:
    if args.database == "sqlite":
        return f"sqlite:///{folder / 'kitu.sqlite3'}"
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    if not url.startswith("postgresql"):
        raise SystemExit(f"not a PostgreSQL URL: {url}")
    return psycopg_url(url)


def main(argv=None) -> int:
    args = options(argv)
    run = Run(args.keep)

    def stop(signum, _frame):  # Ctrl-C, kill or the hard time limit: clean up, then leave
        print(f"load.py: stopped by signal {signum}", file=sys.stderr)
        run.cleanup()
        os._exit(124 if signum == signal.SIGALRM else 130)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(signum, stop)
    signal.alarm(int(args.timeout or args.seconds + 600))
    try:
        env = server_environment(database_url(args, run.folder), run.folder / "index")
        print(f"load.py: preparing {args.database} in {run.folder}", file=sys.stderr)
        Shared.accounts = prepare(env, args.users, args.vectors)
        cpu_before = children_cpu()
        base = start_server(run, env, free_port(), args.workers)
        checker = signed_in_session(base, Shared.accounts[0])
        warm_up(base, checker, args.workers)
        load_before = os.getloadavg()
        print(f"load.py: {args.users} members for {args.seconds:g} s against {base}",
              file=sys.stderr)
        figures, killed = drive(base, args, run.server.pid)
        load_after = os.getloadavg()
        gevent.sleep(5)  # no command runs: the server alone must make the posts findable
        posts = check_posts(base, env, checker, Shared.posts)
    finally:
        run.cleanup()
    # The server's whole CPU time (start, warm-up and the check after the run included)
    # per measured request: steadier than latency from run to run on a shared machine.
    server_cpu = children_cpu() - cpu_before
    print(json.dumps({
        "database": args.database, "users": args.users, "seconds": args.seconds,
        "think_ms": list(args.think), "workers": args.workers, "workers_killed": killed,
        **{key: figures[key] for key in ("requests", "failed", "rps", "p50_ms", "p95_ms",
                                          "p99_ms")},
        **{key: posts[key] for key in ("posts_acknowledged", "posts_in_db", "posts_findable",
                                       "duplicates")},
        "posts_attempted": Shared.attempted,
        **{key: value for key, value in posts.items() if key not in ("posts_acknowledged",
                                                                      "posts_in_db",
                                                                      "posts_findable",
                                                                      "duplicates")},
        **{key: figures[key] for key in ("setup_failed", "client_errors", "failures",
                                          "by_action")},
        "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(figures["requests"], 1), 1),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
