"""A supervised pool of worker processes: one stuck or crashing document never costs the batch.

Why not ``concurrent.futures.ProcessPoolExecutor``: when one worker dies (a segfault in a native
library, the kernel's OOM killer) the whole executor is broken and every in-flight future fails
with ``BrokenProcessPool``, without saying which document was guilty; a task cannot be cancelled
once it runs, so a per-document timeout is impossible; and recycling workers with
``max_tasks_per_child`` can hang on CPython 3.11.7 (gh-115634). Here the parent owns each worker:

* work goes out in chunks (one message per chunk amortises the pipe), and the worker announces
  each document as it starts it, so the parent always knows the one document in flight;
* before its documents, the worker prefetches a chunk (``_batch_work.prefetch_chunk``: reads it
  and runs the NER model over all its texts in one batch) and announces that too. Then no single
  document is in flight: if the worker dies or runs past the timeout while prefetching, the whole
  chunk goes back to the queue marked ``alone``, and each of its documents is later sent in a
  chunk of its own, never prefetched, so the guilty one is found and the others are converted;
* a worker that dies is replaced; its in-flight document is recorded as ``P121`` and the rest of
  its chunk goes back to the queue;
* a document that runs past the timeout gets its worker killed and replaced, and is recorded as
  ``P120``;
* a worker whose memory has grown past ``RECYCLE_RSS_MB`` (vocabularies grow with every new word)
  is stopped between chunks and replaced by a fresh one, so a long run stays within its memory;
* workers ignore SIGINT: on Ctrl-C the parent stops them itself (context manager exit), so no
  worker is left behind and nothing is half-written (the parent is the only writer).

Workers are started by a ``forkserver`` that has already imported and warmed up the pipeline
(models and the lexicon), so a worker starts in milliseconds, shares the loaded data with its
siblings copy-on-write, and a replacement after a crash is cheap. ``fork`` from the parent would
be as quick but is unsafe once the parent runs threads (the progress display does).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterator, Sequence

from ._batch_work import Outcome, Task, convert_task, failure_outcome, prefetch_chunk, warm_up
from .errors import DefectError, DocumentTimeoutError, WorkerCrashError

#: How many times in a row a fresh worker may die before it is ready before we give up: that is
#: a broken installation, not a bad document.
_MAX_START_FAILURES = 3
#: A worker whose resident memory has passed this many MB is replaced by a fresh one before its
#: next chunk. Why: a worker's vocabularies and caches grow with every word it has not seen
#: before and never shrink (spaCy keeps every word it meets; measured in one process: 177 ->
#: 285 MB over 1.29M words of distinct text, 1,553 abstracts and articles), so a night's run
#: over thousands of new papers would pass the 400 MB a worker may use. A fresh worker forks
#: from the warm fork server in milliseconds, with ~170 MB resident (most of it shared).
RECYCLE_RSS_MB = 320
_POLL_SECONDS = 0.2
#: ``_Worker.current`` while the worker prefetches its chunk: no single document is in flight.
_PREFETCHING = object()


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline._batch_preload"])
        return ctx
    return multiprocessing.get_context("spawn")


def resident_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (Linux: /proc/PID/statm), or None if unknown."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            resident_pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _join_or_kill(process: multiprocessing.process.BaseProcess) -> None:
    """Wait up to 5 s for ``process`` to end, then kill it."""
    process.join(timeout=5)
    if process.is_alive():
        process.kill()
        process.join()


def start_server_early() -> None:
    """Start the fork server now: it loads the pipeline (seconds) while the caller does other work
    (hashing the inputs). Without this, the pool's first worker starts it and waits for it."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _worker_main(
    conn: Connection,
    work: Callable[[Task], Outcome],
    prepare: Callable[[], None] | None,
    prefetch: Callable[[list[Task]], None] | None = None,
) -> None:
    """Worker loop: receive a chunk, announce and prefetch it, announce and convert each task,
    until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if prepare is not None:
        try:
            prepare()
        except Exception:  # noqa: BLE001 - each document then reports the error as its own coded failure
            pass
    try:
        conn.send(("ready", os.getpid()))
        while (chunk := conn.recv()) is not None:
            if prefetch is not None and len(chunk) > 1:
                conn.send(("prefetch", None))
                prefetch(chunk)
            for task in chunk:
                conn.send(("start", task.index))
                conn.send(("done", work(task)))
    except (EOFError, BrokenPipeError, ConnectionResetError):
        return  # the parent is gone (killed): nothing left to do for


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    chunk: deque = field(default_factory=deque)
    current: Task | object | None = None  # the task in flight, or _PREFETCHING
    started_at: float = 0.0
    converted: int = 0  # documents done since it started

    @property
    def busy(self) -> bool:
        return bool(self.chunk)


class SupervisedPool:
    """``with SupervisedPool(2) as pool: for outcome in pool.run(tasks): ...``

    Yields one :class:`Outcome` per task, in completion order. ``work`` and ``prepare`` must be
    importable module-level functions (they are sent to the worker processes by reference).
    """

    def __init__(
        self,
        workers: int,
        *,
        timeout: float | None = None,
        chunk_size: int = 16,
        work: Callable[[Task], Outcome] = convert_task,
        prepare: Callable[[], None] | None = warm_up,
        prefetch: Callable[[list[Task]], None] | None = prefetch_chunk,
        recycle_rss_mb: float | None = RECYCLE_RSS_MB,
    ) -> None:
        self.size = max(1, workers)
        self.timeout = timeout
        self.chunk_size = max(1, chunk_size)
        self._work = work
        self._prepare = prepare
        self._prefetch = prefetch
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._start_failures = 0
        self._recycle_rss_mb = recycle_rss_mb
        self.restarts = 0  # workers replaced because they died or ran past the timeout
        self.recycled = 0  # workers replaced because their memory grew past recycle_rss_mb

    def __enter__(self) -> "SupervisedPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        queue: deque[Task] = deque(tasks)
        while len(self._workers) < min(self.size, max(1, len(queue))):
            self._workers.append(self._start_worker())
        while queue or any(w.busy for w in self._workers):
            self._dispatch(queue)
            yield from self._collect(queue)

    def shutdown(self) -> None:
        """Stop every worker: politely if idle, by force if busy (Ctrl-C, an error in the caller)."""
        for worker in self._workers:
            try:
                if worker.busy:
                    worker.process.kill()
                else:
                    worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._workers:
            _join_or_kill(worker.process)
            worker.conn.close()
        self._workers = []

    # --- internals -------------------------------------------------------------------------------

    def _start_worker(self) -> _Worker:
        parent_end, child_end = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main, args=(child_end, self._work, self._prepare, self._prefetch), daemon=True)
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def _dispatch(self, queue: deque[Task]) -> None:
        for worker in list(self._workers):
            if not (worker.ready and not worker.busy and queue):
                continue
            if self._grown_too_big(worker):
                self._recycle(worker)  # the fresh worker gets work once it reports ready
                continue
            size = 1 if queue[0].alone else min(self._chunk_for(len(queue)), len(queue))
            chunk = [queue.popleft()]
            while len(chunk) < size and not queue[0].alone:
                chunk.append(queue.popleft())
            worker.chunk.extend(chunk)
            try:
                worker.conn.send(chunk)
            except (OSError, ValueError):
                pass  # the worker just died: _collect sees it and puts the chunk back in the queue

    def _grown_too_big(self, worker: _Worker) -> bool:
        # a worker that has converted nothing yet is as small as a worker gets: replacing it would
        # only loop (when the warm-up alone passes the limit)
        if self._recycle_rss_mb is None or worker.converted == 0 or worker.process.pid is None:
            return False
        resident = resident_mb(worker.process.pid)
        return resident is not None and resident > self._recycle_rss_mb

    def _recycle(self, worker: _Worker) -> None:
        """Stop an idle worker politely and start a fresh one in its place (nothing is in flight)."""
        try:
            worker.conn.send(None)
        except (OSError, ValueError):
            pass
        _join_or_kill(worker.process)
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._start_worker()
        self.recycled += 1

    def _chunk_for(self, remaining: int) -> int:
        # big chunks amortise messages; near the end, small ones keep every worker busy
        return max(1, min(self.chunk_size, remaining // (2 * self.size) or 1))

    def _collect(self, queue: deque[Task]) -> Iterator[Outcome]:
        by_handle = {}
        for worker in self._workers:
            by_handle[worker.conn] = worker
            by_handle[worker.process.sentinel] = worker
        ready = wait(list(by_handle), timeout=_POLL_SECONDS)
        handled: set[int] = set()
        for handle in ready:
            worker = by_handle[handle]
            if id(worker) in handled:
                continue
            handled.add(id(worker))
            yield from self._drain(worker)
            if not worker.process.is_alive() or worker.conn.closed:
                yield from self._replace(worker, queue, crashed=True)
        yield from self._enforce_timeout(queue)

    def _drain(self, worker: _Worker) -> Iterator[Outcome]:
        """Read every message the worker has sent so far (it may have died right after)."""
        try:
            while worker.conn.poll():
                kind, value = worker.conn.recv()
                if kind == "ready":
                    worker.ready = True
                    self._start_failures = 0
                elif kind == "prefetch":
                    worker.current = _PREFETCHING
                    worker.started_at = time.monotonic()
                elif kind == "start":
                    worker.current = worker.chunk[0]
                    worker.started_at = time.monotonic()
                elif kind == "done":
                    worker.converted += 1
                    worker.chunk.popleft()
                    worker.current = None
                    yield value
        except (EOFError, OSError):
            worker.conn.close()

    def _replace(self, worker: _Worker, queue: deque[Task], *, crashed: bool) -> Iterator[Outcome]:
        _join_or_kill(worker.process)
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                raise DefectError(f"worker processes die while starting (exit code {worker.process.exitcode}); run with -j 1 to see the error")
        lost = worker.current
        if lost is _PREFETCHING:  # nobody to blame yet: each document of the chunk retries alone
            lost = None
            rest = [replace(task, alone=True) for task in worker.chunk]
        else:
            rest = [task for task in worker.chunk if task is not lost]
        queue.extendleft(reversed(rest))
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._start_worker()
        self.restarts += 1
        if lost is not None and crashed:
            code = worker.process.exitcode
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            yield failure_outcome(lost.index, WorkerCrashError(
                f"the worker converting this input died ({how}): a crash in a native library or out of memory; "
                "the rest of the batch went on. Convert it alone to check, and please report it if the input looks ordinary"
            ))

    def _enforce_timeout(self, queue: deque[Task]) -> Iterator[Outcome]:
        if self.timeout is None:
            return
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.current is not None and now - worker.started_at > self.timeout:
                lost = worker.current
                worker.process.kill()
                yield from self._replace(worker, queue, crashed=False)
                if lost is _PREFETCHING:
                    continue  # the chunk's documents retry alone, each with its own timeout
                yield failure_outcome(lost.index, DocumentTimeoutError(
                    f"converting this input took longer than --timeout {self.timeout:g} s and was stopped; "
                    "the rest of the batch went on. Raise --timeout if the input is simply large"
                ))
