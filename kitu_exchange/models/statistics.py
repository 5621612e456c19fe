"""Statistics for SQLite's query planner.

Without them SQLite guesses that any index narrows a search to about ten rows. Looking
up the cases behind search hits (`slug IN (…)` and "not deleted") it then preferred the
index on `deleted_at` (every row is NULL there) or on `status` over the unique slug, and
read every question or solution: 60-90 ms per similar-cases panel at 50,000 cases instead
of about 1 ms. PostgreSQL's autovacuum keeps its own statistics; SQLite needs ANALYZE.
"""
from sqlalchemy import text

from ..extensions import db

# Rows sampled per index: ANALYZE then takes about 25 ms at 50,000 cases, and the
# planner learns what it needs (a unique index against one that hardly narrows).
ANALYSIS_LIMIT = 400


def refresh_planner_statistics() -> None:
    """On SQLite, (re)compute the query planner's statistics; nothing elsewhere."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    db.session.execute(text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    db.session.execute(text("ANALYZE"))
    db.session.commit()
