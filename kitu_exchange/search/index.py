"""The on-disk index: generations, the change-log cursor, sync and reindex.

Layout of INDEX_DIR: `CURRENT` names the active generation folder (`gen-<n>`), which
holds the Whoosh index and `cursor.json`, this replica's position in the change log.
`sync.lock` serialises appliers and `reindex.lock` rebuilds; readers never lock. A
generation found broken in use gets a `BROKEN` marker, so every process of the host
stops using it and one of them rebuilds.

The cursor never trusts a clock. SQLite serialises writers, so change ids are commit
order and the cursor is the last applied id ("watermark"). On PostgreSQL ids are taken
before the commit, so a lower id can commit after a higher one has been applied: each
change carries its writing transaction id, and the cursor keeps the transaction
horizon (`pg_snapshot_xmin` read before the changes): every change of a transaction
below it is applied. Changes above it that were applied already are remembered
("applied") until the horizon passes them, so they are not applied twice.
"""
import fcntl
import json
import logging
import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import OperationalError
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from ..extensions import db
from ..models import SearchChange, SearchCursor, utcnow
from ..models.statistics import refresh_planner_statistics
from ..models.unit_of_work import reading
from .analysis import lexicon
from . import vectors
from .documents import document_fields
from .schema import SCHEMA_VERSION, build_schema
from .sources import all_documents, load_document

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
CURSOR = "cursor.json"
BROKEN = "BROKEN"
SYNC_LOCK = "sync.lock"
REINDEX_LOCK = "reindex.lock"
# Version of cursor.json; an index with another version is rebuilt.
CURSOR_FORMAT = 2
BATCH = 1000
# Posting buffer per indexing process (Whoosh's estimate, close to real memory). A
# full reindex makes about 250 postings per case; when the buffer fills, Whoosh
# pickles a sorted run to disk and merges the runs at commit, which took more than
# half of the indexing time at 50k cases with 256 MB. 1,536 MB holds ~7M postings,
# i.e. about 28k cases per process without spilling (RSS ~1.5 GB per process).
REINDEX_LIMITMB = 1536
# How often a host tells the others its position (search_cursor), and how long a
# silent host still holds back pruning. A host silent for longer rebuilds on return.
HEARTBEAT_SECONDS = 10
CURSOR_TTL = timedelta(days=7)
# Segments. Each applied batch adds one (a commit without merging: ~30 ms). Merging is
# Whoosh's pure-Python rewrite of the merged segments' postings: with a small index
# MERGE_SMALL rewrites all of it, about 1 s of CPU, which made every fifth write request
# the slowest request of the load benchmark. So the request path only merges once
# MERGE_AT_SEGMENTS have piled up, and the poller, when no change is pending, merges
# the small tiers (_merge_plan) once there are IDLE_MERGE_AT_SEGMENTS: cheap, since only
# the small ones are rewritten, and searches stay fast (the similar-cases
# query on six segments took twice as long as on one: 52 vs 25 ms).
MERGE_AT_SEGMENTS = 12
IDLE_MERGE_AT_SEGMENTS = 3
DELETED_SHARE_TO_MERGE = 0.2
# SQLite's planner statistics are refreshed at the poller's start and then hourly.
PLANNER_STATISTICS_SECONDS = 3600

_open_indexes: dict[str, whoosh_index.Index] = {}
_open_lock = threading.Lock()
_rebuilding = threading.Event()
_heartbeats: dict[str, float] = {}


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
        return {"watermark": 0, "horizon": 0, "applied": {}, "schema": None}


def open_index() -> whoosh_index.Index | None:
    """The active index, or None if it is missing, outdated, broken or unreadable."""
    generation = current_generation()
    if generation is None:
        if _open_indexes:
            log.warning("Search index folder %s disappeared; it needs a rebuild", root())
            with _open_lock:
                _open_indexes.clear()
        return None
    key = str(generation)
    with _open_lock:
        index = _open_indexes.get(key)
        if (generation / BROKEN).exists():
            _open_indexes.pop(key, None)
            return None
        if index is not None:
            return index
        cursor = read_cursor(generation)
        if cursor.get("schema") != SCHEMA_VERSION or cursor.get("format") != CURSOR_FORMAT:
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


