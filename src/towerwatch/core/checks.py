"""System checks with stable ids: configuration mistakes fail loudly at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.SECRET_KEY == settings.INSECURE_DEFAULT_KEY:
        return [
            Error(
                "TOWERWATCH_SECRET_KEY is not set.",
                hint="Set TOWERWATCH_SECRET_KEY (or TOWERWATCH_SECRET_KEY_FILE) to a long random value.",
                id="towerwatch.E001",
            )
        ]
    return []


@register()
def check_map_crs(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.TOWERWATCH_MAP_TILE_CRS not in {"wgs84", "gcj02"}:
        return [
            Error(
                f"TOWERWATCH_MAP_TILE_CRS is {settings.TOWERWATCH_MAP_TILE_CRS!r}.",
                hint="Use 'wgs84' for OpenStreetMap-style tiles or 'gcj02' for Chinese commercial tiles.",
                id="towerwatch.E002",
            )
        ]
    return []


@register()
def check_public_url(app_configs: Any, **kwargs: Any) -> list[Warning]:
    url = settings.TOWERWATCH_PUBLIC_URL
    if not url.startswith(("http://", "https://")):
        return [
            Warning(
                f"TOWERWATCH_PUBLIC_URL is {url!r}; QR signs need an absolute http(s) address.",
                hint="Set TOWERWATCH_PUBLIC_URL to the address residents' phones can reach.",
                id="towerwatch.W001",
            )
        ]
    return []
