"""Scope for notification records: an organization sees what was sent to its own endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class EndpointQuerySet(ScopedQuerySet):
    """Endpoints of the user's own organization (the monitoring centre sees all)."""

    def restrict(self, scope: Scope) -> EndpointQuerySet:
        return self.filter(organization_id=scope.organization_id)

    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class OutboxMessageQuerySet(ScopedQuerySet):
    """Messages to the user's organization's endpoints; system messages (the 119 forward) only
    to the centre, which sees everything."""

    def restrict(self, scope: Scope) -> OutboxMessageQuerySet:
        return self.filter(organization_id=scope.organization_id)

    def pending(self) -> OutboxMessageQuerySet:
        from .choices import MessageState

        return self.filter(state=MessageState.PENDING)


class DeliveryAttemptQuerySet(ScopedQuerySet):
    """Attempts at the messages the user may see."""

    def restrict(self, scope: Scope) -> DeliveryAttemptQuerySet:
        return self.filter(message__organization_id=scope.organization_id)