def raised_by_index(error: BaseException) -> bool:
    """Whether Whoosh (i.e. the files of the index) was involved in this error."""
    tb = error.__traceback__
    while tb is not None:
        if f"{os.sep}whoosh{os.sep}" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return isinstance(error, OSError)


def index_failed(error: BaseException) -> None:
    """The active index failed in use: mark it broken for the whole host, forget it in
    this process and rebuild it in the background (once per host)."""
    generation = current_generation()
    log.error("Search index %s failed in use; rebuilding it", generation,
              exc_info=(type(error), error, error.__traceback__))
    with _open_lock:
        _open_indexes.clear()
    if generation is not None and generation.is_dir():
        (generation / BROKEN).touch()
    rebuild_in_background()


# -- the change log ----------------------------------------------------------------------

def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def transaction_horizon() -> int:
    """PostgreSQL: every transaction with a lower id has ended (committed or not)."""
    return db.session.scalar(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"))


def start_cursor() -> dict:
    """A cursor from which every change not yet committed now is still to come.

    Read it before reading the rows the index is built from: a change committed
    meanwhile is then replayed, which is harmless because it re-reads the row.
    """
    cursor = {"format": CURSOR_FORMAT, "schema": SCHEMA_VERSION, "applied": {}}
    if _on_postgres():
        cursor["horizon"] = transaction_horizon()
    else:
        cursor["watermark"] = db.session.scalar(select(func.max(SearchChange.id))) or 0
    db.session.rollback()  # a fresh snapshot for the rows that follow
    return cursor


def _pending(cursor: dict) -> list[SearchChange]:
    """Up to BATCH unapplied changes. On PostgreSQL changes applied already above the
    horizon are skipped by paging past them, so any number of them cannot stall."""
    if not _on_postgres():
        return list(db.session.scalars(
            select(SearchChange).where(SearchChange.id > cursor["watermark"])
            .order_by(SearchChange.id).limit(BATCH)))
    applied, found, after = cursor["applied"], [], 0
    while len(found) < BATCH:
        rows = list(db.session.scalars(
            select(SearchChange)
            .where(SearchChange.txid >= cursor["horizon"], SearchChange.id > after)
            .order_by(SearchChange.id).limit(BATCH)))
        found += [row for row in rows if str(row.id) not in applied]
        if len(rows) < BATCH:
            break
        after = rows[-1].id
    return found[:BATCH]


def _apply(index: whoosh_index.Index, changes: list[SearchChange]) -> None:
    doc_ids = list(dict.fromkeys(change.doc_id for change in changes))
    # Read, then end the transaction before Whoosh writes (tens of ms): on SQLite every
    # other writer would otherwise queue behind the index write.
    with reading():
        documents = {doc_id: load_document(doc_id) for doc_id in doc_ids}
    writer = index.writer()
    try:
        for doc_id, document in documents.items():
            if document is None:
                writer.delete_by_term("doc_id", doc_id)
            else:
                writer.update_document(**document_fields(document))
        writer.commit(mergetype=_test_pause_in_commit() or _merge_policy)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()  # releases Whoosh's write lock
        raise
    vectors.note_documents(documents)  # sentence vectors follow the same changes


def _merge_policy(writer, segments):
    """Whoosh merge policy of applied changes: no merging until segments pile up."""
    if len(segments) < MERGE_AT_SEGMENTS:
        return NO_MERGE(writer, segments)
    return _merge_small_ones(writer, segments)


def _merge_plan(segments) -> tuple[list, list]:
    """Which segments to keep and which to merge into one, tier by tier like a binary
    counter. Walking from the largest down, a segment stays while it holds more
    documents than all smaller ones together and fewer than a fifth of its documents
    are deleted (replaced by newer versions); from the first that does not, it and every
    smaller one are merged. So a document is rewritten about log2(n) times in its life,
    not at every merge (merging "all but the largest" rewrote a growing second segment
    each time: 10 % of the workers' CPU under the load benchmark), and segments stay
    about log2(n) in number."""
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all(), reverse=True)
    smaller = sum(segment.doc_count_all() for segment in ordered)
    for position, segment in enumerate(ordered):
        size = segment.doc_count_all()
        smaller -= size
        if size <= smaller or segment.deleted_count() >= DELETED_SHARE_TO_MERGE * size:
            return ordered[:position], ordered[position:]
    return ordered, []


