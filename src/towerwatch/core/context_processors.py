"""Template context every page needs: the user's scope and the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from towerwatch.accounts.scope import scope_for


def towerwatch(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at=None).count()
    return {
        "unread_notifications": unread,
        "scope": scope_for(user) if user is not None else None,
        "request_id": getattr(request, "id", ""),
        "map_tile_url": settings.TOWERWATCH_MAP_TILE_URL,
    }
