"""The Whoosh schema of the search index."""

from __future__ import annotations

from whoosh import fields

from .analysis import exact_analyzer, german_analyzer

# Bump when the schema or the analysis changes in a way that needs a full reindex.
SCHEMA_VERSION = 3


def build_schema() -> fields.Schema:
    """Build the index schema.

    ``title`` and ``body`` are stemmed German text (title weighting is applied in the
    query, see ``tuning.WEIGHTING``). ``exact`` is an internal field holding title
    and body folded but unstemmed; it lets the ranking prefer documents that use the
    searched word itself (``Drucker``) over stemming collisions (``Druck``,
    ``Drucksache``) and is the vocabulary for typo correction.
    """
    return fields.Schema(
        doc_id=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True, sortable=True),
        pk=fields.NUMERIC(int, bits=64, stored=True, signed=True),
        title=fields.TEXT(analyzer=german_analyzer(), stored=True),
        body=fields.TEXT(analyzer=german_analyzer(), stored=True),
        # No positions: only used for term scoring and spelling, never for phrases.
        exact=fields.TEXT(analyzer=exact_analyzer(), phrase=False, stored=False),
        # The tags as German text, so that "Awareness" finds a case tagged
        # "awareness" and "managed print" one tagged "managed-print".
        tag_text=fields.TEXT(analyzer=german_analyzer(), phrase=False, stored=False),
        authority=fields.ID(stored=True, sortable=True),
        authority_kind=fields.ID(stored=True, sortable=True),
        population_band=fields.ID(stored=True, sortable=True),
        # Multi-valued: facet with FieldFacet("topics", allow_overlap=True).
        topics=fields.KEYWORD(stored=True, commas=True, scorable=False),
        tags=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        solved=fields.BOOLEAN(stored=True),
        status=fields.ID(stored=True, sortable=True),
        best_practice=fields.BOOLEAN(stored=True),
        created=fields.DATETIME(stored=True, sortable=True),
        reuse_count=fields.NUMERIC(int, stored=True, sortable=True),
    )