def _worth_merging(merge: list) -> bool:
    return len(merge) > 1 or any(segment.deleted_count() for segment in merge)


def _merge_small_ones(writer, segments):
    """Whoosh merge policy: merge the small tiers (see _merge_plan) into the segment
    being written."""
    keep, merge = _merge_plan(segments)
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return keep


def merge_segments() -> bool:
    """Merge this host's small index segments if there are enough of them and no other
    process is applying changes. True when it merged."""
    with file_lock(root() / SYNC_LOCK, False) as locked:
        if not locked:
            return False
        index = open_index()
        if index is None or len(index._segments()) < IDLE_MERGE_AT_SEGMENTS:
            return False
        if not _worth_merging(_merge_plan(index._segments())[1]):
            return False
        writer = index.writer()
        try:
            writer.commit(mergetype=_merge_small_ones)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        return True


def _test_pause_in_commit():
    """Test hook: a merge policy that stops inside Whoosh's commit until the process is
    killed. Only with TESTING on and KITU_TEST_PAUSE_IN_COMMIT naming a marker file,
    which it creates when it got there; otherwise None, i.e. Whoosh's default policy."""
    marker = os.environ.get("KITU_TEST_PAUSE_IN_COMMIT")
    if not (marker and current_app.testing):
        return None

    def pause(writer, segments):
        Path(marker).touch()
        while True:
            time.sleep(1)

    return pause


def _advance(cursor: dict, changes: list[SearchChange], horizon: int | None) -> None:
    """Move the cursor past these applied changes (horizon: read before reading them)."""
    if horizon is None:
        if changes:
            cursor["watermark"] = max(cursor["watermark"], changes[-1].id)
        return
    applied = {**cursor["applied"], **{str(change.id): change.txid for change in changes}}
    cursor["horizon"] = max(cursor["horizon"], horizon)
    cursor["applied"] = {k: v for k, v in applied.items() if v >= cursor["horizon"]}


def has_pending() -> bool:
    """Cheap check whether this host's index must sync (or be rebuilt). Only reads:
    the pollers ask every second, and on SQLite must not queue for the write lock."""
    with reading():
        return _has_pending()


def _has_pending() -> bool:
    generation = current_generation()
    if generation is None or open_index() is None:
        return True
    cursor = read_cursor(generation)
    if not _on_postgres():
        return (db.session.scalar(select(func.max(SearchChange.id))) or 0) > cursor["watermark"]
    count = db.session.scalar(select(func.count(SearchChange.id))
                              .where(SearchChange.txid >= cursor["horizon"]))
    if count > len(cursor["applied"]):
        return True
    return bool(cursor["applied"]) and min(cursor["applied"].values()) < transaction_horizon()


def pending_count() -> int:
    generation = current_generation()
    cursor = read_cursor(generation) if generation else {"watermark": 0, "horizon": 0,
                                                         "applied": {}}
    if not _on_postgres():
        return db.session.scalar(select(func.count(SearchChange.id))
                                 .where(SearchChange.id > cursor.get("watermark", 0))) or 0
    return (db.session.scalar(select(func.count(SearchChange.id))
                              .where(SearchChange.txid >= cursor.get("horizon", 0)))
            or 0) - len(cursor.get("applied", {}))


def sync(wait: bool = False) -> int | None:
    """Apply pending change-log entries to this host's index.

    Returns the number applied, or None when another process is applying them (with
    wait=False) or the index is unavailable (a rebuild is started in the background).
    After releasing the lock it looks again: a change committed while it held the
    lock, whose writer could not take the lock, is applied now.
    """
    total = None
    for round_ in range(20):  # the poller covers anything left after that many rounds
        applied = _sync_once(wait)
        if applied is None:
            return total
        total = (total or 0) + applied
        wait = False
        if (applied == 0 and round_ > 0) or not has_pending():
            break
    return total


