"""The collector's settings for a long-running server process: what startup built is set aside,
so a full collection walks only what the process made since.

CPython's full (generation 2) collection walks every tracked object while holding the GIL. A web
process holding a thousand sockets tracks some 430,000 objects, most of them built at startup
(modules, the ORM's mappers, the API's schemas, the app) and never freed; walking them took about
300 ms each time, and every message in flight waited that long (the chat bench's p99). The
router allocates short-lived effects and trace notes on every decision, so the rarer young
collections matter most there.
"""

from __future__ import annotations

import gc

# Young collections every 10,000 net allocations instead of 700: a request's short-lived cycles
# mostly die before they are collected, so fewer survivors are promoted towards the full
# collection. The older generations keep CPython's defaults.
YOUNG_THRESHOLD = 10_000


def settle_after_start() -> None:
    """Call once a server process has finished starting: collect what startup left behind, then
    freeze the survivors out of the collector's reach (they stay alive; refcounting still
    frees them if they are dropped)."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
