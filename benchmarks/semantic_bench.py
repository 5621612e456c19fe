"""The semantic signal at scale: vector matrix load and memory, nearest neighbours, and
encoding one draft, at N cases (default 50,000) without building a Whoosh index.

Usage: python benchmarks/semantic_bench.py [--cases 50000] [--queries 100] [--json]

The stored vectors are random unit vectors (the cost of an exact cosine does not depend
on their content); drafts are real German text, encoded by the pinned encoder. Add the
lexical similar query's time from search_bench.py for the panel end to end.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from flask_migrate import upgrade
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.models import SearchVector  # noqa: E402
from kitu_exchange.search import semantic, tuning, vectors  # noqa: E402

DRAFTS = (
    "Zu viele verschiedene Drucker im Rathaus. Wir haben 40 Modelle und wollen die "
    "Druckerlandschaft vereinheitlichen, am liebsten mit einem Rahmenvertrag.",
    "Mitarbeiter aus dem Handel wird unser Admin – wie einarbeiten? Die Stelle war lange "
    "unbesetzt, jetzt kommt ein Quereinsteiger. Welche Schulungen habt ihr genutzt?",
    "Cyber-Sicherheit mit 30 Arbeitsplätzen: Wo fangen wir an? Wir haben keinen "
    "Informationssicherheitsbeauftragten und wenig Zeit.",
    "E-Rechnungen kommen per Mail und über die Plattform des Landes. Wie bekommen wir sie "
    "in den Freigabeworkflow des Finanzverfahrens, ohne sie auszudrucken?",
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return (round(samples[len(samples) // 2], 2),
            round(samples[max(0, int(len(samples) * 0.95) - 1)], 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INDEX_DIR": f"{tmp}/index"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            rng = np.random.default_rng(7)
            model = vectors.model_id()
            now = datetime.now(timezone.utc)
            for offset in range(0, args.cases, 5000):
                count = min(5000, args.cases - offset)
                block = rng.standard_normal((count, vectors.DIMENSIONS)).astype(np.float32)
                block /= np.linalg.norm(block, axis=1, keepdims=True)
                db.session.execute(insert(SearchVector), [
                    {"doc_id": f"question/fall-{offset + n}", "model": model, "text_hash": "",
                     "vector": vectors.to_bytes(row), "updated_at": now}
                    for n, row in enumerate(block)])
            db.session.commit()

            started = time.perf_counter()
            vectors.encoder()
            encoder_load_s = time.perf_counter() - started
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            semantic._refresh()
            matrix_load_s = time.perf_counter() - started
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

            pick = random.Random(1)
            encode_ms, nearest_ms, stored_ms, check_ms = [], [], [], []
            for number in range(args.queries):
                started = time.perf_counter()
                semantic._refresh()  # what every use pays when nothing changed
                check_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                vector = semantic.encode_draft(DRAFTS[number % len(DRAFTS)])
                encode_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                semantic.nearest(vector, tuning.SIMILAR_CANDIDATES)
                nearest_ms.append((time.perf_counter() - started) * 1000)
                doc_id = f"question/fall-{pick.randrange(args.cases)}"
                started = time.perf_counter()
                semantic.nearest(semantic.stored_vector(doc_id), tuning.SIMILAR_CANDIDATES,
                                 exclude=doc_id)
                stored_ms.append((time.perf_counter() - started) * 1000)
            db.engine.dispose()
    report = {
        "cases": args.cases,
        "encoder_load_s": round(encoder_load_s, 2),
        "matrix_load_s": round(matrix_load_s, 2),
        "vector_memory_mb": round(semantic.memory_bytes() / 1e6, 1),
        "rss_growth_matrix_mb": round((rss_after - rss_before) / 1024, 1),
        "freshness_check_p50_ms": percentiles(check_ms)[0],
        "freshness_check_p95_ms": percentiles(check_ms)[1],
        "encode_draft_p50_ms": percentiles(encode_ms)[0],
        "encode_draft_p95_ms": percentiles(encode_ms)[1],
        "nearest_p50_ms": percentiles(nearest_ms)[0],
        "nearest_p95_ms": percentiles(nearest_ms)[1],
        "nearest_stored_p50_ms": percentiles(stored_ms)[0],
        "nearest_stored_p95_ms": percentiles(stored_ms)[1],
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
