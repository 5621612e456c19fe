"""Query building and ranking on a small in-memory index."""

from datetime import datetime

import pytest
from whoosh import query, sorting
from whoosh.filedb.filestore import RamStorage

from kitu_exchange.search import queries, spelling
from kitu_exchange.search.analysis import analyze_word
from kitu_exchange.search.documents import document_fields
from kitu_exchange.search.evaluation import evaluate, mrr, ndcg_at_k, recall_at_k
from kitu_exchange.search.schema import build_schema
from kitu_exchange.search.synonyms import SynonymMap

DOCS = [
    ("solution/drucker", "Einheitliche Druckerlandschaft mit Managed Print",
     "Wir haben alle Drucker und Kopierer vereinheitlicht. Der Seitenpreis sank deutlich.", "quedlinburg"),
    ("question/drucksachen", "Nummerierung der Drucksachen im Ratsinformationssystem",
     "Die Drucksachen des Stadtrats werden fortlaufend nummeriert. Druck und Drucksache im RIS.", "wernigerode"),
    ("solution/erechnung", "XRechnung empfangen über die Rechnungseingangsplattform",
     "Elektronische Rechnungen kommen als XRechnung. Abgelehnte Rechnungen melden wir dem Lieferanten.",
     "quedlinburg"),
    ("question/gebuehren", "Gebühren online bezahlen mit ePayBL",
     "Wie kann man Gebühren für Urkunden online bezahlen? Wir suchen eine Lösung.", "halberstadt"),
    ("solution/isms", "Informationssicherheit nach BSI-Grundschutz",
     "Ein Managementsystem für Informationssicherheit aufbauen, mit Beauftragtem.", "wernigerode"),
    ("question/kopierer", "Kopierer leasen oder kaufen?",
     "Wir wollen unsere Kopierer leasen. Wer hat Erfahrung mit Leasing von Multifunktionsgeräten?", "halberstadt"),
    ("solution/backup", "Datensicherung nach 3-2-1 mit unveränderlichem Speicher",
     "Die Datensicherung liegt auf einem getrennten System; Rücksicherung wird monatlich geprüft.",
     "quedlinburg"),
    ("question/friedhof", "Friedhofsverwaltung mit Gebührenbescheiden",
     "Wir suchen Software für Grabstellen, die Gebührenbescheide erstellt.", "wernigerode"),
]

SYNONYMS = SynonymMap([
    ["XRechnung", "E-Rechnung", "elektronische Rechnung"],
    ["MFP", "Multifunktionsgerät", "Kopierer"],
    ["Backup", "Datensicherung"],
])


@pytest.fixture(scope="module")
def ix():
    index = RamStorage().create_index(build_schema())
    with index.writer() as w:
        for n, (doc_id, title, body, authority) in enumerate(DOCS, start=1):
            w.update_document(**document_fields({
                "doc_id": doc_id, "kind": doc_id.split("/")[0], "pk": n, "title": title, "body": body,
                "authority": authority, "authority_kind": "Stadt", "population_band": "10k-50k",
                "topics": ["drucker-kopierer"] if "druck" in doc_id or "kopierer" in doc_id else ["sonstiges"],
                "tags": ["Test"], "solved": n % 2 == 0, "status": "published", "best_practice": n == 1,
                "created": datetime(2020, 1, n), "reuse_count": n,
            }))
    return index


@pytest.fixture()
def searcher(ix):
    with ix.searcher(weighting=queries.WEIGHTING) as s:
        yield s


def ids(results) -> list[str]:
    return [hit["doc_id"] for hit in results]


def test_drucker_finds_druckerlandschaft_before_drucksache(searcher):
    found = ids(queries.search(searcher, "Drucker"))
    assert found[0] == "solution/drucker"
    assert "question/drucksachen" not in found[:1]


def test_compound_query_finds_its_parts(searcher):
    assert ids(queries.search(searcher, "Druckerflotte"))[0] == "solution/drucker"
    assert ids(queries.search(searcher, "Informationssicherheitsmanagementsystem"))[0] == "solution/isms"


@pytest.mark.parametrize("text", ["Gebuehren online", "Gebühren online", "Gebuhren online"])
def test_umlaut_spellings(searcher, text):
    assert ids(queries.search(searcher, text))[0] == "question/gebuehren"


def test_dropped_umlaut_in_compound(searcher):
    assert ids(queries.search(searcher, "Gebuhrenbescheide"))[0] == "question/friedhof"


