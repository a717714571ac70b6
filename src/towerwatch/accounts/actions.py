"""Writes to users and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from towerwatch.core.actions import acting, save_object

from .models import Membership, User


@transaction.atomic
def add_member(
    *,
    organization: Any,
    username: str,
    full_name: str,
    password: str,
    role: str,
    grid: Any,
    acting_user: Any,
) -> Membership:
    """Create a login acting for `organization` with `role` (validated password)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    user = User(username=username, first_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    with acting(acting_user):
        user.full_clean(exclude=["password"])
        user.save()
        membership = save_object(
            Membership(user=user, organization=organization, role=role, grid=grid), acting_user=None
        )
        user.active_membership = membership
        user.save(update_fields=["active_membership"])
    return membership


@transaction.atomic
def change_membership(membership: Membership, *, acting_user: Any) -> Membership:
    """Save a changed role, grid or active flag; an inactive member can no longer log in."""
    with acting(acting_user):
        save_object(membership, acting_user=None)
        user = membership.user
        still_active = user.memberships.filter(is_active=True).exists()
        if user.is_active != still_active:
            user.is_active = still_active
            user.save(update_fields=["is_active"])
    return membership


@transaction.atomic
def switch_membership(user: User, membership: Membership) -> None:
    """Act for another organization the user belongs to."""
    if membership.user_id != user.pk or not membership.is_active:
        raise ValidationError(_("You are not an active member of that organization."))
    user.active_membership = membership
    user.save(update_fields=["active_membership"])
