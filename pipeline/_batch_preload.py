"""Imported once by the batch pool's forkserver, so every worker forks with the pipeline warm.

Importing this module loads spaCy, the patterns and the lexicon (see ``_batch_work.warm_up``).
Workers forked from the server share those pages copy-on-write and start in milliseconds, which
also makes replacing a crashed or timed-out worker cheap. A failure here is not fatal: each
worker warms up again on its own and reports any real problem itself.
"""

from __future__ import annotations

import gc

from ._batch_work import warm_up_if_possible

warm_up_if_possible()  # on failure each worker warms up again and its documents report the error
# warm_up() froze what it loaded (moved it to the collector's permanent generation), so a worker's
# collections do not write to (and so copy) every shared page it inherited. Freeze once more for
# anything this module's own import left behind.
gc.freeze()
