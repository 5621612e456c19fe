"""The semantic signal: nearest cases by sentence vector, and its fusion with the
lexical ranking. The ranking constants are in ``tuning`` (and docs/search.md).

Each process keeps the stored vectors of all cases as one float32 matrix (1.5 KB per
case: 77 MB at 50,000 cases) and refreshes it incrementally when vectors were written
since (one indexed query per use). Nearest neighbours are exact: one matrix-vector
product. The signal is used only while every visible case has a vector of the current
model; until then (first start, model change) results stay lexical and complete.

Nothing here decides visibility: callers check every result against the database
(service.visible_records), and hidden or deleted cases lose their vectors through the
index applier.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import SearchVector
from . import encoding_budget, vectors
from .tuning import (
    COSINE_FLOOR,
    PANEL_MIN_COSINE,
    PANEL_MIN_COSINE_LEXICAL,
    PANEL_MIN_LEXICAL,
)

log = logging.getLogger(__name__)

# Re-read vectors written this long before the newest one seen: rows committed out of
# order (PostgreSQL) with a slightly older timestamp are not missed.
REFRESH_OVERLAP = timedelta(seconds=30)
GROW_ROWS = 1024
LOAD_CHUNK = 4096
# Case pages whose neighbours a process remembers (about 1 KB each).
NEIGHBOUR_CACHE = 4096
# Removed vectors (a case deleted or hidden) are noticed by counting the rows at most
# this often; meanwhile the database check of every result keeps such cases out.
COUNT_CHECK_SECONDS = 30
# Drafts encoded at once per process (each request encodes at most one text).
HELPER_THREADS = 2


@dataclass
class _Vectors:
    ids: list[str] = field(default_factory=list)
    pos: dict[str, int] = field(default_factory=dict)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, vectors.DIMENSIONS),
                                                                  dtype=np.float32))
    live: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    latest: object = None
    count: int = -1
    # {(doc_id, limit): (vector, neighbours)}; a new _Vectors or any change empties it.
    neighbours: dict = field(default_factory=dict)
    counted_at: float = float("-inf")
    model: tuple | None = None
    complete: bool = False


_state = _Vectors()
_lock = threading.Lock()


def _grow(state: _Vectors, size: int) -> None:
    if size <= len(state.matrix):
        return
    # A fixed headroom, not a factor: at 50,000 cases a factor of 1.5 could hold 50 MB
    # unused; copying the matrix once per 1,024 new cases costs a few milliseconds.
    capacity = size + GROW_ROWS
    matrix = np.zeros((capacity, vectors.DIMENSIONS), dtype=np.float32)
    matrix[:len(state.matrix)] = state.matrix
    live = np.zeros(capacity, dtype=bool)
    live[:len(state.live)] = state.live
    state.matrix, state.live = matrix, live


def _refresh() -> _Vectors:
    """The process's matrix, brought up to date with the table: one query when nothing
    changed, the rows written since otherwise, and the list of ids after a removal."""
    global _state
    model = vectors.model_id()
    database = str(db.engine.url)
    # max() reads the end of an index; count() reads all rows (40 ms at 50,000 on a
    # busy machine), so removals are looked for only every COUNT_CHECK_SECONDS.
    latest = db.session.scalar(select(func.max(SearchVector.updated_at)))
    with _lock:
        state = _state
        if state.model != (model, database) or (
                latest is not None and state.latest is not None and latest < state.latest):
            state = _Vectors(model=(model, database))
        recount = time.monotonic() - state.counted_at > COUNT_CHECK_SECONDS
        if latest == state.latest and not recount:
            return state
        count = db.session.scalar(select(func.count()).select_from(SearchVector))
        state.counted_at = time.monotonic()
        if (latest, count) == (state.latest, state.count):
            return state
        statement = select(SearchVector.doc_id, SearchVector.model, SearchVector.vector)
        if state.latest is None:
            _grow(state, count)  # the first load allocates once, at its final size
        else:
            statement = statement.where(SearchVector.updated_at >= state.latest - REFRESH_OVERLAP)
        rows, blobs = [], []
        for doc_id, row_model, data in db.session.execute(statement):
            index = state.pos.get(doc_id)
            if row_model != model or data is None:
                if index is not None:
                    state.live[index] = False
                continue
            if index is None:
                index = len(state.ids)
                state.ids.append(doc_id)
                state.pos[doc_id] = index
            rows.append(index)
            blobs.append(data)
            if len(rows) >= LOAD_CHUNK:
                _store(state, rows, blobs)
                rows, blobs = [], []
        _store(state, rows, blobs)
        if int(state.live.sum()) > count:
            # Rows were removed (a case deleted or hidden): forget their vectors.
            present = set(db.session.scalars(select(SearchVector.doc_id)))
            for doc_id, index in state.pos.items():
                if doc_id not in present:
                    state.live[index] = False
        state.latest, state.count = latest, count
        state.neighbours = {}
        state.complete = _complete(model)
        _state = state
        return state


def _store(state: _Vectors, rows: list[int], blobs: list[bytes]) -> None:
    """Converted a chunk at a time: one by one took seconds at 50,000 rows, all at once
    doubled the memory for a moment."""
    if not rows:
        return
    _grow(state, len(state.ids))
    block = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(rows), -1)
    state.matrix[rows] = block
    state.live[rows] = True


def _complete(model: str) -> bool:
    """Whether every visible case has a current vector (checked when vectors changed)."""
    pending = db.session.scalar(select(SearchVector.doc_id)
                                .where(SearchVector.vector.is_(None)).limit(1))
    if pending is not None:
        return False
    stored = db.session.scalar(select(func.count()).select_from(SearchVector).where(
        SearchVector.model == model, SearchVector.vector.is_not(None))) or 0
    visible = vectors.visible_count() if stored else 0
    return stored > 0 and stored >= visible


def available() -> bool:
    """Whether the semantic signal may be used now (setting on, all vectors there)."""
    if not vectors.enabled():
        return False
    try:
        return _refresh().complete
    except Exception:  # noqa: BLE001 - the page goes on lexically
        log.exception("Sentence vectors could not be read; searching lexically")
        return False


def stored_vector(doc_id: str) -> np.ndarray | None:
    state = _state
    index = state.pos.get(doc_id)
    if index is None or not state.live[index]:
        return None
    return state.matrix[index]


def encode_draft(text: str, query: bool = False,
                 budget: encoding_budget.Budget | None = None) -> np.ndarray | None:
    """The vector of a draft, or with `query` of search-box input: the one encoding a
    request may do (None while `budget` is used up)."""
    return encode_draft_soon(text, query, budget)()


def encode_draft_soon(text: str, query: bool = False,
                      budget: encoding_budget.Budget | None = None,
                      ) -> Callable[[], np.ndarray | None]:
    """Start `encode_draft` in a helper thread and return a function that waits for the
    vector: the caller's lexical query runs meanwhile (the engine releases the GIL)."""
    cleaned = vectors.draft_text(text)
    if not cleaned:
        return lambda: None
    if not vectors.encoder_loaded() and _warmed_pid == os.getpid() and _warming:
        return lambda: None  # still loading in the background: this request stays lexical
    if budget is not None and not budget.allows():
        return lambda: None  # the host is busy encoding: this request stays lexical
    _end_clean_transaction()
    return _helpers().submit(_encode_one, cleaned, query, budget).result


