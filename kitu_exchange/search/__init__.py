"""Search: Whoosh schema, German analysis, index and change log, queries.

This package is the only importer of whoosh.
"""
