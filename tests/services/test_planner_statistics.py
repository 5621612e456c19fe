"""SQLite's query planner needs statistics to pick the right index.

Without them it guessed that "not deleted" (an index where every row is NULL) or a
solution's status narrows a search as well as the unique slug, and the lookup of the
cases behind search hits and similar cases read every row: 60-90 ms per panel at 50,000
cases instead of about 1 ms. An import (and the poller, hourly) refreshes them."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from kitu_exchange.extensions import db
from kitu_exchange.models import Question, Solution
from kitu_exchange.search.index import watch
from kitu_exchange.visibility import public_questions, public_solutions

SLUGS = [f"fall-{number}" for number in range(15)]  # the panel looks up 15 candidates


def write_folder(root, cases: int):
    (root / "questions").mkdir(parents=True)
    (root / "solutions").mkdir()
    (root / "authorities.yaml").write_text(
        "- slug: musterstadt\n  name: Stadt Musterstadt\n  kind: Stadt\n", encoding="utf-8")
    for number in range(cases):
        (root / "questions" / f"fall-{number}.md").write_text(
            f"---\ntitle: Frage Nummer {number}\nauthority: musterstadt\n"
            f"created: 2024-01-01\n---\nText {number}.\n", encoding="utf-8")
        (root / "solutions" / f"fall-{number}.md").write_text(
            f"---\ntitle: Lösung Nummer {number}\nauthority: musterstadt\nstatus: published\n"
            f"created: 2024-01-01\n---\n## Ausgangslage\n\nText {number}.\n", encoding="utf-8")
    return root


def plans() -> list[str]:
    """SQLite's plan for the lookups that `service.visible_records` makes."""
    statements = [
        select(Question).where(Question.slug.in_(SLUGS), public_questions())
        .options(joinedload(Question.authority)),
        select(Solution).where(Solution.slug.in_(SLUGS), public_solutions())
        .options(joinedload(Solution.authority)),
    ]
    found = []
    for statement in statements:
        sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
        found.append(" ".join(row[3] for row in db.session.execute(
            text("EXPLAIN QUERY PLAN " + sql))))
    db.session.rollback()
    return found


@pytest.fixture
def sqlite_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("PostgreSQL's autovacuum keeps its own planner statistics")


def test_an_import_gives_the_planner_statistics(app, sqlite_only, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["content", "import", str(write_folder(tmp_path / "inhalt", 150))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        question_plan, solution_plan = plans()
    assert "sqlite_autoindex_question_1 (slug=?)" in question_plan, question_plan
    assert "sqlite_autoindex_solution_1 (slug=?)" in solution_plan, solution_plan


def test_the_poller_refreshes_the_statistics(app, sqlite_only, make_user, make_question):
    make_user("fragende@musterstadt.example")
    for number in range(20):
        make_question("fragende@musterstadt.example", title=f"Drucker Nummer {number}?")
    watch(app, interval=0.1, seconds=0)  # one round, as in every web process
    with app.app_context():
        question_plan, _ = plans()
    # At 20 questions reading them all is cheapest; what matters is that the planner
    # knows the "not deleted" index narrows nothing.
    assert "ix_question_deleted_at" not in question_plan, question_plan