def _encode_one(cleaned: str, query: bool,
                budget: encoding_budget.Budget | None) -> np.ndarray | None:
    started = time.perf_counter()
    try:
        return vectors.encode([cleaned], query=query, threads=vectors.DRAFT_THREADS)[0]
    except vectors.EncoderUnavailable:
        log.exception("The sentence encoder is unavailable; searching lexically")
        return None
    finally:
        if budget is not None:  # wall time of every thread: the CPU time it took
            budget.spend((time.perf_counter() - started) * vectors.DRAFT_THREADS)


_helper_pool: tuple[int, ThreadPoolExecutor] | None = None


def _helpers() -> ThreadPoolExecutor:
    """This process's encoding threads (threads do not survive a fork)."""
    global _helper_pool
    with _lock:
        if _helper_pool is None or _helper_pool[0] != os.getpid():
            _helper_pool = (os.getpid(), ThreadPoolExecutor(
                max_workers=HELPER_THREADS, thread_name_prefix="encode-draft"))
        return _helper_pool[1]


def _end_clean_transaction() -> None:
    """End the request's transaction before encoding, if it wrote nothing: on SQLite a
    POST's transaction holds the write lock (BEGIN IMMEDIATE), and every writer would
    wait for the encoder."""
    session = db.session()  # the request's Session behind the scoped proxy
    if session.get_bind().dialect.name != "sqlite" or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return
    session.commit()


