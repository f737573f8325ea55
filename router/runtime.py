"""Process-level tuning of a serving worker (called once per worker by `serve`, never in tests).

The cyclic garbage collector is the one cost of CPython that grows with what the process
*holds* rather than with what a request does: a worker holds ~170,000 tracked objects after
start-up (FastAPI, pydantic, scikit-learn, the classifier, the config), and every older-generation
collection walks all of them — on the 2-core reference machine a full collection took ~200 ms
in the middle of load, and collections overall cost a quarter of the gateway's CPU per request
(docs/performance.md). `gc.freeze()` moves everything alive at the end of start-up into a
permanent generation the collector no longer visits; a larger first-generation threshold makes
the collector run less often on the small, short-lived objects of each request. Reference
cycles created while serving are still collected as before.

Objects frozen here that later become cyclic garbage (an old config state after a reload) are
not reclaimed; that is bounded by the number of reloads, and small.
"""

from __future__ import annotations

import gc

#: First-generation threshold (CPython's default is 700 allocations): requests allocate and free
#: thousands of short-lived objects, nearly none of them in cycles.
GEN0_THRESHOLD = 7000


def settle_heap() -> None:
    """Collect start-up garbage, then freeze what is left out of the collector's way."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, max(gen1, 20), max(gen2, 20))
