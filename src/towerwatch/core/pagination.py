"""API pagination (kept apart from `core.api` so DRF settings can import it early)."""

from typing import Any

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`?limit=&offset=`, answering `count`, `next`, `previous`, `results`."""

    default_limit = 50
    max_limit = 1000


def exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    """Django `ValidationError`s raised by models and actions become 400 answers naming fields."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from rest_framework.exceptions import ValidationError
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)