def nearest(vector: np.ndarray, limit: int, exclude: str | None = None) -> list[tuple[str, float]]:
    """The `limit` cases with the highest cosine to `vector`, best first."""
    state = _state
    n = len(state.ids)
    if n == 0:
        return []
    scores = state.matrix[:n] @ vector
    scores[~state.live[:n]] = -np.inf
    if exclude is not None and exclude in state.pos:
        scores[state.pos[exclude]] = -np.inf
    k = min(limit, n)
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top])]
    return [(state.ids[i], float(scores[i])) for i in top if np.isfinite(scores[i])]


def nearest_to_case(doc_id: str, limit: int) -> tuple[np.ndarray | None, list[tuple[str, float]]]:
    """A stored case's vector and its nearest cases. Cached per process until vectors
    change: a case page viewed again costs no matrix product."""
    state = _state
    key = (doc_id, limit)
    cache = state.neighbours
    if key in cache:
        return cache[key]
    vector = stored_vector(doc_id)
    found = (vector, nearest(vector, limit, exclude=doc_id) if vector is not None else [])
    if len(cache) >= NEIGHBOUR_CACHE:
        cache.clear()
    cache[key] = found
    return found


def cosines(vector: np.ndarray, doc_ids: list[str]) -> dict[str, float]:
    """Cosine of `vector` to each of these cases that has a vector."""
    state = _state
    found = {}
    for doc_id in doc_ids:
        index = state.pos.get(doc_id)
        if index is not None and state.live[index]:
            found[doc_id] = float(state.matrix[index] @ vector)
    return found


def resemblance(cosine: float) -> float:
    """How far a cosine lies above what unrelated cases reach, on a 0-1 scale."""
    return max(0.0, cosine - COSINE_FLOOR) / (1.0 - COSINE_FLOOR)


@dataclass
class Fused:
    doc_id: str
    score: float
    lexical: float  # share of the best lexical score, 0 when only the vector found it
    cosine: float | None


def fuse(lexical: list[tuple[str, float]], semantic: dict[str, float], weight: float,
         add_semantic: bool = True) -> list[Fused]:
    """Calibrated score fusion: the lexical score as a share of the query's best one,
    plus `weight` times the resemblance (the cosine above COSINE_FLOOR, scaled to 0-1).
    With add_semantic off only the
    lexical matches are reordered (search box: totals and facets stay lexical)."""
    top = max((score for _, score in lexical), default=0.0) or 1.0
    shares = {doc_id: score / top for doc_id, score in lexical}
    candidates = list(dict.fromkeys([*shares, *(semantic if add_semantic else ())]))
    fused = []
    for doc_id in candidates:
        cosine = semantic.get(doc_id)
        share = shares.get(doc_id, 0.0)
        bonus = weight * resemblance(cosine) if cosine is not None else 0.0
        fused.append(Fused(doc_id, share + bonus, share, cosine))
    fused.sort(key=lambda f: -f.score)
    return fused


def passes_panel(hit: Fused) -> bool:
    """Whether a fused match is similar enough to be shown in the panel at all."""
    if hit.cosine is None:
        return False
    if hit.cosine >= PANEL_MIN_COSINE:
        return True
    return hit.lexical >= PANEL_MIN_LEXICAL and hit.cosine >= PANEL_MIN_COSINE_LEXICAL


_warmed_pid: int | None = None
_warming = False


def warm_up() -> None:
    """Load the noun lexicon and the encoder in a background thread once per web process
    (after a fork), so that the first post indexed and the first draft typed do not wait
    seconds for them. Only in processes that poll (not in tests, which load them when
    they need them)."""
    global _warmed_pid, _warming
    if _warmed_pid == os.getpid():
        return
    _warmed_pid = os.getpid()
    if not float(current_app.config.get("SEARCH_POLL_SECONDS") or 0):
        return
    semantic_on = bool(current_app.config.get("SEARCH_SEMANTIC", True))

    def load():
        global _warming
        try:
            from .analysis import lexicon

            lexicon()
            if semantic_on:
                vectors.encoder()
        except Exception:  # noqa: BLE001 - searching stays lexical; logged once
            log.exception("Search warm-up: the lexicon or the encoder could not be loaded")
        finally:
            _warming = False

    _warming = True
    threading.Thread(target=load, name="search-warm-up", daemon=True).start()


def memory_bytes() -> int:
    return _state.matrix.nbytes + _state.live.nbytes


def reset() -> None:
    """Forget the process's matrix (tests; a model change does it by itself)."""
    global _state
    with _lock:
        _state = _Vectors()


__all__ = ["available", "cosines", "encode_draft", "encode_draft_soon", "fuse", "nearest",
           "passes_panel", "stored_vector"]