def _sync_once(wait: bool) -> int | None:
    with file_lock(root() / SYNC_LOCK, wait) as locked:
        if not locked:
            return None
        index = open_index()
        if index is None:
            rebuild_in_background()
            return None
        generation = current_generation()
        cursor = read_cursor(generation)
        postgres = _on_postgres()
        total = 0
        while True:
            with reading():
                horizon = transaction_horizon() if postgres else None
                changes = _pending(cursor)
                for change in changes:  # keep their values past the end of the reading
                    db.session.expunge(change)
            if changes:
                try:
                    _apply(index, changes)
                except Exception as error:
                    if raised_by_index(error):
                        index_failed(error)
                        return None
                    raise
            before = dict(cursor)
            _advance(cursor, changes, horizon)
            if cursor != before:
                _write_json(generation / CURSOR, cursor)
            total += len(changes)
            if len(changes) < BATCH:
                break
        _heartbeat(generation, cursor)
        return total


# -- cursors of all hosts, pruning ------------------------------------------------------

def host_key() -> str:
    """This replica in search_cursor: host name and index folder."""
    return (current_app.config.get("SEARCH_HOST")
            or f"{socket.gethostname()}:{root().resolve()}")[:300]


def _heartbeat(generation: Path, cursor: dict) -> None:
    """Tell the other hosts how far this one got (at most every HEARTBEAT_SECONDS),
    and prune the changes every recently seen host has passed."""
    key = host_key()
    position = cursor["horizon"] if "horizon" in cursor else cursor["watermark"]
    last = _heartbeats.get(key)
    if last is not None and time.monotonic() - last < HEARTBEAT_SECONDS:
        return
    now = utcnow()
    # Through the request's own session: a second connection would wait on SQLite for
    # the write lock that this session's transaction may hold.
    session = db.session
    row = session.execute(select(SearchCursor.updated_at)
                          .where(SearchCursor.host == key)).first()
    if cursor.get("registered") and (row is None or row.updated_at < now - CURSOR_TTL):
        # Silent for so long that others may have pruned changes it never saw.
        log.warning("Search cursor of %s expired; rebuilding its index", key)
        (generation / BROKEN).touch()
        return
    values = {"position": position, "updated_at": now}
    if row is None:
        session.execute(insert(SearchCursor).values(host=key, **values))
    else:
        session.execute(update(SearchCursor).where(SearchCursor.host == key).values(**values))
    floor = session.scalar(select(func.min(SearchCursor.position))
                           .where(SearchCursor.updated_at >= now - CURSOR_TTL))
    column = SearchChange.txid if "horizon" in cursor else SearchChange.id
    session.execute(delete(SearchChange).where(column < floor))
    try:
        session.commit()
    except OperationalError:  # SQLite busy in a read-only request: next round
        session.rollback()
        log.info("Search cursor heartbeat skipped: the database was busy")
        return
    _heartbeats[key] = time.monotonic()
    if not cursor.get("registered"):
        cursor["registered"] = True
        _write_json(generation / CURSOR, cursor)


# -- rebuilds ------------------------------------------------------------------------------

def reindex(procs: int = 1) -> dict:
    """Build a fresh index from the database in a new folder and swap it in."""
    with file_lock(root() / REINDEX_LOCK, wait=True):
        result = _rebuild(procs)
    sync(wait=True)
    return result


def _rebuild(procs: int = 1) -> dict:
    base = root()
    started = time.perf_counter()
    cursor = start_cursor()
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
    _write_json(generation / CURSOR, cursor)
    with file_lock(base / SYNC_LOCK, wait=True):
        previous = current_generation()
        (base / (CURRENT + ".tmp")).write_text(generation.name, encoding="utf-8")
        os.replace(base / (CURRENT + ".tmp"), base / CURRENT)
    _remove_old_generations(keep={generation.name, previous.name if previous else ""})
    log.info("Search index rebuilt: %d documents in %.1f s", count,
             time.perf_counter() - started)
    return {"documents": count, "seconds": time.perf_counter() - started,
            "generation": generation.name}


