"""Index a search-evaluation corpus with the real search modules and score the queries.

Usage: python benchmarks/eval_search_dev.py [CORPUS_DIR] [--verbose] [--json-only]
CORPUS_DIR defaults to ../shared/search-eval/dev relative to the repository root.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from whoosh import index  # noqa: E402

from kitu_exchange.search import queries  # noqa: E402
from kitu_exchange.models.authority import population_band  # noqa: E402
from kitu_exchange.search.documents import document_fields  # noqa: E402
from kitu_exchange.search.evaluation import evaluate, load_queries  # noqa: E402
from kitu_exchange.search.schema import build_schema  # noqa: E402
from kitu_exchange.search.synonyms import SynonymMap  # noqa: E402


def read_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}, text
    _, fm, body = text.split("---", 2)
    return yaml.safe_load(fm) or {}, body.strip()


def as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return None


def load_corpus(folder: Path) -> list[dict]:
    authorities = {a["slug"]: a for a in yaml.safe_load((folder / "authorities.yaml").read_text()) or []}
    docs: list[dict] = []
    pk = 0
    for kind, sub in (("solution", "solutions"), ("question", "questions")):
        for path in sorted((folder / sub).glob("*.md")):
            meta, body = read_front_matter(path)
            pk += 1
            auth = authorities.get(meta.get("authority"), {})
            if kind == "question":
                replies = sorted(meta.get("replies") or [], key=lambda r: not r.get("accepted"))
                text = "\n\n".join([body, *(r.get("body", "") for r in replies)])
                solved = any(r.get("accepted") for r in replies)
                status = "solved" if solved else "open"
            else:
                extra = [f"Kosten: {meta['costs']}" if meta.get("costs") else "",
                         f"Aufwand: {meta['effort']}" if meta.get("effort") else ""]
                text = "\n\n".join([body, *[e for e in extra if e]])
                solved = False
                status = meta.get("status", "published")
            docs.append({
                "doc_id": f"{kind}/{path.stem}",
                "kind": kind,
                "pk": pk,
                "title": str(meta.get("title", "")),
                "body": text,
                "authority": meta.get("authority", ""),
                "authority_kind": auth.get("kind", ""),
                "population_band": population_band(auth.get("population")),
                "topics": list(meta.get("topics") or []),
                "tags": [str(t) for t in meta.get("tags") or []],
                "solved": solved,
                "status": status,
                "best_practice": status == "best_practice",
                "created": as_datetime(meta.get("created")),
                "reuse_count": len(meta.get("adopted_by") or []),
            })
    return docs


def build_index(docs: list[dict], folder: str):
    ix = index.create_in(folder, build_schema())
    with ix.writer() as w:
        for d in docs:
            w.update_document(**document_fields(d))
    return ix


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "search-eval" / "dev"))
    ap.add_argument("--synonyms", default=str(ROOT / "content" / "synonyms.yaml"))
    ap.add_argument("--verbose", "-v", action="store_true", help="per-query lines")
    ap.add_argument("--json-only", action="store_true")
    args = ap.parse_args(argv)
    folder = Path(args.corpus)
    docs = load_corpus(folder)
    synonyms = SynonymMap.from_yaml(args.synonyms) if Path(args.synonyms).is_file() else None
    qs = load_queries(folder / "queries.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        ix = build_index(docs, tmp)
        t_index = time.perf_counter() - t0
        with ix.searcher(weighting=queries.WEIGHTING) as s:
            times: dict[str, list[float]] = {"search": [], "similar": []}

            def run(q: dict) -> list[str]:
                t = time.perf_counter()
                fn = queries.similar if q["mode"] == "similar" else queries.search
                res = fn(s, q["query"], synonyms=synonyms, limit=10)
                ids = [hit["doc_id"] for hit in res]
                times[q["mode"]].append(time.perf_counter() - t)
                return ids

            result = evaluate(qs, run)
    per_query = result.pop("per_query")
    if args.json_only:
        print(json.dumps(result, indent=2))
        return 0
    print(json.dumps(result, indent=2))
    print(f"\nindexed {len(docs)} docs in {t_index:.2f}s; "
          + ", ".join(f"{m} p50 {sorted(v)[len(v)//2]*1000:.1f} ms" for m, v in times.items() if v))
    print(f"\n{'slice':<12}{'n':>4}{'nDCG@10':>10}{'R@5':>8}{'MRR':>8}")
    for name in ("all", "search", "similar", "hard"):
        m = result[name]
        print(f"{name:<12}{m['n']:>4}{m['ndcg@10']:>10.3f}{m['recall@5']:>8.3f}{m['mrr']:>8.3f}")
    for name, m in result["categories"].items():
        print(f"  {name:<10}{m['n']:>4}{m['ndcg@10']:>10.3f}{m['recall@5']:>8.3f}{m['mrr']:>8.3f}")
    if args.verbose:
        rel = {q["id"]: q for q in qs}
        print()
        for qid, r in per_query.items():
            q = rel[qid]
            mark = "  " if r["ndcg@10"] >= 0.8 else "!!"
            print(f"{mark}{qid} {r['category']:<10} nDCG {r['ndcg@10']:.2f} R@5 {r['recall@5']:.2f} | {q['query'][:60]}")
            if r["ndcg@10"] < 0.8:
                for i, d in enumerate(r["top"][:6], 1):
                    print(f"      {i}. {'*' * q['relevant'].get(d, 0):<2} {d}")
                missing = [d for d in q["relevant"] if d not in r["top"][:6]]
                for d in missing:
                    print(f"      missing ({q['relevant'][d]}): {d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