def test_typo_is_tolerated(searcher):
    assert ids(queries.search(searcher, "Kopirer leasen"))[0] == "question/kopierer"


def test_inflection(searcher):
    assert ids(queries.search(searcher, "abgelehnte Rechnung"))[0] == "solution/erechnung"


def test_synonyms_expand(searcher):
    assert "solution/erechnung" in ids(queries.search(searcher, "E-Rechnungen", synonyms=SYNONYMS))
    assert ids(queries.search(searcher, "Backup prüfen", synonyms=SYNONYMS))[0] == "solution/backup"
    # Without synonyms the backup document does not say "Backup".
    assert "solution/backup" not in ids(queries.search(searcher, "Backup"))


def test_phrase(searcher):
    assert ids(queries.search(searcher, '"elektronische Rechnungen"')) == ["solution/erechnung"]
    assert ids(queries.search(searcher, '"Rechnungen elektronische"')) == []


def test_exclusion(searcher):
    found = ids(queries.search(searcher, "Drucker -Ratsinformationssystem"))
    assert "question/drucksachen" not in found
    assert "solution/drucker" in found
    assert ids(queries.search(searcher, "-Drucker")) == []


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", "(", "*", ":", '"', '"unbalanced phrase', "title:", "a AND OR NOT", "-", "--x",
     "((((", "ä" * 50, "x" * 10_000, "Drucker " * 2_000, "\x00\n\t", "🙂 Drucker"],
)
def test_garbage_never_raises(searcher, garbage):
    queries.search(searcher, garbage)
    queries.similar(searcher, garbage)
    spelling.suggest(searcher, garbage)


def test_schema_only_query_building():
    q = queries.build_search_query(build_schema(), "Drucker Gebühren", None)
    assert isinstance(q, query.Query)
    assert queries.build_search_query(build_schema(), "***", None) is query.NullQuery


def test_search_kwargs_pass_through(searcher):
    res = queries.search(searcher, "Drucker Kopierer", filter=query.Term("authority", "halberstadt"))
    assert ids(res) == ["question/kopierer"]
    res = queries.search(searcher, "Drucker Kopierer", mask=query.Term("kind", "question"))
    assert all(i.startswith("solution/") for i in ids(res))
    res = queries.search(searcher, "Drucker Kopierer", sortedby="created", reverse=True)
    assert len(res) >= 2


def test_facets(searcher):
    res = queries.search(searcher, "Drucker Kopierer Rechnung Gebühren", limit=None,
                         groupedby={"authority": sorting.FieldFacet("authority"),
                                    "topics": sorting.FieldFacet("topics", allow_overlap=True),
                                    "kind": sorting.FieldFacet("kind"),
                                    "solved": sorting.FieldFacet("solved"),
                                    "best_practice": sorting.FieldFacet("best_practice"),
                                    "population_band": sorting.FieldFacet("population_band"),
                                    "authority_kind": sorting.FieldFacet("authority_kind")})
    assert set(res.groups("authority")) >= {"quedlinburg", "halberstadt"}
    assert "drucker-kopierer" in res.groups("topics")
    assert set(res.groups("kind")) == {"question", "solution"}
    # BOOLEAN fields facet by their indexed terms "t"/"f".
    assert set(res.groups("solved")) == {"t", "f"}


def test_similar_from_draft(searcher):
    draft = ("Kopierer im Flur – Leasing oder Kauf? Unsere Multifunktionsgeräte sind alt, "
             "wir überlegen, neue Kopierer zu leasen. Welche Erfahrungen habt ihr mit Leasing?")
    assert ids(queries.similar(searcher, draft))[0] == "question/kopierer"


def test_similar_with_mask_and_to_document(searcher):
    draft = "Kopierer leasen, Multifunktionsgeräte, Leasing Erfahrungen"
    res = queries.similar(searcher, draft, mask=query.Term("doc_id", "question/kopierer"))
    assert "question/kopierer" not in ids(res)
    res = queries.similar_to_document(searcher, "solution/drucker")
    assert "solution/drucker" not in ids(res)
    assert ids(res)[0] == "question/kopierer"


def test_suggest(searcher):
    assert spelling.suggest(searcher, "Kopirer leasen") == "Kopierer leasen"
    assert spelling.suggest(searcher, "Kopierer leasen") is None


