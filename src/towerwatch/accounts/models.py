"""Users and their memberships: a user acts for one organization with one role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel
from towerwatch.organizations.choices import RegionKind

from .choices import Role


class User(AbstractUser):
    """A person who logs in. What they see follows from `active_membership`."""

    active_membership = models.ForeignKey(
        "Membership",
        verbose_name=_("acting as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class Membership(ChangeLoggedModel):
    """A user acting for an organization with a role; grid officers also name their grid."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    grid = models.ForeignKey(
        "organizations.Region",
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For grid officers: the grid they patrol."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.role == Role.GRID_OFFICER and (
            self.grid is None or self.grid.kind != RegionKind.GRID
        ):
            raise ValidationError({"grid": _("A grid officer must be given a grid.")})
