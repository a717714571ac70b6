"""Scoped querysets: `Model.objects.visible_to(user)` is where every list, page and export starts.

A model declares how it reaches a building (`scope_path = "building"`); the user's scope
(`towerwatch.accounts.scope`) says which buildings its organization may see. Objects outside
the scope are simply absent, so views answer 404, never 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet, Generic[M]):
    """A queryset that can restrict itself to what a user's organization may see."""

    #: Lookup path from this model to a Building (None: the model overrides `restrict`).
    scope_path: str | None = None

    def visible_to(self, user: Any) -> ScopedQuerySet[M]:
        """Only the rows the user's organization may see; nothing for anonymous users."""
        from towerwatch.accounts.scope import scope_for

        scope = scope_for(user)
        if scope is None:
            return self.none()
        if scope.sees_everything:
            return self
        return self.restrict(scope)

    def restrict(self, scope: Scope) -> ScopedQuerySet[M]:
        """Rows reachable from the buildings in `scope`."""
        if self.scope_path is None:
            raise NotImplementedError(
                f"{self.model.__name__} must declare scope_path or restrict()"
            )
        return self.filter(**{f"{self.scope_path}__in": scope.buildings()})


def scoped_by(path: str) -> type[ScopedQuerySet]:
    """A `ScopedQuerySet` for a model that reaches its Building through `path` ("building")."""
    name = "ScopedBy" + "".join(part.title() for part in path.split("__"))
    return type(name, (ScopedQuerySet,), {"scope_path": path, "__module__": __name__})
