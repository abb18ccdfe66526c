"""Parallel batches: the same bytes with any number of workers, and a crashing or stuck document
costs only itself.

The supervised pool is tested with stand-in work functions (module-level, so the worker processes
can import them): one that really segfaults, one that hangs, one that exits. The whole pipeline is
tested once with two workers against one, byte for byte, and once on a Dask LocalCluster.
"""

from __future__ import annotations

import ctypes
import os
import time
from pathlib import Path

import pytest

from pipeline._batch_pool import SupervisedPool
from pipeline._batch_work import Outcome, Task
from pipeline.batch import BatchOptions, convert_batch

ARTICLES = {
    "ketamine.md": b"# Ketamine Notes\n\nKetamine blocks NMDA receptors in the prefrontal cortex.\n",
    "psilocybin.txt": b"Psilocybin Trials\n\nPsilocybin activates 5-HT2A receptors and promotes neuroplasticity.\n",
    "sub/rapamycin.txt": b"Rapamycin inhibits mTOR signalling in neurons and may affect synaptogenesis.\n",
    "sub/ketamine.md": b"# Another Ketamine\n\nKetamine increases BDNF in the hippocampus.\n",
    "empty.txt": b"",
    "noise.txt": b"\x00\x01\x02\xff" * 64,
}


def _tree(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- stand-in work for the pool: module level, so worker processes can import it ---------------


def _stand_in_work(task: Task) -> Outcome:
    name = Path(task.shown).name
    if name.startswith("segfault"):
        ctypes.string_at(0)  # a real native crash (SIGSEGV), like a broken C extension
    if name.startswith("hang"):
        time.sleep(120)
    if name.startswith("exit"):
        os._exit(3)
    return Outcome(task.index, content=f"converted {name} in {os.getpid()}")


def _stand_in_prefetch(tasks: list[Task]) -> None:
    names = [Path(task.shown).name for task in tasks]
    if any(name.startswith("prefetch-segfault") for name in names):
        ctypes.string_at(0)
    if any(name.startswith("prefetch-hang") for name in names):
        time.sleep(120)


def _tasks(*names: str) -> list[Task]:
    return [Task(i, name, name, "json") for i, name in enumerate(names)]


def _run(pool: SupervisedPool, tasks: list[Task]) -> dict[str, Outcome]:
    return {tasks[o.index].shown: o for o in pool.run(tasks)}


def test_pool_native_crash_costs_only_that_document() -> None:
    tasks = _tasks("a.txt", "b.txt", "segfault.txt", "c.txt", "d.txt", "exit.txt", "e.txt")
    with SupervisedPool(2, chunk_size=3, work=_stand_in_work, prepare=None) as pool:
        outcomes = _run(pool, tasks)
        assert pool.restarts >= 2
    assert sorted(outcomes) == sorted(t.shown for t in tasks)  # every task has exactly one outcome
    failed = {name: o.failure["code"] for name, o in outcomes.items() if o.failure}
    assert failed == {"segfault.txt": "P121", "exit.txt": "P121"}
    assert "signal 11" in outcomes["segfault.txt"].failure["message"]
    assert all(o.content == f"converted {name} in " + o.content.rsplit(" ", 1)[1] for name, o in outcomes.items() if not o.failure)


def test_pool_timeout_stops_the_stuck_document_and_goes_on() -> None:
    tasks = _tasks("a.txt", "hang.txt", "b.txt", "c.txt")
    with SupervisedPool(2, timeout=1.0, chunk_size=2, work=_stand_in_work, prepare=None) as pool:
        outcomes = _run(pool, tasks)
    assert {name: (o.failure or {}).get("code") for name, o in outcomes.items()} == {"a.txt": None, "hang.txt": "P120", "b.txt": None, "c.txt": None}
    assert "--timeout 1 s" in outcomes["hang.txt"].failure["message"]


def test_pool_crash_while_prefetching_a_chunk_retries_its_documents_alone() -> None:
    # chunks of 3 (12+ tasks for 2 workers): the first chunk's prefetch crashes; nobody is to blame
    # yet, so each of its documents is converted alone, and only a document that crashes alone fails
    tasks = _tasks("a.txt", "prefetch-segfault.txt", "segfault.txt", *[f"{i}.txt" for i in range(12)])
    with SupervisedPool(2, chunk_size=3, work=_stand_in_work, prepare=None, prefetch=_stand_in_prefetch) as pool:
        outcomes = _run(pool, tasks)
        assert pool.restarts >= 2
    assert sorted(outcomes) == sorted(t.shown for t in tasks)
    assert {name: o.failure["code"] for name, o in outcomes.items() if o.failure} == {"segfault.txt": "P121"}


def test_pool_timeout_while_prefetching_a_chunk_retries_its_documents_alone() -> None:
    tasks = _tasks("prefetch-hang.txt", *[f"{i}.txt" for i in range(13)])
    with SupervisedPool(2, timeout=1.0, chunk_size=3, work=_stand_in_work, prepare=None, prefetch=_stand_in_prefetch) as pool:
        outcomes = _run(pool, tasks)
        assert pool.restarts >= 1
    assert sorted(outcomes) == sorted(t.shown for t in tasks)
    assert not [o.failure for o in outcomes.values() if o.failure]


def _is_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status  # exited, waiting to be reaped by its parent (the fork server)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads process states from /proc (Linux)")
def test_pool_interrupted_consumer_leaves_no_worker_behind() -> None:
    tasks = _tasks("a.txt", "hang.txt", "hang2.txt", "b.txt")
    with pytest.raises(KeyboardInterrupt):
        with SupervisedPool(2, chunk_size=1, work=_stand_in_work, prepare=None) as pool:
            for _ in pool.run(tasks):
                pids = pool.worker_pids()
                raise KeyboardInterrupt  # what Ctrl-C does in the middle of a batch
    assert pids and all(_is_gone(pid) for pid in pids)


def test_batch_two_workers_give_the_same_bytes_as_one(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", ARTICLES)
    for output_format in ("json", "jsonl"):
        one, two = tmp_path / f"one-{output_format}", tmp_path / f"two-{output_format}"
        serial = convert_batch(BatchOptions((str(src),), str(one), jobs=1, output_format=output_format))
        parallel = convert_batch(BatchOptions((str(src),), str(two), jobs=2, chunk_size=1, output_format=output_format))
        assert _snapshot(one) == _snapshot(two)  # records, manifest and error report alike
        assert parallel.failures == serial.failures and [f.code for f in serial.failures] == ["P101", "P102"]
        assert parallel.converted == serial.converted == 4


def test_batch_prefetched_chunks_give_the_same_bytes_as_documents_alone(tmp_path: Path) -> None:
    # big enough for chunks of 3 with two workers, so chunks are prefetched (NER run on them at once)
    files = {f"{i:02d}-{name.replace('/', '-')}": data for i in range(3) for name, data in ARTICLES.items()}
    files["long.txt"] = ARTICLES["psilocybin.txt"] * 400  # more than one NER chunk
    src = _tree(tmp_path / "in", files)
    one, two = tmp_path / "one", tmp_path / "two"
    serial = convert_batch(BatchOptions((str(src),), str(one), jobs=1, chunk_size=1))  # no prefetch
    parallel = convert_batch(BatchOptions((str(src),), str(two), jobs=2, chunk_size=3))
    assert _snapshot(one) == _snapshot(two)
    assert parallel.failures == serial.failures and parallel.converted == serial.converted == 13


def test_batch_timeout_with_one_job_runs_isolated(tmp_path: Path) -> None:
    src = _tree(tmp_path / "in", {"a.md": ARTICLES["ketamine.md"]})
    result = convert_batch(BatchOptions((str(src),), str(tmp_path / "out"), jobs=1, timeout=60))
    assert result.converted == 1 and not result.failures


def test_batch_on_dask_local_cluster_gives_the_same_bytes(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'pipeline[dask]'")
    src = _tree(tmp_path / "in", ARTICLES)
    local, dask = tmp_path / "local", tmp_path / "dask"
    convert_batch(BatchOptions((str(src),), str(local), jobs=1))
    result = convert_batch(BatchOptions((str(src),), str(dask), jobs=1, executor="dask", chunk_size=2))
    assert _snapshot(local) == _snapshot(dask)
    assert result.converted == 4 and [f.code for f in result.failures] == ["P101", "P102"]


def test_fork_server_preload_freezes_what_it_loaded_for_the_workers() -> None:
    # gc.freeze() keeps the workers' collections off the pages they share with the fork server
    import subprocess
    import sys

    code = "import gc, pipeline._batch_preload; print(gc.get_freeze_count() > 1000)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True"


def test_the_fork_server_is_started_early_only_when_the_pool_is_likely(tmp_path) -> None:
    from pipeline.batch import BatchOptions, _pool_likely

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    (one / "a.txt").write_text("a")
    (two / "a.txt").write_text("a")
    (two / "b.txt").write_text("b")
    out = str(tmp_path / "out")
    assert _pool_likely(BatchOptions((str(two),), out, jobs=2))
    assert _pool_likely(BatchOptions((str(one / "a.txt"), str(two / "a.txt")), out, jobs=2))
    assert _pool_likely(BatchOptions((str(one),), out, jobs=1, timeout=5.0)) is False  # one entry
    assert _pool_likely(BatchOptions((str(two),), out, jobs=1, timeout=5.0))  # a timeout needs isolation
    assert not _pool_likely(BatchOptions((str(one),), out, jobs=2))
    assert not _pool_likely(BatchOptions((str(two),), out, jobs=1))
    assert not _pool_likely(BatchOptions((str(two),), out, jobs=2, dry_run=True))
    assert not _pool_likely(BatchOptions((str(two),), out, jobs=2, executor="dask"))
    assert not _pool_likely(BatchOptions((str(tmp_path / "missing"),), out, jobs=2))
    assert not _pool_likely(BatchOptions((str(one / "a.txt"),), out, jobs=2))  # a file, not a folder


def test_a_chunk_reads_ahead_only_within_its_byte_budget(tmp_path, monkeypatch) -> None:
    from pipeline import _batch_work as W

    paths = []
    for i, words in enumerate((40, 40, 40, 40)):
        path = tmp_path / f"doc{i}.md"
        path.write_text(f"# Note {i}\n\n" + "Ketamine blocks NMDA receptors. " * words, encoding="utf-8")
        paths.append(path)
    tasks = [Task(i, str(p), p.name, "json") for i, p in enumerate(paths)]
    alone = [W.convert_task(t) for t in tasks]  # nothing read ahead
    size = paths[0].stat().st_size
    monkeypatch.setattr(W, "PREFETCH_BUDGET_BYTES", 2 * size + size // 2)  # room for two inputs
    W.prefetch_chunk(tasks)
    assert sorted(W._PREFETCHED_DOCUMENTS) == [0, 1]
    chunked = list(W.convert_tasks(tasks))
    assert [(o.index, o.content, o.failure) for o in chunked] == [(o.index, o.content, o.failure) for o in alone]
    monkeypatch.setattr(W, "PREFETCH_BUDGET_BYTES", 1)  # smaller than any input: the first is still read ahead
    W.prefetch_chunk(tasks)
    assert sorted(W._PREFETCHED_DOCUMENTS) == [0]
    W._PREFETCHED_DOCUMENTS.clear()


# --- memory: a worker that grows too big is replaced between chunks ----------------------------

_HELD: list[bytes] = []


def _stand_in_growing_work(task: Task) -> Outcome:
    """Holds on to 12 MB per document, as a worker's vocabularies grow with every new word; says
    which worker converted it and how big that worker was before."""
    from pipeline._batch_pool import resident_mb

    before = resident_mb(os.getpid())
    _HELD.append(os.urandom(12 * 2**20))
    return Outcome(task.index, content=f"{before:.0f} MB in {os.getpid()}")


def test_pool_replaces_a_worker_whose_memory_grew_too_big_and_loses_nothing() -> None:
    with SupervisedPool(1, work=_stand_in_growing_work, prepare=None, prefetch=None, recycle_rss_mb=None) as pool:
        (first,) = pool.run(_tasks("probe.txt"))
    fresh = float(first.content.split()[0])  # a fresh worker's resident memory, before any document
    tasks = _tasks(*[f"{i}.txt" for i in range(24)])
    with SupervisedPool(2, chunk_size=2, work=_stand_in_growing_work, prepare=None, prefetch=None, recycle_rss_mb=fresh + 40) as pool:
        outcomes = _run(pool, tasks)
        assert pool.recycled >= 3 and pool.restarts == 0
    assert sorted(outcomes) == sorted(t.shown for t in tasks)
    assert not any(o.failure for o in outcomes.values())
    pids = {o.content.rsplit(" ", 1)[1] for o in outcomes.values()}
    assert len(pids) >= 4  # documents were converted by more workers than the pool's two
    # no worker started a chunk beyond the limit plus what one chunk of two documents adds
    assert max(float(o.content.split()[0]) for o in outcomes.values()) < fresh + 40 + 2 * 12 + 5


def test_pool_never_replaces_a_worker_that_has_converted_nothing() -> None:
    # a limit below a fresh worker's size must not make the pool replace workers forever
    import signal

    def give_up(*_args):
        raise AssertionError("the pool kept replacing fresh workers (no document done in 60 s)")

    tasks = _tasks(*[f"{i}.txt" for i in range(6)])
    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(60)
    try:
        with SupervisedPool(2, chunk_size=1, work=_stand_in_work, prepare=None, recycle_rss_mb=1) as pool:
            outcomes = _run(pool, tasks)
            assert pool.recycled <= len(tasks)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert sorted(outcomes) == sorted(t.shown for t in tasks) and not any(o.failure for o in outcomes.values())
