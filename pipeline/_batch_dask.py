"""The Dask executor: the same unit of work as the local pool, spread over a Dask cluster.

``--executor dask`` starts a ``LocalCluster`` (one single-threaded worker process per job: the
pipeline holds the GIL, threads would not help); ``--scheduler tcp://host:port`` uses an existing
cluster. Tasks are chunks of documents, to amortise scheduling, and run
``_batch_work.convert_chunk``, so the records are the same bytes as with the local executor. Input
paths are sent, not bytes: every worker must see the input files at the same paths (a shared file
system), which is how clusters of this kind are run. Only this process writes the output folder.

A worker that dies is retried by Dask on another worker; when Dask gives up (``KilledWorker``)
the documents of that chunk are recorded as ``P121`` and the batch goes on. Dask is an optional
extra (``pip install 'pipeline[dask]'``): it is imported only here.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from ._batch_work import Outcome, Task, convert_chunk, failure_outcome
from .errors import DefectError, UsageError, WorkerCrashError


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise UsageError("--executor dask needs Dask: pip install 'pipeline[dask]'") from None
    return distributed


def _chunks(tasks: Sequence[Task], size: int) -> list[list[Task]]:
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def run_dask(tasks: Sequence[Task], *, scheduler: str | None, workers: int, chunk_size: int) -> Iterator[Outcome]:
    """Outcomes of ``tasks`` in completion order."""
    if not tasks:
        return
    distributed = _import_distributed()
    cluster = None
    if scheduler is None:
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster if cluster is not None else scheduler)
    try:
        chunks = _chunks(tasks, max(1, chunk_size))
        futures = client.map(convert_chunk, chunks, pure=False)
        chunk_of = {future.key: chunk for future, chunk in zip(futures, chunks)}
        for future in distributed.as_completed(futures):
            try:
                yield from future.result()
            except distributed.KilledWorker:
                for task in chunk_of[future.key]:
                    yield failure_outcome(task.index, WorkerCrashError(
                        "the Dask workers converting this input's chunk died repeatedly (native crash or out of memory); "
                        "the rest of the batch went on. Convert it alone to find the culprit"
                    ))
            except Exception as exc:  # noqa: BLE001 - e.g. the task could not be unpickled on a worker
                for task in chunk_of[future.key]:
                    yield failure_outcome(task.index, DefectError(
                        f"the Dask task converting this input failed ({type(exc).__name__}: {exc}); "
                        "check that every worker runs the same pipeline version, and please report it"
                    ))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
