"""The unit of batch work: one input file in, one serialised record (or one coded failure) out.

Every executor (in-process, the supervised process pool, Dask) runs exactly this function, so
their outputs are the same bytes. It never raises: a failure is returned as a value, because a
worker that raised would lose the other documents of its chunk. Nothing here writes files; the
batch runner in the main process does, so there is one writer per output folder.

Chunks: an executor that has a chunk of tasks first calls :func:`prefetch_chunk`, which reads
them and runs the NER model over all their texts in one batch; :func:`convert_task` then takes the
document and its model mentions from there. Same bytes either way (the model's output for a text
does not depend on its batch); much less per-call overhead on short documents. A failure while
prefetching is never reported: the task meets it again on its own and reports it as usual.
"""

from __future__ import annotations

import gc
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ._malloc import steady_heap
from .errors import DefectError, InputOutputError, PipelineError, UnreadableInputError

#: Documents at least this long (about 60 pages of a dense PDF) make their process fix glibc's mmap
#: threshold before their stages run: it keeps a 300-page PDF's peak ~40 MB lower, but costs ~5% of
#: system time on short documents, which never fragment the heap that much.
LONG_DOCUMENT_CHARS = 300_000

#: A short article that runs every stage once, so models and the lexicon load before real work.
_WARM_UP_TEXT = b"# Warm-up\n\nKetamine blocks NMDA receptors in the prefrontal cortex (PFC).\n"


@dataclass(frozen=True)
class Task:
    index: int
    source: str  # path to read
    shown: str  # path as the record and reports show it
    output_format: str  # "json" (pretty, one file) or "jsonl" (one compact line)
    alone: bool = False  # convert in a chunk of its own, never prefetched (its chunk's prefetch failed)


@dataclass(frozen=True)
class Outcome:
    index: int
    input_sha256: str | None = None
    content: str | None = None  # the serialised record, ready to write
    record_id: str | None = None
    words: int = 0
    failure: dict | None = None  # {"code", "kind", "message"}


def failure_outcome(index: int, error: PipelineError) -> Outcome:
    return Outcome(index, failure={"code": error.code, "kind": error.kind, "message": error.message})


def warm_up() -> None:
    """Load spaCy, the patterns and the lexicon in this process (once: later calls return at once).

    The cyclic garbage collector is paused meanwhile, and what was loaded is then frozen (moved
    to the collector's permanent generation). Loading allocates objects by the hundred thousand:
    they set off ~170 collections (0.09-0.12 s, 5-6% of the warm-up, which is the serial part of
    every batch) that found nothing to free (a full collection after a paused warm-up finds no
    garbage), and without the freeze the first collection after it would scan them all again.
    They live as long as the process anyway. In the pool's fork server the freeze also keeps the
    workers' collections from writing to, and so copying, the pages they share with it.
    """
    global _warm
    if _warm:
        return
    thresholds = gc.get_threshold()
    gc.set_threshold(0)  # not gc.disable(): srsly, reading the models, calls gc.enable() when done
    try:
        from .recipe import convert_bytes  # imports every stage: also worth doing with the collector paused

        convert_bytes(_WARM_UP_TEXT, "warm-up.md")
        gc.freeze()
        _warm = True
    finally:
        gc.set_threshold(*thresholds)


def warm_up_if_possible() -> None:
    """:func:`warm_up`, leaving any error to the documents: each meets it again and reports it as
    its own coded failure (a batch never fails as a whole because loading did)."""
    try:
        warm_up()
    except Exception:  # noqa: BLE001 - see the docstring
        pass


#: Whether this process has warmed up: only the first call loads, and freezes (once per process,
#: so a program that calls the batch API again and again does not freeze its own objects each time).
_warm = False


#: Inputs larger than this are not read ahead: a chunk of them would hold too much memory.
PREFETCH_MAX_BYTES = 4_000_000
#: A chunk reads ahead only its first inputs that together hold at most this many bytes; the rest
#: are read when their turn comes. Abstracts (a few kB each) are all read ahead; PDFs (~1 MB each,
#: and their documents several times that) one or two at a time, which bounds a worker's memory.
PREFETCH_BUDGET_BYTES = 2_000_000
#: What ``prefetch_chunk`` read, by task index: (input bytes, document), for ``convert_task``.
_PREFETCHED_DOCUMENTS: dict[int, tuple[bytes, object]] = {}


