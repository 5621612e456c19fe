"""Search speed at scale: index, reindex, search and similar-case latency.

Generates a synthetic German corpus of N municipal cases (questions and solutions),
stores them in a fresh SQLite database built by the migrations, indexes them through
the app's own path (`search.index.reindex`: rows -> documents -> German analysis ->
Whoosh) and measures queries through `search.queries` as the views use them.

    .venv/bin/python benchmarks/search_bench.py --docs 50000 [--procs 2] [--json]
"""
import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.models import Authority, Question, Solution, SynonymSet, Topic  # noqa: E402
from kitu_exchange.search import queries  # noqa: E402
from kitu_exchange.search.index import open_index, reindex  # noqa: E402
from kitu_exchange.search.service import synonym_map  # noqa: E402

SUBJECTS = ("Druckerlandschaft", "Multifunktionsgerät", "Rechnungseingang", "XRechnung",
            "Datensicherung", "Informationssicherheit", "Notfallkonzept", "E-Akte",
            "Scanstelle", "Bürgerkonto", "Onlinedienst", "Telefonanlage", "Homeoffice",
            "Mobilgeräteverwaltung", "Ratsinformationssystem", "Barrierefreiheit",
            "Schulnetz", "Geoinformationssystem", "Zeiterfassung", "Kassenautomat",
            "Gebührenbescheid", "Friedhofsverwaltung", "Personalausweis", "Videokonferenz",
            "Virenschutz", "Firewall", "Rahmenvertrag", "Ausschreibung", "Dienstausweis")
VERBS = ("einführen", "vereinheitlichen", "ablösen", "ausschreiben", "erneuern", "absichern",
         "digitalisieren", "auslagern", "betreuen", "umstellen", "prüfen", "beschaffen")
PLACES = ("im Rathaus", "im Bürgerbüro", "im Bauamt", "in der Kämmerei", "an den Schulen",
          "im Bauhof", "in der Kita", "im Standesamt", "im Ordnungsamt", "in der Bibliothek")
FILLER = ("Wir haben", "Seit letztem Jahr", "Die Kollegen berichten", "Der Dienstleister",
          "Das Budget", "Die Umstellung", "Nach der Ausschreibung", "Im Haushalt",
          "Die Verwaltungsspitze", "Der Personalrat", "Die Nutzer", "Leider")
NOUNS = ("Kosten", "Aufwand", "Vertrag", "Server", "Schulung", "Lizenzen", "Datenschutz",
         "Wartung", "Support", "Netzwerk", "Drucker", "Rechnungen", "Akten", "Bürger",
         "Anträge", "Termine", "Passwörter", "Updates", "Backups", "Geräte", "Prozesse")
QUERIES = ("Drucker vereinheitlichen", "XRechnung Eingang", "Datensicherung Rathaus",
           "Kopirer leasen", "Gebuehren online bezahlen", "E-Akte Scanstelle",
           "Informationssicherheit Notfallkonzept", "Homeoffice VPN", "Telefonanlage erneuern",
           '"Rechnungseingang digitalisieren"', "Bürgerkonto -Schulnetz", "Firewall Schulen")


def case_text(rng: random.Random, words: int) -> tuple[str, str]:
    subject, verb, place = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(PLACES)
    title = f"{subject} {place} {verb}"
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(f"{rng.choice(FILLER)} {rng.choice(NOUNS)} und {rng.choice(NOUNS)} "
                         f"beim Thema {rng.choice(SUBJECTS)} {rng.choice(PLACES)} "
                         f"{rng.choice(VERBS)}.")
    return title, " ".join(sentences)


def load(docs: int, words: int) -> None:
    rng = random.Random(42)
    authorities = [Authority(slug=f"kommune-{i}", name=f"Kommune {i}", kind="Gemeinde",
                             population=rng.randint(2_000, 150_000)) for i in range(40)]
    db.session.add_all(authorities)
    db.session.add(Topic(slug="allgemein", name="Allgemein", description=""))
    db.session.add_all(SynonymSet(terms=terms) for terms in (
        "XRechnung, E-Rechnung, elektronische Rechnung", "MFP, Multifunktionsgerät, Kopierer",
        "Backup, Datensicherung", "VPN, Fernzugriff, Homeoffice"))
    db.session.commit()
    start = datetime(2018, 1, 1, tzinfo=timezone.utc)
    question_rows, solution_rows = [], []
    for number in range(docs):
        title, body = case_text(rng, words)
        common = {"slug": f"fall-{number}", "title": title,
                  "authority_id": authorities[number % 40].id,
                  "created_at": start + timedelta(hours=number)}
        if number % 3:
            question_rows.append({**common, "body": body, "body_html": body, "reply_count": 0})
        else:
            solution_rows.append({**common, "approach": body, "approach_html": body,
                                  "status": "published"})
    for rows, model in ((question_rows, Question), (solution_rows, Solution)):
        for offset in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[offset:offset + 5000])
    db.session.commit()


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return (round(statistics.median(samples), 2),
            round(samples[max(0, int(len(samples) * 0.95) - 1)], 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=150, help="words per case body")
    parser.add_argument("--procs", type=int, default=1, help="indexing processes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INDEX_DIR": f"{tmp}/index"})
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            load(args.docs, args.words)
            started = time.perf_counter()
            result = reindex(procs=args.procs)
            reindex_s = time.perf_counter() - started
            size = sum(p.stat().st_size for p in Path(tmp, "index").rglob("*") if p.is_file())
            index = open_index()
            synonyms = synonym_map()
            rng = random.Random(1)
            search_ms, similar_ms = [], []
            with index.searcher() as searcher:
                for number in range(args.queries):
                    text = QUERIES[number % len(QUERIES)]
                    started = time.perf_counter()
                    list(queries.search(searcher, text, synonyms=synonyms, limit=10))
                    search_ms.append((time.perf_counter() - started) * 1000)
                    title, body = case_text(rng, 60)
                    started = time.perf_counter()
                    list(queries.similar(searcher, f"{title}\n{body}", synonyms=synonyms,
                                         limit=5))
                    similar_ms.append((time.perf_counter() - started) * 1000)
            db.engine.dispose()
    search_p50, search_p95 = percentiles(search_ms)
    similar_p50, similar_p95 = percentiles(similar_ms)
    report = {
        "docs": result["documents"], "index_docs_per_s": round(result["documents"] / reindex_s),
        "index_size_mb": round(size / 1e6, 1), "reindex_s": round(reindex_s, 1),
        "search_p50_ms": search_p50, "search_p95_ms": search_p95,
        "similar_p50_ms": similar_p50, "similar_p95_ms": similar_p95,
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:18} {value}")


if __name__ == "__main__":
    main()
