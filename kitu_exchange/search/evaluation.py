"""Search quality metrics (nDCG@k, Recall@k, MRR) over graded query judgments."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain of a list of gains in rank order (log2 discount)."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at_k(ranked_ids: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^grade - 1; the ideal ranking uses all judged relevant documents."""
    ideal = dcg(sorted((2 ** g - 1 for g in relevant.values() if g > 0), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    seen: set[str] = set()
    gains = []
    for doc in ranked_ids[:k]:
        # A duplicate in the ranking earns nothing the second time.
        gains.append(0 if doc in seen else 2 ** relevant.get(doc, 0) - 1)
        seen.add(doc)
    return dcg(gains) / ideal


def recall_at_k(ranked_ids: Sequence[str], relevant: Mapping[str, int], k: int = 5) -> float:
    """Fraction of the relevant documents (grade >= 1) found in the top k."""
    rel = {d for d, g in relevant.items() if g >= 1}
    if not rel:
        return 0.0
    return len(rel & set(ranked_ids[:k])) / len(rel)


def mrr(ranked_ids: Sequence[str], relevant: Mapping[str, int]) -> float:
    """Reciprocal rank of the first relevant document (0 if none is returned)."""
    for rank, doc in enumerate(ranked_ids, start=1):
        if relevant.get(doc, 0) >= 1:
            return 1.0 / rank
    return 0.0


def load_queries(path: str | Path) -> list[dict]:
    """Read a queries.jsonl file (one JSON object a line; blank lines ignored)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# The held-out part: a fixed share of the queries, drawn with a fixed seed from their
# ids, that tuning never looks at (report it, do not tune on it).
HOLDOUT_SHARE = 0.3
HOLDOUT_SEED = 20261129


def holdout_part(queries: list[dict]) -> list[dict]:
    """The fixed, seeded 30 % of the queries kept out of tuning (stable for a file)."""
    ids = sorted(q.get("id", str(n)) for n, q in enumerate(queries))
    chosen = set(random.Random(HOLDOUT_SEED).sample(ids, round(HOLDOUT_SHARE * len(ids))))
    return [q for n, q in enumerate(queries) if q.get("id", str(n)) in chosen]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _summary(rows: list[tuple[float, float, float]]) -> dict:
    return {
        "ndcg@10": _mean([r[0] for r in rows]),
        "recall@5": _mean([r[1] for r in rows]),
        "mrr": _mean([r[2] for r in rows]),
        "n": len(rows),
    }


def evaluate(queries: list[dict], run: Callable[[dict], list[str]]) -> dict:
    """Run every query and average the metrics overall, per mode and per category.

    Returns ``{"all": M, "search": M, "similar": M, "hard": M, "categories": {...},
    "per_query": {id: {...}}}`` with ``M = {"ndcg@10", "recall@5", "mrr", "n"}``;
    "hard" is every category except "basic".
    """
    rows: dict[str, list[tuple[float, float, float]]] = {"all": [], "search": [], "similar": [], "hard": []}
    cats: dict[str, list[tuple[float, float, float]]] = {}
    per_query: dict[str, dict] = {}
    for q in queries:
        ranked = list(run(q))
        rel = q.get("relevant", {})
        row = (ndcg_at_k(ranked, rel, 10), recall_at_k(ranked, rel, 5), mrr(ranked, rel))
        mode = q.get("mode", "search")
        cat = q.get("category", "basic")
        rows["all"].append(row)
        rows.setdefault(mode, []).append(row)
        cats.setdefault(cat, []).append(row)
        if cat != "basic":
            rows["hard"].append(row)
        per_query[q.get("id", str(len(per_query)))] = {
            "ndcg@10": row[0], "recall@5": row[1], "mrr": row[2],
            "mode": mode, "category": cat, "top": ranked[:10],
        }
    result = {name: _summary(r) for name, r in rows.items()}
    result["categories"] = {name: _summary(r) for name, r in sorted(cats.items())}
    result["per_query"] = per_query
    return result
