"""pyHanko's synchronous calls each run their own asyncio loop (asyncio.run), which fails in a thread where
a loop is already running (an asynchronous server, a browser driver in tests). There, run them in a
short-lived worker thread instead."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")


def sans_boucle(fonction: Callable[..., T], *args, **kwargs) -> T:
    """Call `fonction` here, or in a worker thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fonction(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fonction, *args, **kwargs).result()
