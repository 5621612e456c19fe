"""Conversion of the app's plain document dicts into index fields."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

def _naive_utc(value: datetime | None) -> datetime | None:
    # Whoosh DATETIME stores naive datetimes; the app's convention is UTC.
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def document_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """Turn the app's plain document dict into keyword arguments for ``update_document``.

    Fills the internal ``exact`` field from title and body and ``tag_text`` from the tags, joins topics and tags for
    the comma-separated keyword fields and drops empty optional values (Whoosh rejects
    ``None``).
    """
    title = doc.get("title") or ""
    body = doc.get("body") or ""
    fields: dict[str, Any] = {
        "doc_id": doc["doc_id"],
        "kind": doc.get("kind") or doc["doc_id"].split("/", 1)[0],
        "title": title,
        "body": body,
        "exact": f"{title}\n{body}",
        # Tags and topic names as German text: "Informationssicherheit" finds the cases
        # of that topic even where their text says "ISMS".
        "tag_text": " ".join(t for t in [*(doc.get("tags") or ()), *(doc.get("topic_names") or ())]
                             if t),
        "topics": ",".join(t.strip() for t in doc.get("topics") or () if t and t.strip()),
        "tags": ",".join(t.strip() for t in doc.get("tags") or () if t and t.strip()),
        "solved": bool(doc.get("solved", False)),
        "best_practice": bool(doc.get("best_practice", False)),
        "reuse_count": int(doc.get("reuse_count") or 0),
    }
    for key in ("authority", "authority_kind", "population_band", "status"):
        if doc.get(key):
            fields[key] = str(doc[key])
    if doc.get("pk") is not None:
        fields["pk"] = int(doc["pk"])
    created = _naive_utc(doc.get("created"))
    if created is not None:
        fields["created"] = created
    return fields
