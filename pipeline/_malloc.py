"""Keep a converting process's heap from fragmenting: blocks of 4 MiB and more always come from mmap.

Why: glibc raises its mmap threshold each time a large block is freed (its "dynamic threshold", up
to 32 MiB), so after the first one, the large short-lived blocks of a long document (the NER
model's batch arrays, copies of the whole text) come from the heap, and the heap keeps their
space, fragmented by the small objects made meanwhile. Measured on bench/bench_memory.py's
300-page PDF (``convert -j 1``, peak RSS): 299-319 MB with the default, varying run to run;
265 MB with the threshold fixed at 4 MiB, for about 1.4 s more system time in a 22 s run (the
page faults of the blocks that now come from mmap). 8 MiB gave 283 MB, 1 MiB 274 MB at twice
the system time.

Called by the batch (``_batch_work.convert_task``) before the stages of a document of at least
``LONG_DOCUMENT_CHARS`` characters, and from then on for the rest of that process: on short
documents the fixed threshold only costs system time (~5% on abstracts: the heap top is trimmed
and regrown more often), and they never fragment the heap that much. A program that imports the
package keeps its own allocator settings. Nothing happens outside glibc.
"""

from __future__ import annotations

import os

#: ``M_MMAP_THRESHOLD`` in glibc's malloc.h.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024


def steady_heap() -> bool:
    """Fix glibc's mmap threshold at MMAP_THRESHOLD_BYTES; whether it was set."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
    except (ValueError, OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False