def test_highlights_from_search(searcher):
    res = queries.search(searcher, "Drucker", terms=True)
    assert "Drucker" in res[0].highlights("body")


def test_metrics():
    rel = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b"], rel) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "a"], rel) < 1.0
    assert ndcg_at_k([], rel) == 0.0
    assert recall_at_k(["x", "b"], rel, 5) == 0.5
    assert mrr(["x", "b"], rel) == 0.5
    out = evaluate([{"id": "q", "mode": "search", "category": "typo", "relevant": rel}], lambda q: ["a", "b"])
    assert out["all"]["ndcg@10"] == pytest.approx(1.0)
    assert out["categories"]["typo"]["n"] == 1 and out["hard"]["n"] == 1


# ------------------------------------------------------------ term-at-a-time scorer
FLAT_INPUTS = ["Drucker vereinheitlichen", "Kopirer leasen", "Gebuehren online bezahlen",
               '"Gebühren online" -Friedhof', "XRechnung", "Informationssicherheit Managementsystem"]


@pytest.mark.parametrize("text", FLAT_INPUTS)
def test_flat_scores_equal_whoosh_scores(searcher, text):
    from kitu_exchange.search.flatscore import segment_scores

    q = queries.build_search_query(searcher, text, SYNONYMS)
    whoosh_scores = {hit.docnum: hit.score for hit in
                     searcher.search(q, limit=None, optimize=False)}
    flat = segment_scores(searcher, q, searcher.context())
    assert flat.keys() == whoosh_scores.keys()
    for docnum, score in whoosh_scores.items():
        assert flat[docnum] == pytest.approx(score, rel=1e-9)


def test_pruned_search_keeps_total_filter_and_mask(searcher):
    q = queries.build_search_query(searcher, "Gebühren Drucker Rechnung", SYNONYMS)
    full = searcher.search(q, limit=None, optimize=False)
    top = queries.run_query(searcher, q, limit=2)
    assert len(top) == len(full)
    assert [h["doc_id"] for h in top] == [h["doc_id"] for h in full][:2]
    only = query.Term("authority", "quedlinburg")
    filtered = queries.run_query(searcher, q, limit=10, filter=only)
    assert {h["authority"] for h in filtered} == {"quedlinburg"}
    assert len(filtered) == len(searcher.search(q, limit=None, filter=only))
    masked = queries.run_query(searcher, q, limit=10, mask=only)
    assert "quedlinburg" not in {h["authority"] for h in masked}


def test_facet_counts_equal_whoosh_groups(searcher):
    from kitu_exchange.search.flatscore import FlatScoreQuery, facet_counts

    q = queries.build_search_query(searcher, "Drucker Gebühren Rechnung", SYNONYMS)
    names = ("kind", "topics", "authority")
    facets = [sorting.FieldFacet(n, allow_overlap=n == "topics") for n in names]
    grouped = searcher.search(q, limit=None, groupedby=facets)
    counts = facet_counts(FlatScoreQuery(q).all_matches(searcher), names)
    for name in names:
        expected = {k: len(v) for k, v in grouped.groups(name).items() if k is not None}
        assert counts[name] == expected


def test_similar_key_terms_keep_common_words_up_to_half_of_the_cases():
    """A word in 45 % of all cases still counts (BM25's idf discounts it); one in more
    than half of them says nothing (the Robertson/Sparck Jones idf is zero there)."""
    from kitu_exchange.search.similar_terms import key_terms

    index = RamStorage().create_index(build_schema())
    with index.writer() as w:
        for n in range(20):
            words = ["Fall"]
            if n < 9:
                words.append("Verwaltung")  # 9 of 20 cases: 45 %
            if n < 11:
                words.append("Rathaus")  # 11 of 20 cases: 55 %
            w.update_document(**document_fields({
                "doc_id": f"solution/{n}", "kind": "solution", "pk": n + 1,
                "title": f"Fall {n}", "body": " ".join(words), "authority": "quedlinburg",
                "authority_kind": "Stadt", "population_band": "10k-50k", "topics": ["sonstiges"],
                "tags": [], "solved": False, "status": "published", "best_practice": False,
                "created": datetime(2020, 1, 1), "reuse_count": 0}))
    with index.searcher() as s:
        stems = [stem for stem, _ in key_terms(s.reader(), "Verwaltung im Rathaus", None, 15)]
    assert analyze_word("Verwaltung").stem in stems
    assert analyze_word("Rathaus").stem not in stems
