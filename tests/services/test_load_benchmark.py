"""benchmarks/load.py end to end, very briefly: it prepares a database, serves it with
gunicorn, drives members and reports one JSON line with the agreed keys."""
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import REPO, postgres_url

KEYS = {"requests", "failed", "rps", "p50_ms", "p95_ms", "p99_ms", "posts_acknowledged",
        "posts_in_db", "posts_findable", "duplicates", "database", "users", "seconds",
        "workers_killed"}


def benchmark_database() -> str | None:
    """On PostgreSQL a database of its own beside the suite's (the benchmark drops its
    schema), created on the same server when missing."""
    url = postgres_url()
    if url is None:
        return None
    own = make_url(url).set(database=f"{make_url(url).database}_load")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": own.database}):
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.mark.slow
def test_load_benchmark_runs_and_reports_one_json_line():
    own_database = benchmark_database()
    database = "postgresql" if own_database else "sqlite"
    result = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--database", database, "--users", "3",
         "--seconds", "5", "--think-ms", "100,200", "--workers", "2", "--timeout", "170",
         "--no-vectors",  # computing them takes half a minute of CPU; not what is tested
         *(["--database-url", own_database] if own_database else [])],
        cwd=REPO, env={**os.environ, "DATABASE_URL": ""},
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    report = json.loads(lines[0])
    assert KEYS <= report.keys()
    assert report["database"] == database and report["users"] == 3
    assert report["requests"] > 0 and report["failed"] == 0, report
    assert report["client_errors"] == 0, result.stderr[-3000:]
    assert report["posts_in_db"] == report["posts_acknowledged"]
    assert report["duplicates"] == 0
