"""`flask search …`: sync, reindex, query, similar, evaluate."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import index, service, vectors
from .evaluation import evaluate, holdout_part, load_queries

search = AppGroup("search", help="Search index and search quality.")


@search.command("sync")
def sync_command():
    """Apply pending changes from the change log to this host's index."""
    if index.open_index() is None:
        click.echo("Index missing or unusable: rebuilding from the database.")
        index.rebuild_if_unusable(wait=True)
        click.echo(f"Rebuilt; {index.pending_count()} pending.")
        return
    applied = index.sync(wait=True)
    click.echo(f"Applied {applied} changes; {index.pending_count()} pending.")


@search.command("watch")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05),
              help="Seconds between checks for pending changes.")
@click.option("--seconds", type=click.FloatRange(0), help="Stop after this long.")
@click.option("--once", is_flag=True, help="Check once and stop.")
def watch_command(interval, seconds, once):
    """Keep this host's index current: apply pending changes every second, until
    interrupted. For hosts that serve no web traffic (web processes do it themselves)."""
    app = current_app._get_current_object()
    try:
        index.watch(app, interval, 0 if once else seconds, wait=once,
                    each_round=vectors.work_once)
    except KeyboardInterrupt:
        pass


@search.command("reindex")
@click.option("--procs", default=1, show_default=True, help="Indexing processes.")
def reindex_command(procs):
    """Rebuild the index from the database into a fresh folder and swap it in."""
    result = index.reindex(procs=procs)
    click.echo(f"Indexed {result['documents']} documents in {result['seconds']:.1f} s "
               f"({result['generation']}).")


@search.command("vectors")
@click.option("--procs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Encoding processes.")
def vectors_command(procs):
    """Compute the sentence vectors that are missing (first start, model change)."""
    result = vectors.build_missing(procs=procs)
    state = vectors.coverage()
    click.echo(f"Computed {result['built']} vectors in {result['seconds']:.1f} s "
               f"({result['per_second']:.1f} cases/s); {state['missing']} of "
               f"{state['visible']} cases without a vector of {state['model']}.")


def _print_hits(hits: list[dict], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(hits, ensure_ascii=False))
        return
    if not hits:
        click.echo("No results.")
    for hit in hits:
        click.echo(f"{hit['score']:8.3f}  {hit['id']}  {hit['title']}")


@search.command("query")
@click.argument("text")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def query_command(text, limit, as_json):
    """Search as the search box does."""
    index.ensure_index()
    _print_hits(service.ids_for_cli(text, "search", limit), as_json)


@search.command("similar")
@click.option("--text", required=True, help="Title and body of a draft question.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def similar_command(text, limit, as_json):
    """Cases similar to a draft's text."""
    index.ensure_index()
    _print_hits(service.ids_for_cli(text, "similar", limit), as_json)


@search.command("evaluate")
@click.argument("queries_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--details", is_flag=True, help="With --json: add per-query results.")
@click.option("--holdout", is_flag=True,
              help="Also report the fixed, seeded 30 % of the queries that tuning never "
                   "looks at.")
def evaluate_command(queries_file, as_json, details, holdout):
    """Measure nDCG@10, Recall@5 and MRR of a query file against the current database,
    with the semantic signal (when every case has its vector) and without it."""
    from . import semantic

    index.ensure_index()
    try:
        queries = load_queries(queries_file)
    except (ValueError, KeyError) as error:
        click.echo(f"Error: {queries_file} is not a valid query file: {error}", err=True)
        sys.exit(1)
    sets = {"": queries}
    if holdout:
        sets["holdout"] = holdout_part(queries)
    runs = {"lexical": False}
    if semantic.available():
        runs = {"semantic": True, "lexical": False}
    reports = {}
    for run_name, use_semantic in runs.items():
        results = {}
        for query in queries:  # each query runs once per signal; the sets share results
            results[query.get("id")] = [hit["id"] for hit in service.ids_for_cli(
                query["query"], query.get("mode", "search"), 10, use_semantic=use_semantic)]
        for set_name, subset in sets.items():
            name = f"{run_name} {set_name}".strip()
            reports[name] = evaluate(subset, lambda q: results[q.get("id")])
    main = reports[next(iter(runs))]
    if as_json:
        keys = ["all", "search", "similar", "categories"] + (
            ["hard", "per_query"] if details else [])
        output = {key: main[key] for key in keys}
        output["semantic"] = "semantic" in runs
        output["runs"] = {name: {key: report[key] for key in ("all", "search", "similar",
                                                              "hard")}
                          for name, report in reports.items()}
        click.echo(json.dumps(output))
        return
    if "semantic" not in runs:
        click.echo("Semantic signal unavailable (vectors missing: flask search vectors); "
                   "lexical only.")
    for name, report in reports.items():
        click.echo(f"\n[{name}]  n={report['all']['n']}")
        rows = [("all", report["all"]), ("search", report["search"]),
                ("similar", report["similar"]), ("hard", report["hard"]),
                *sorted(report["categories"].items())]
        click.echo(f"{'':12} {'nDCG@10':>8} {'Recall@5':>9} {'MRR':>6} {'n':>4}")
        for row_name, m in rows:
            click.echo(f"{row_name:12} {m['ndcg@10']:8.3f} {m['recall@5']:9.3f} "
                       f"{m['mrr']:6.3f} {m['n']:4d}")
