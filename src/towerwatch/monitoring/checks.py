"""System checks of the monitoring settings (run at every start-up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_retention(app_configs: Any, **kwargs: Any) -> list[Error]:
    """GB 50440-2007 §3.0.2-5: records are kept at least a year (the rule as shipped)."""
    from .retention import RULE, shipped_minimum_days

    minimum = shipped_minimum_days()
    days = settings.TOWERWATCH_RETENTION_DAYS
    if days < minimum:
        return [
            Error(
                f"TOWERWATCH_RETENTION_DAYS is {days}, shorter than {minimum} days.",
                hint=f"GB 50440-2007 §3.0.2-5 (rule {RULE}): alarm and status records are "
                f"kept at least {minimum} days. Set TOWERWATCH_RETENTION_DAYS to {minimum} or more.",
                id="towerwatch.E003",
            )
        ]
    return []