def prefetch_chunk(tasks: list[Task]) -> None:
    """Read ``tasks`` and run the NER model over their texts together (see the module docstring).

    Never raises: whatever fails here fails again, and is reported, in ``convert_task``.
    """
    from . import layers as L
    from .readers import read_bytes
    from .stages._ner_model import forget_prefetched, prefetch_mentions

    _PREFETCHED_DOCUMENTS.clear()
    forget_prefetched()
    budget = PREFETCH_BUDGET_BYTES
    try:
        for task in tasks:
            try:
                size = os.stat(task.source).st_size
                if size > PREFETCH_MAX_BYTES:
                    continue
                if size > budget and _PREFETCHED_DOCUMENTS:
                    break  # the rest of the chunk is read in its turn
                budget -= size
                data = _read(task)
                _PREFETCHED_DOCUMENTS[task.index] = (data, read_bytes(data, task.shown))
            except Exception:  # noqa: BLE001 - reported by convert_task, which reads it again
                continue
        prefetch_mentions([doc.text for _, doc in _PREFETCHED_DOCUMENTS.values() if not doc.has_layer(L.ENTITIES)])
    except Exception:  # noqa: BLE001 - each task then converts on its own and reports its error
        _PREFETCHED_DOCUMENTS.clear()
        forget_prefetched()


def convert_task(task: Task) -> Outcome:
    """Convert one input; every failure comes back as a coded value, never as an exception."""
    from .readers import read_bytes
    from .recipe import convert_document
    from .record.io import dumps_record

    try:
        prefetched = _PREFETCHED_DOCUMENTS.pop(task.index, None)
        if prefetched is not None:
            data, document = prefetched
        else:
            data = _read(task)
            document = read_bytes(data, task.shown)
        digest = hashlib.sha256(data).hexdigest()
        if len(document.text) >= LONG_DOCUMENT_CHARS:
            steady_heap()  # from now on, for the rest of this process: see pipeline/_malloc.py
        record = convert_document(document)
        indent = 2 if task.output_format == "json" else None
        content = dumps_record(record, indent=indent)
        return Outcome(task.index, digest, content, record["id"], len(record["text"].split()))
    except PipelineError as exc:
        return failure_outcome(task.index, exc)
    except OSError as exc:
        return failure_outcome(task.index, InputOutputError(f"cannot read the input ({exc.strerror or exc}); check permissions and free disk space"))
    except RecursionError:
        return failure_outcome(task.index, DefectError("the input is nested too deeply for a stage (recursion limit); please report it with the input file"))
    except Exception as exc:  # a bug in a stage: record it loudly, keep the batch going
        return failure_outcome(task.index, DefectError(f"unexpected {type(exc).__name__}: {exc}; this is a bug in pipeline, please report it with the input file"))


def convert_tasks(tasks: list[Task]) -> Iterator[Outcome]:
    """A chunk of tasks in order, prefetched together, each outcome as soon as it is done (this
    process: no crash isolation)."""
    if len(tasks) > 1:
        prefetch_chunk(tasks)
    try:
        for task in tasks:
            yield convert_task(task)
    finally:
        _PREFETCHED_DOCUMENTS.clear()


def _read(task: Task) -> bytes:
    try:
        return Path(task.source).read_bytes()
    except IsADirectoryError:
        raise UnreadableInputError("is a folder, not a file; pass the folder to `pipeline convert` instead") from None
    except FileNotFoundError:
        raise UnreadableInputError("file not found (deleted or a broken link?); check the path") from None
    except OSError as exc:
        raise UnreadableInputError(f"cannot read the file ({exc.strerror or exc}); check its permissions") from None


def convert_chunk(tasks: list[Task]) -> list[Outcome]:
    """A chunk of tasks in order (what a Dask task runs, to amortise scheduling overhead)."""
    warm_up_if_possible()
    return list(convert_tasks(tasks))
