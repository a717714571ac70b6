"""Writes to the territory, organizations and people."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from towerwatch.core.actions import acting, save_object

from .choices import SectorCode
from .models import Organization, Person, Region, Sector


def sync_sectors() -> None:
    """Make the Sector table hold exactly the codes of `SectorCode` (reference data)."""
    Sector.objects.bulk_create([Sector(code=c) for c in SectorCode.values], ignore_conflicts=True)


def sync_sectors_after_migrate(**kwargs: Any) -> None:
    sync_sectors()


@transaction.atomic
def save_region(region: Region, *, acting_user: Any) -> Region:
    """Create or change a region; its subtree follows a move."""
    return save_object(region, acting_user=acting_user)


@transaction.atomic
def save_organization(org: Organization, *, sectors: Any = None, acting_user: Any) -> Organization:
    """Create or change an organization (credit code and phone validated)."""
    return save_object(
        org, acting_user=acting_user, m2m={"sectors": sectors} if sectors is not None else None
    )


@transaction.atomic
def save_person(person: Person, *, acting_user: Any) -> Person:
    """Create or change a person (phone normalized)."""
    return save_object(person, acting_user=acting_user)


@transaction.atomic
def save_certificates(formset: Any, *, acting_user: Any) -> None:
    """Save a person's certificate formset: additions, changes and deletions, change-logged."""
    with acting(acting_user):
        for form in formset.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        for form in formset.forms:
            if form in formset.deleted_forms or not form.has_changed():
                continue
            certificate = form.save(commit=False)
            certificate.person = formset.instance
            save_object(certificate, acting_user=None)
