"""Run the whole test suite as `make test` does: on SQLite and, when TEST_DATABASE_URL
names a PostgreSQL database, on PostgreSQL too, the two at the same time.

Lanes:
- sqlite: every test, browser tests included (they check pages, scripts and
  accessibility, which do not depend on the database);
- postgresql: every test but the browser tests, on the server's database: the data
  layer, concurrency, migrations and every page through the Flask test client.

Two lanes in parallel use both cores of a small machine and keep the suite under its
15-minute budget (one after the other took about 30 minutes). Each lane writes to its own
log; a lane's log is printed when it ends, then a summary. Extra arguments go to pytest in
every lane, e.g. `make test PYTEST_ARGS="tests/web/test_forum.py -x"`.
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A line per lane now and then, so that a long run shows it is alive.
PROGRESS_SECONDS = 60


def lanes(extra: list[str]) -> dict[str, tuple[list[str], dict]]:
    """name -> (pytest arguments, environment) of each lane to run."""
    base = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    found = {"sqlite": (extra, base)}
    postgres = os.environ.get("TEST_DATABASE_URL") or ""
    if postgres.startswith("postgresql"):
        found["postgresql"] = (["-m", "not browser", *extra],
                               {**base, "DATABASE_URL": postgres})
    return found


def last_line(log: Path) -> str:
    """The lane's latest progress line (pytest's dots and percentage)."""
    lines = log.read_text(errors="replace").strip().splitlines()
    return lines[-1][-100:] if lines else "starting"


def main(extra: list[str]) -> int:
    folder = Path(tempfile.mkdtemp(prefix="kitu-tests-"))
    running = {}
    for name, (arguments, env) in lanes(extra).items():
        log = folder / f"{name}.log"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--durations=30",
                   f"--basetemp={folder / name}", *arguments]
        print(f"== {name}: {shlex.join(command[1:])} (log: {log})", flush=True)
        running[name] = (subprocess.Popen(command, cwd=REPO, env=env, stdout=log.open("w"),
                                          stderr=subprocess.STDOUT), log, time.monotonic())
    results = {}
    reported = time.monotonic()
    while running:
        if time.monotonic() - reported >= PROGRESS_SECONDS:
            reported = time.monotonic()
            for name, (_process, log, _started) in running.items():
                print(f"[{name}] {last_line(log)}", flush=True)
        for name, (process, log, started) in list(running.items()):
            if process.poll() is None:
                continue
            del running[name]
            results[name] = (process.returncode, time.monotonic() - started)
            print(f"\n== {name} lane output", flush=True)
            sys.stdout.write(log.read_text(errors="replace"))
        time.sleep(1)
    print("\n== Summary")
    for name, (code, seconds) in results.items():
        # pytest exits 5 when a selection collected no test: not a failure of the suite.
        verdict = "passed" if code in (0, 5) else f"FAILED (exit {code})"
        print(f"{name:12} {verdict} in {seconds / 60:.1f} min")
    if "postgresql" not in results:
        print("postgresql   not run: set TEST_DATABASE_URL=postgresql+psycopg://... "
              "(`.ci/run` does)")
    return 0 if all(code in (0, 5) for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
