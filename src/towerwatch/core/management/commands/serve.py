"""`towerwatch serve`: the web application under uvicorn (stateless; run as many as needed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web application with uvicorn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        import uvicorn

        uvicorn.run(
            "towerwatch.asgi:application",
            host=opts["host"],
            port=opts["port"],
            workers=opts["workers"],
            log_level="info",
            proxy_headers=True,
            lifespan="off",
        )
