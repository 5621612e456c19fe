"""The on-disk index: generations, the change-log cursor, sync and reindex.

Layout of INDEX_DIR: `CURRENT` names the active generation folder (`gen-<n>`), which
holds the Whoosh index and `cursor.json`, this replica's position in the change log.
`sync.lock` serialises appliers; readers never lock.
"""
import fcntl
import json
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from ..extensions import db
from ..models import SearchChange, utcnow
from .documents import document_fields
from .schema import SCHEMA_VERSION, build_schema
from .sources import all_documents, load_document

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
CURSOR = "cursor.json"
SYNC_LOCK = "sync.lock"
REINDEX_LOCK = "reindex.lock"
BATCH = 1000
# Posting buffer per indexing process (Whoosh's estimate, close to real memory). A
# full reindex makes about 250 postings per case; when the buffer fills, Whoosh
# pickles a sorted run to disk and merges the runs at commit, which took more than
# half of the indexing time at 50k cases with 256 MB. 1,536 MB holds ~7M postings,
# i.e. about 28k cases per process without spilling (RSS ~1.5 GB per process).
REINDEX_LIMITMB = 1536
# A transaction that took a change id may commit after later ids were applied; ids
# above the watermark are remembered until they are older than this.
GRACE = timedelta(minutes=5)

_open_indexes: dict[str, whoosh_index.Index] = {}
_open_lock = threading.Lock()
_rebuilding = threading.Event()