def rebuild_if_unusable(wait: bool) -> bool:
    """Rebuild the index unless it is usable; one rebuild at a time per host.

    With wait, a process that finds another one rebuilding waits and then uses that
    index; without, it returns at once. Returns whether this call rebuilt it.
    """
    with file_lock(root() / REINDEX_LOCK, wait) as locked:
        if not locked or open_index() is not None:
            return False
        if current_generation() is None:
            log.info("No search index yet: building it from the database")
        else:
            log.warning("Search index missing or unusable: rebuilding from the database")
        _rebuild()
    sync(wait=True)
    return True


def _remove_old_generations(keep: set[str]) -> None:
    # The previous generation stays one round: other workers may still be reading it.
    for path in root().glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def ensure_index() -> whoosh_index.Index:
    """The active index, rebuilding it first if it is missing or unusable."""
    index = open_index()
    if index is None:
        rebuild_if_unusable(wait=True)
        index = open_index()
    return index


def rebuild_in_background() -> None:
    """Start one rebuild thread per process, unless another process of this host is
    rebuilding already; pages keep working without search meanwhile."""
    if _rebuilding.is_set():
        return
    _rebuilding.set()
    app = current_app._get_current_object()

    def run():
        try:
            with app.app_context():
                rebuild_if_unusable(wait=False)
        except Exception:  # noqa: BLE001
            log.exception("Background rebuild of the search index failed")
        finally:
            _rebuilding.clear()

    threading.Thread(target=run, name="search-reindex", daemon=True).start()


# -- the poller: applied within seconds without anyone writing again ---------------------

_poller_pid: int | None = None
_poller_lock = threading.Lock()


def start_poller() -> None:
    """Start this process's poller once (after a fork too: threads do not survive it).

    Every SEARCH_POLL_SECONDS it checks cheaply whether changes are pending and then
    applies them if no other process of the host is at it.
    """
    global _poller_pid
    app = current_app._get_current_object()
    interval = float(app.config.get("SEARCH_POLL_SECONDS") or 0)
    if interval <= 0 or _poller_pid == os.getpid():
        return
    with _poller_lock:
        if _poller_pid == os.getpid():
            return
        _poller_pid = os.getpid()
    threading.Thread(target=watch, args=(app, interval), name="search-poller",
                     daemon=True).start()


def watch(app, interval: float, seconds: float | None = None, wait: bool = False,
          each_round=None) -> None:
    """Apply pending changes every `interval` seconds: once, for `seconds`, or forever;
    `each_round` (e.g. vectors.work_once) runs after each round in the app context."""
    deadline = None if seconds is None else time.monotonic() + seconds
    failed_at = synced_at = 0.0
    analysed_at = float("-inf")
    # Applying a change analyses its text: load the noun lexicon now (0.5 s, several
    # seconds on a busy machine) rather than after the first commit it should apply.
    lexicon()
    while True:
        try:
            with app.app_context():
                # Now and then without pending changes too: the heartbeat in
                # search_cursor keeps this host's position counted for pruning.
                if has_pending() or time.monotonic() - synced_at > 3600:
                    sync(wait=wait)
                    synced_at = time.monotonic()
                else:
                    merge_segments()
                if time.monotonic() - analysed_at > PLANNER_STATISTICS_SECONDS:
                    # Here because the poller is the one background task of every host;
                    # a growing table needs fresh statistics (models/statistics.py).
                    refresh_planner_statistics()
                    analysed_at = time.monotonic()
                if each_round is not None:
                    each_round()
        except Exception:  # noqa: BLE001 - logged (once a minute), tried again
            if time.monotonic() - failed_at > 60:
                log.exception("Search poller: applying changes failed; trying again")
                failed_at = time.monotonic()
        if deadline is not None and time.monotonic() + interval > deadline:
            return
        time.sleep(interval)
