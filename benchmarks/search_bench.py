"""Search speed at scale: index, reindex, search and similar-case latency.

Generates a synthetic German corpus of N municipal cases (questions and solutions),
stores them in a fresh SQLite database built by the migrations, indexes them through
the app's own path (`search.index.reindex`: rows -> documents -> German analysis ->
Whoosh) and measures queries through `search.queries` as the views use them, and the search page
(`service.search_cases`: a page of hits, facet counts, highlights, suggestion).
See the corpus generator below for what the synthetic cases look like.

    .venv/bin/python benchmarks/search_bench.py --docs 50000 [--procs 2] [--json] [--corpus small]
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
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.models import Authority, Question, Solution, SynonymSet, Topic  # noqa: E402
from kitu_exchange.models.statistics import refresh_planner_statistics  # noqa: E402
from kitu_exchange.search import queries  # noqa: E402
from kitu_exchange.search.index import open_index, reindex  # noqa: E402
from kitu_exchange.search.service import search_cases, synonym_map  # noqa: E402

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


# ------------------------------------------------------------------ corpus generator
# Default ("zipf") corpus: every case has one main subject (uniform over SUBJECTS, so
# each subject is the topic of ~3.4 % of the cases) that the title names and the body
# repeats 1-3 times, plus one related subject. The rest of the 150-word body is German
# running text: about 45 % stop/function words, and content words drawn from one
# Zipf-Mandelbrot distribution (p(rank) ~ 1 / (rank + 2.7)) over a 60,000-word
# vocabulary. Its head is everyday words (EVERYDAY below, in 15-95 % of the cases),
# then the hand-written domain words (NOUNS, VERBS, PLACES) spread over ranks 40-200,
# so query words such as "Rathaus" or "Drucker" are in roughly 4-18 % of the cases (in
# the labelled dev corpus "Kosten" is in 47 % of the cases, "Drucker" in 13 % and
# "Rathaus" in 9 %); the rest are nouns sampled from the german-nouns lexicon (many of
# them compounds, which exercises the decompounder). That gives about 95
# content tokens per case and a long tail of rare words, like the real cases (the dev
# corpus: 172 words and 96 content tokens per case, 59 % of stems in a single case).
# The old generator (--corpus small: ~100 distinct words, every word in 40-75 % of all
# cases) is kept for comparison; its posting lists are unrealistically long.
STOP_TEXT = ("der die das und in zu den mit von für auf ist im nicht ein eine als auch es an "
             "werden aus hat dass sie nach wird bei einer um am sind noch wie einem über einen "
             "so zum haben nur oder aber vor zur bis mehr durch man dann unter wir ich sich "
             "wenn hier alle sehr schon kann was uns diese dieser keine ohne gegen jetzt")
EVERYDAY = ("neu", "gut", "schnell", "teuer", "einfach", "gemeinsam", "zentral", "digital",
            "kommunal", "laufen", "nutzen", "planen", "klappt", "brauchen", "empfehlen",
            "aktuell", "jährlich", "intern", "extern", "sicher", "möglich", "wichtig",
            "Jahr", "Monat", "Woche", "Lösung", "Erfahrung", "Verwaltung", "Mitarbeitende",
            "Ergebnis", "Ausgangslage", "Euro", "Personentage", "Anbieter", "Stadt",
            "Gemeinde", "Landkreis", "Fachverfahren", "Abteilung", "Leitung")
STOPWORDS = STOP_TEXT.split()
_vocab_cache: dict = {}


def vocabulary(size: int = 60_000):
    """(words, cumulative Zipf weights) for the content words of the zipf corpus."""
    if size in _vocab_cache:
        return _vocab_cache[size]
    import csv

    import german_nouns

    lemmas = []
    for base in german_nouns.__path__:
        path = Path(base) / "nouns.csv"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    lemma = row.get("lemma") or ""
                    if 4 <= len(lemma) <= 24 and lemma.isalpha() and lemma[0].isupper():
                        lemmas.append(lemma)
    everyday = list(EVERYDAY)
    domain = list(dict.fromkeys([*NOUNS, *VERBS, *(p.split()[-1] for p in PLACES)]))
    rng = random.Random(7)
    rng.shuffle(everyday)
    rng.shuffle(domain)
    tail = rng.sample(sorted(set(lemmas) - set(everyday) - set(domain)),
                      max(0, size - len(everyday) - len(domain)))
    # Everyday words take the top ranks; the domain words are spread over ranks 40-200
    # (each in roughly 4-18 % of the cases); lexicon nouns fill the rest.
    head = everyday + tail[:160]
    for n, word in enumerate(domain):
        head.insert(40 + n * 160 // len(domain), word)
    tail = tail[160:]
    words = head + tail
    cum, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 2.7)
        cum.append(total)
    _vocab_cache[size] = (words, cum)
    return words, cum


def zipf_case_text(rng: random.Random, words: int) -> tuple[str, str]:
    subject, verb, place = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(PLACES)
    other = rng.choice(SUBJECTS)
    title = f"{subject} {place} {verb}"
    vocab, cum = vocabulary()
    topical = [subject] * rng.randint(1, 3) + [other] + [rng.choice(PLACES)]
    sentences, count = [], 0
    while count < words:
        length = rng.randint(8, 16)
        n_stop = round(length * 0.45)
        content = rng.choices(vocab, cum_weights=cum, k=length - n_stop)
        if topical and rng.random() < 0.5:
            content[0] = topical.pop()
        tokens = content + rng.choices(STOPWORDS, k=n_stop)
        rng.shuffle(tokens)
        if rng.random() < 0.4:
            tokens.insert(0, rng.choice(FILLER))
        sentences.append(" ".join(tokens) + ".")
        count += len(tokens)
    if topical:
        sentences.append(" ".join(topical) + ".")
    return title, " ".join(sentences)


def small_case_text(rng: random.Random, words: int) -> tuple[str, str]:
    subject, verb, place = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(PLACES)
    title = f"{subject} {place} {verb}"
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        sentences.append(f"{rng.choice(FILLER)} {rng.choice(NOUNS)} und {rng.choice(NOUNS)} "
                         f"beim Thema {rng.choice(SUBJECTS)} {rng.choice(PLACES)} "
                         f"{rng.choice(VERBS)}.")
    return title, " ".join(sentences)


CORPORA = {"zipf": zipf_case_text, "small": small_case_text}
case_text = zipf_case_text


def load(docs: int, words: int, text=zipf_case_text) -> None:
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
        title, body = text(rng, words)
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


def measure_semantic(args, generate) -> dict:
    """Vector build throughput, then the panel while typing (one encoding included), the
    case page's panel (stored vector), keyword search with the semantic rerank, and the
    vector matrix's memory."""
    import numpy as np

    from kitu_exchange.models import SearchVector
    from kitu_exchange.search import semantic, vectors
    from kitu_exchange.search.service import similar_cases

    doc_ids = vectors.visible_doc_ids()
    sample = doc_ids[:args.vector_sample]
    vectors.encoder()  # loading is not building
    started = time.perf_counter()
    vectors.build(sample)
    build_s = time.perf_counter() - started
    rng = np.random.default_rng(7)
    model = vectors.model_id()
    rest = doc_ids[len(sample):]
    for offset in range(0, len(rest), 5000):
        chunk = rest[offset:offset + 5000]
        matrix = rng.standard_normal((len(chunk), vectors.DIMENSIONS)).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        db.session.execute(insert(SearchVector), [
            {"doc_id": doc_id, "model": model, "text_hash": "", "vector": vectors.to_bytes(row),
             "updated_at": datetime.now(timezone.utc)}
            for doc_id, row in zip(chunk, matrix)])
    db.session.commit()
    started = time.perf_counter()
    assert semantic.available()
    load_s = time.perf_counter() - started
    rng_text = random.Random(3)
    typing_ms, case_ms, keyword_ms = [], [], []
    records = list(db.session.scalars(select(Question).limit(max(1, args.queries // 4))))
    for number in range(max(1, args.queries // 4)):
        title, body = generate(rng_text, 60)
        started = time.perf_counter()
        similar_cases(None, text=f"{title}\n{body}")
        typing_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        similar_cases(None, case=records[number % len(records)])
        case_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        search_cases(None, QUERIES[number % len(QUERIES)])
        keyword_ms.append((time.perf_counter() - started) * 1000)
    typing = percentiles(typing_ms)
    case = percentiles(case_ms)
    keyword = percentiles(keyword_ms)
    return {
        "vector_build_cases_per_s": round(len(sample) / build_s, 1),
        "vector_matrix_load_s": round(load_s, 2),
        "vector_memory_mb": round(semantic.memory_bytes() / 1e6, 1),
        "similar_typing_p50_ms": typing[0], "similar_typing_p95_ms": typing[1],
        "similar_case_p50_ms": case[0], "similar_case_p95_ms": case[1],
        "search_page_semantic_p50_ms": keyword[0], "search_page_semantic_p95_ms": keyword[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--words", type=int, default=150, help="words per case body")
    parser.add_argument("--procs", type=int, default=1, help="indexing processes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="zipf",
                        help="zipf: realistic vocabulary (default); small: the old ~100-word one")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--vector-sample", type=int, default=200,
                        help="cases encoded for real to measure build throughput; the "
                             "others get random unit vectors (latency does not depend "
                             "on their content); 0 skips the semantic figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INDEX_DIR": f"{tmp}/index"})
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            generate = CORPORA[args.corpus]
            load(args.docs, args.words, generate)
            refresh_planner_statistics()  # as every web process's poller does at start
            started = time.perf_counter()
            result = reindex(procs=args.procs)
            reindex_s = time.perf_counter() - started
            size = sum(p.stat().st_size for p in Path(tmp, "index").rglob("*") if p.is_file())
            index = open_index()
            segments = len(index._segments())
            synonyms = synonym_map()
            rng = random.Random(1)
            search_ms, similar_ms, page_ms = [], [], []
            with index.searcher() as searcher:
                for number in range(args.queries):
                    text = QUERIES[number % len(QUERIES)]
                    started = time.perf_counter()
                    # As the views use results: iterate the hits, read their ids.
                    [hit["doc_id"] for hit in
                     queries.search(searcher, text, synonyms=synonyms, limit=10)]
                    search_ms.append((time.perf_counter() - started) * 1000)
                    title, body = generate(rng, 60)
                    started = time.perf_counter()
                    [hit["doc_id"] for hit in
                     queries.similar(searcher, f"{title}\n{body}", synonyms=synonyms, limit=5)]
                    similar_ms.append((time.perf_counter() - started) * 1000)
            # The search page as the view calls it: a page of hits with facet counts,
            # highlights, the visibility check against the database and a suggestion.
            for number in range(max(1, args.queries // 4)):
                text = QUERIES[number % len(QUERIES)]
                started = time.perf_counter()
                search_cases(None, text)
                page_ms.append((time.perf_counter() - started) * 1000)
            semantic_report = (measure_semantic(args, generate) if args.vector_sample else {})
            db.engine.dispose()
    search_p50, search_p95 = percentiles(search_ms)
    similar_p50, similar_p95 = percentiles(similar_ms)
    page_p50, page_p95 = percentiles(page_ms)
    report = {
        "docs": result["documents"], "corpus": args.corpus, "procs": args.procs,
        "index_docs_per_s": round(result["documents"] / reindex_s),
        "index_size_mb": round(size / 1e6, 1), "segments": segments,
        "reindex_s": round(reindex_s, 1),
        "search_p50_ms": search_p50, "search_p95_ms": search_p95,
        "similar_p50_ms": similar_p50, "similar_p95_ms": similar_p95,
        "page_p50_ms": page_p50, "page_p95_ms": page_p95,
        **semantic_report,
    }
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:18} {value}")


if __name__ == "__main__":
    main()
