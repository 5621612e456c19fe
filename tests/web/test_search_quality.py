"""Search quality on the team's German evaluation corpus, through the CLI as a user
of `flask search evaluate` would measure it. Thresholds from the issue; they guard
against silent regressions."""
import json
import re

import pytest
import yaml

from tests.conftest import REPO, shared_path

pytestmark = pytest.mark.slow
# Recall@5 is a mean of fractions such as 2/3: a sum of 0.88 may come out 0.8799999.
EPSILON = 1e-9


def dev_mentioning(terms: list[str], queries: list[str]) -> bool:
    """Whether a synonym set names a word or phrase of a dev query (such sets may owe
    their existence to the dev set; the targets must hold without them, minus 0.03)."""
    text = " " + " ".join(fold(q) for q in queries) + " "
    text = re.sub(r"[^\w\-]+", " ", text)
    return any(re.search(r"(?<![\w-])" + re.escape(fold(str(t))) + r"(?![\w-])", text)
               for t in terms)


def fold(text: str) -> str:
    return (text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
            .replace("ß", "ss"))


def run_evaluation(runner, tmp_path, without_dev_mentioning: bool) -> dict:
    corpus = shared_path("search-eval", "dev")
    result = runner.invoke(args=["content", "import", str(corpus)])
    assert result.exit_code == 0, result.output
    synonyms = tmp_path / "synonyms"
    synonyms.mkdir()
    sets = yaml.safe_load((REPO / "content" / "synonyms.yaml").read_text(encoding="utf-8"))
    if without_dev_mentioning:
        queries = [json.loads(line)["query"] for line in
                   (corpus / "queries.jsonl").read_text(encoding="utf-8").splitlines()
                   if line.strip()]
        kept = [terms for terms in sets if not dev_mentioning(terms, queries)]
        assert 0 < len(kept) < len(sets)
        sets = kept
    (synonyms / "synonyms.yaml").write_text(yaml.safe_dump(sets, allow_unicode=True),
                                            encoding="utf-8")
    assert runner.invoke(args=["content", "import", str(synonyms)]).exit_code == 0
    result = runner.invoke(args=["search", "vectors", "--procs", "2"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["search", "evaluate", str(corpus / "queries.jsonl"),
                                 "--json", "--holdout"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def hard_ndcg(report: dict) -> float:
    hard = {name: m for name, m in report["categories"].items() if name != "basic"}
    return sum(m["ndcg@10"] * m["n"] for m in hard.values()) / sum(m["n"] for m in hard.values())


def test_quality_thresholds(runner, tmp_path):
    evaluation = run_evaluation(runner, tmp_path, without_dev_mentioning=False)
    assert set(evaluation) == {"all", "search", "similar", "categories", "semantic", "runs"}
    # Every case has its vector, so the semantic signal takes part.
    assert evaluation["semantic"] is True
    assert evaluation["all"]["n"] == 64
    assert evaluation["runs"]["semantic holdout"]["all"]["n"] == 19
    # The targets; measured 0.938 / 0.895 / 0.917 / 0.880 (docs/search.md).
    assert evaluation["all"]["ndcg@10"] >= 0.92, evaluation
    assert hard_ndcg(evaluation) >= 0.87, evaluation
    assert evaluation["similar"]["ndcg@10"] >= 0.90, evaluation
    assert evaluation["similar"]["recall@5"] >= 0.88 - EPSILON, evaluation
    # The semantic signal earns its place: similar cases clearly better than lexical.
    lexical = evaluation["runs"]["lexical"]
    assert evaluation["similar"]["ndcg@10"] >= lexical["similar"]["ndcg@10"] + 0.015
    assert evaluation["all"]["ndcg@10"] >= lexical["all"]["ndcg@10"]


def test_quality_without_synonym_sets_that_mention_dev_queries(runner, tmp_path):
    evaluation = run_evaluation(runner, tmp_path, without_dev_mentioning=True)
    assert evaluation["semantic"] is True
    # The targets minus 0.03; measured 0.921 / 0.854 / 0.915 / 0.863.
    assert evaluation["all"]["ndcg@10"] >= 0.89, evaluation
    assert hard_ndcg(evaluation) >= 0.84, evaluation
    assert evaluation["similar"]["ndcg@10"] >= 0.87, evaluation
    assert evaluation["similar"]["recall@5"] >= 0.85, evaluation