def root() -> Path:
    path = Path(current_app.config["INDEX_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def file_lock(path: Path, wait: bool):
    """An exclusive lock across processes; yields False if `wait` is off and it is taken."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def current_generation() -> Path | None:
    try:
        name = (root() / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return root() / name if name else None


def read_cursor(generation: Path) -> dict:
    try:
        return json.loads((generation / CURSOR).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"watermark": 0, "applied": {}, "schema": None}


def open_index() -> whoosh_index.Index | None:
    """The active index, or None if it is missing, outdated or unreadable."""
    generation = current_generation()
    if generation is None:
        return None
    key = str(generation)
    with _open_lock:
        index = _open_indexes.get(key)
        if index is not None:
            return index
        if read_cursor(generation).get("schema") != SCHEMA_VERSION:
            log.warning("Search index %s has an old schema; it needs a rebuild", generation)
            return None
        try:
            # No mmap: Whoosh wraps each sub-file of an mmapped compound segment in a
            # BytesIO, which copies it (terms, postings: ~100 MB at 50k cases) every
            # time a searcher is opened, i.e. on every request (~110 ms at 50k).
            # Plain file reads avoid the copy.
            index = FileStorage(key, supports_mmap=False).open_index()
            index.doc_count()  # reads the table of contents: fails early if corrupt
        except Exception:  # noqa: BLE001 - any failure means: rebuild
            log.warning("Search index %s is missing or corrupt; it needs a rebuild",
                        generation, exc_info=True)
            return None
        _open_indexes[key] = index
        return index


def _pending(watermark: int, applied: set[int]) -> list[SearchChange]:
    return [change for change in db.session.scalars(
        select(SearchChange).where(SearchChange.id > watermark)
        .order_by(SearchChange.id).limit(BATCH)) if change.id not in applied]


def _apply(index: whoosh_index.Index, changes: list[SearchChange]) -> None:
    doc_ids = list(dict.fromkeys(change.doc_id for change in changes))
    documents = {doc_id: load_document(doc_id) for doc_id in doc_ids}
    with index.writer() as writer:
        for doc_id, document in documents.items():
            if document is None:
                writer.delete_by_term("doc_id", doc_id)
            else:
                writer.update_document(**document_fields(document))


def _advance(cursor: dict, changes: list[SearchChange]) -> None:
    """Move the watermark past applied ids that no earlier transaction can precede."""
    applied = {int(k): v for k, v in cursor["applied"].items()}
    for change in changes:
        applied[change.id] = change.created_at.timestamp()
    watermark = cursor["watermark"]
    horizon = (utcnow() - GRACE).timestamp()
    for change_id in sorted(applied):
        if change_id == watermark + 1 or applied[change_id] < horizon:
            watermark = change_id
        else:
            break
    cursor["watermark"] = watermark
    cursor["applied"] = {str(k): v for k, v in applied.items() if k > watermark}


def sync(wait: bool = False) -> int | None:
    """Apply pending change-log entries to this host's index.

    Returns the number applied, or None when another process is applying them (with
    wait=False) or the index is unavailable (a rebuild is started in the background).
    """
    with file_lock(root() / SYNC_LOCK, wait) as locked:
        if not locked:
            return None
        index = open_index()
        if index is None:
            rebuild_in_background()
            return None
        generation = current_generation()
        cursor = read_cursor(generation)
        total = 0
        while True:
            changes = _pending(cursor["watermark"], {int(k) for k in cursor["applied"]})
            if not changes:
                break
            _apply(index, changes)
            _advance(cursor, changes)
            _write_json(generation / CURSOR, cursor)
            total += len(changes)
            if len(changes) < BATCH:
                break
        if total == 0 and cursor["applied"]:
            # Let old entries pass the grace period even when nothing new arrives.
            _advance(cursor, [])
            _write_json(generation / CURSOR, cursor)
        return total


def reindex(procs: int = 1) -> dict:
    """Build a fresh index from the database in a new folder and swap it in."""
    base = root()
    with file_lock(base / REINDEX_LOCK, wait=True):
        started = time.perf_counter()
        start_id = db.session.scalar(select(func.max(SearchChange.id))) or 0
        generation = base / f"gen-{time.time_ns()}"
        generation.mkdir()
        index = whoosh_index.create_in(str(generation), build_schema())
        count = 0
        limitmb = int(current_app.config.get("SEARCH_REINDEX_LIMITMB", REINDEX_LIMITMB))
        # With procs > 1 every process writes its own segment (multisegment): merging
        # them would redo most of the work serially, and queries over two segments
        # are as fast (flatscore scores segment by segment).
        writer = index.writer(limitmb=limitmb, procs=procs, multisegment=procs > 1)
        try:
            for document in all_documents():
                writer.add_document(**document_fields(document))
                count += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            shutil.rmtree(generation, ignore_errors=True)
            raise
        # Changes committed while building are replayed by the next sync: start at the
        # change-log position from before the first row was read.
        _write_json(generation / CURSOR,
                    {"watermark": start_id, "applied": {}, "schema": SCHEMA_VERSION})
        with file_lock(base / SYNC_LOCK, wait=True):
            previous = current_generation()
            (base / (CURRENT + ".tmp")).write_text(generation.name, encoding="utf-8")
            os.replace(base / (CURRENT + ".tmp"), base / CURRENT)
        _remove_old_generations(keep={generation.name, previous.name if previous else ""})
        log.info("Search index rebuilt: %d documents in %.1f s", count,
                 time.perf_counter() - started)
    sync(wait=True)
    return {"documents": count, "seconds": time.perf_counter() - started,
            "generation": generation.name}


def _remove_old_generations(keep: set[str]) -> None:
    # The previous generation stays one round: other workers may still be reading it.
    for path in root().glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def ensure_index() -> whoosh_index.Index:
    """The active index, rebuilding it first if it is missing or unusable."""
    index = open_index()
    if index is None:
        if current_generation() is None:
            log.info("No search index yet: building it from the database")
        else:
            log.warning("Search index missing or unusable: rebuilding from the database")
        reindex()
        index = open_index()
    return index


def rebuild_in_background() -> None:
    """Start one rebuild thread per process; pages keep working without search."""
    if _rebuilding.is_set():
        return
    _rebuilding.set()
    app = current_app._get_current_object()

    def run():
        try:
            with app.app_context():
                log.warning("Search index missing or unusable: rebuilding in the background")
                reindex()
        except Exception:  # noqa: BLE001
            log.exception("Background rebuild of the search index failed")
        finally:
            _rebuilding.clear()

    threading.Thread(target=run, name="search-reindex", daemon=True).start()


def pending_count() -> int:
    generation = current_generation()
    watermark = read_cursor(generation)["watermark"] if generation else 0
    return db.session.scalar(select(func.count(SearchChange.id))
                             .where(SearchChange.id > watermark)) or 0
