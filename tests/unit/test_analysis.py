"""German analysis: folding, stemming, compounds, stop words, highlighting offsets."""

import pickle
import subprocess
import sys

import pytest
from whoosh import fields, highlight, query
from whoosh.filedb.filestore import RamStorage

from kitu_exchange.search import analysis
from kitu_exchange.search.analysis import analyze_word, fold, german_analyzer


def stems(text: str) -> list[str]:
    return [t.text for t in german_analyzer()(text)]


def whole_stem(word: str) -> str:
    wa = analyze_word(word)
    assert wa is not None
    return wa.stem


def all_stems(word: str) -> set[str]:
    wa = analyze_word(word)
    assert wa is not None
    return {wa.stem, *(stem for _, stem, _ in wa.derived)}


@pytest.mark.parametrize(
    "raw, folded",
    [("Gebühren", "gebuehren"), ("Straße", "strasse"), ("ÖFFNUNG", "oeffnung"), ("Café", "cafe")],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize(
    "variants",
    [
        ("Gebühren", "Gebuehren", "Gebuhren"),
        ("Bürgerkonto", "Buergerkonto", "Burgerkonto"),
        ("Straßenkataster", "Strassenkataster"),
        ("Rücksicherung", "Ruecksicherung"),
    ],
)
def test_umlaut_spellings_meet(variants):
    assert len({whole_stem(v) for v in variants}) == 1


def test_inflected_forms_share_a_stem():
    assert whole_stem("Rechnungen") == whole_stem("Rechnung")
    assert whole_stem("E-Rechnungen") == whole_stem("E-Rechnung")
    assert whole_stem("Diensthandys") == whole_stem("Diensthandy")
    assert whole_stem("verlorenes") == whole_stem("verloren")


def test_ung_noun_also_indexes_its_verb():
    assert whole_stem("prüfen") in all_stems("Prüfung")
    assert whole_stem("auslagern") in all_stems("Auslagerung")
    # "Schulung" must not turn into "schulen" = plural of "Schule".
    assert whole_stem("Schule") not in all_stems("Schulung")


def test_stop_words_are_dropped():
    tokens = set(stems("Unsere Einführung der E-Akte und des DMS"))
    assert not {"unser", "unsere", "die", "der", "und", "des"} & tokens
    assert {whole_stem("Einführung"), whole_stem("E-Akte"), "dms"} <= tokens


def test_compound_parts_found_at_index_time():
    parts = all_stems("Druckerlandschaft")
    assert whole_stem("Drucker") in parts
    assert whole_stem("Landschaft") in parts
    isms = all_stems("Informationssicherheitsmanagementsystem")
    assert whole_stem("Informationssicherheit") in isms
    assert whole_stem("Managementsystem") in isms


def test_fugen_elements_are_removed():
    assert "ordnung" in {f for f, _, _ in analyze_word("Ordnungsamt").derived}
    assert "kasse" in {f for f, _, _ in analyze_word("Kassenautomat").derived} or "kassen" in {
        f for f, _, _ in analyze_word("Kassenautomat").derived
    }


def test_no_split_away_from_hyphenation_points_or_into_prefixes():
    assert analyze_word("Telefon").derived == ()
    assert "bildung" not in {f for f, _, _ in analyze_word("Ausbildung").derived}  # not "Aus|bildung"
    assert "schaft" not in {f for f, _, _ in analyze_word("Druckerlandschaft").derived}
    assert "rinnen" not in {f for f, _, _ in analyze_word("Mitarbeiterinnen").derived}


def test_drucksache_part_is_weighted_below_a_real_drucker():
    wa = analyze_word("Drucksache")
    druck = [b for f, s, b in wa.derived if s == whole_stem("Drucker")]
    # The collision exists (Snowball), but only as a low-weight modifier part.
    assert druck and druck[0] < 0.5
    assert wa.stem != whole_stem("Drucker")


def test_hyphenated_words_emit_whole_and_segments_at_one_position():
    tokens = [(t.text, t.pos) for t in german_analyzer()("Die E-Rechnung kommt", positions=True)]
    texts = [t for t, _ in tokens]
    assert whole_stem("E-Rechnung") in texts and whole_stem("Rechnung") in texts
    positions = {pos for text, pos in tokens if text in (whole_stem("E-Rechnung"), whole_stem("Rechnung"))}
    assert positions == {0}  # "Die" is a stop word: no gap before the first word
    assert max(p for _, p in tokens) == 1


def test_token_offsets_point_at_the_surface_word():
    text = "Eine Druckerlandschaft, alt."
    for t in german_analyzer()(text, chars=True):
        assert text[t.startchar : t.endchar] in ("Druckerlandschaft", "alt")


def test_garbage_does_not_explode():
    assert analyze_word("x" * 10_000) is not None
    assert stems("((( *** ::: \"\" ---") == []
    assert analyze_word("---") is None


def test_filters_pickle_without_the_lexicon():
    analysis.lexicon()  # loaded
    data = pickle.dumps(german_analyzer())
    assert len(data) < 2_000
    assert pickle.loads(data)("Gebühren")


def test_highlighting_on_analysed_field():
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(analyzer=german_analyzer(), stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="1", body="Wir haben die Druckerlandschaft vereinheitlicht und Gebühren gesenkt.")
    with ix.searcher() as s:
        q = query.Or([query.Term("body", whole_stem("Drucker")), query.Term("body", whole_stem("Gebuehren"))])
        hits = s.search(q, terms=True)
        hits.formatter = highlight.UppercaseFormatter()
        text = hits[0].highlights("body")
    assert "DRUCKERLANDSCHAFT" in text
    assert "GEBÜHREN" in text


def test_importing_the_search_modules_does_not_load_the_lexicon():
    # A fresh interpreter: this test process may have loaded the lexicon already.
    modules = ["queries", "parsing", "expansion", "spelling", "similar_terms", "terms",
               "tuning", "explain", "service", "semantic", "index", "views", "cli"]
    code = "\n".join(
        [f"import kitu_exchange.search.{name}" for name in modules]
        + ["from kitu_exchange.search import analysis",
           "print('loaded' if analysis._lexicon is not None else 'empty')"])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "empty", result.stderr
