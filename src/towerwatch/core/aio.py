"""Running the long-lived asyncio processes (worker, `run`, simulator)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop's event loop where it is installed (every platform but Windows).

    libuv spends far fewer CPU cycles per socket event than the selector loop, and the device
    listener handles one socket event per frame and per confirm (docs/deploy.md, figures).
    """
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(main)
    return uvloop.run(main)
