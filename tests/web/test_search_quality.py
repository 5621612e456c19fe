"""Search quality on the team's German evaluation corpus, through the CLI as a user
of `flask search evaluate` would measure it. Thresholds from the issue; they guard
against silent regressions."""
import json
import shutil

import pytest

from tests.conftest import REPO, shared_path

pytestmark = pytest.mark.slow


@pytest.fixture
def evaluation(runner, tmp_path):
    corpus = shared_path("search-eval", "dev")
    result = runner.invoke(args=["content", "import", str(corpus)])
    assert result.exit_code == 0, result.output
    synonyms = tmp_path / "synonyms"
    synonyms.mkdir()
    shutil.copy(REPO / "content" / "synonyms.yaml", synonyms / "synonyms.yaml")
    assert runner.invoke(args=["content", "import", str(synonyms)]).exit_code == 0
    result = runner.invoke(args=["search", "evaluate", str(corpus / "queries.jsonl"),
                                 "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def hard_ndcg(report: dict) -> float:
    hard = {name: m for name, m in report["categories"].items() if name != "basic"}
    return sum(m["ndcg@10"] * m["n"] for m in hard.values()) / sum(m["n"] for m in hard.values())


def test_quality_thresholds(evaluation):
    assert set(evaluation) == {"all", "search", "similar", "categories"}
    assert evaluation["all"]["n"] == 64
    assert evaluation["all"]["ndcg@10"] >= 0.88, evaluation
    assert hard_ndcg(evaluation) >= 0.75, evaluation
    assert evaluation["similar"]["recall@5"] >= 0.75, evaluation
