"""Request id and change-log context for every request."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from .context import ChangeContext, current_change_context


class RequestContextMiddleware:
    """Give each request an id (kept from a valid `X-Request-ID`) and a change-log context."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request_id = uuid.UUID(request.headers.get("X-Request-ID", ""))
        except ValueError:
            request_id = uuid.uuid4()
        request.id = request_id  # type: ignore[attr-defined]  # read by views and templates
        # The user is resolved lazily: API token authentication happens inside the view.
        ctx = ChangeContext(user=_LazyUser(request), request_id=request_id)
        token = current_change_context.set(ctx)
        try:
            response = self.get_response(request)
        finally:
            current_change_context.reset(token)
        response["X-Request-ID"] = str(request_id)
        return response


class _LazyUser:
    """Resolves to the request's authenticated user when the change log asks for it."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def resolve(self) -> Any:
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None
