"""Wiping the demo-able data before a demo load."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models

from towerwatch.accounts.models import Membership
from towerwatch.buildings.models import Building, FireSystem, Responsibility, ServiceContract
from towerwatch.core.models import ObjectChange
from towerwatch.organizations.models import Certificate, Organization, Person, Region


def _core_wipe_models() -> list[type[models.Model]]:
    return [
        ObjectChange,
        ServiceContract,
        FireSystem,
        Responsibility,
        Building.sectors.through,
        Building,
        Certificate,
        Membership,
        Person,
        Organization.sectors.through,
        Organization,
        Region,
    ]


def _wipe_closure() -> list[type[models.Model]]:
    """The core tables plus every table whose rows cannot outlive them (found, not listed)."""
    full = _core_wipe_models()
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in full or not model._meta.managed:
                continue
            for f in model._meta.concrete_fields:
                nullable = f.null and getattr(f.remote_field, "on_delete", None) is models.SET_NULL
                if f.is_relation and f.related_model in full and not nullable:
                    full.insert(0, model)
                    changed = True
                    break
    return full


def wipe_demo_data() -> dict[str, int]:
    """Delete buildings, territory, organizations, people, non-superusers and the change log.

    Raw deletes: no signals, no change rows, no per-row work. Tables that point at the wiped
    ones are wiped too (or their nullable links cleared); superusers stay, without membership.
    """
    db = connection.alias
    user_model = get_user_model()
    full = _wipe_closure()
    doomed_users = user_model._base_manager.filter(is_superuser=False)
    for model in apps.get_models(include_auto_created=True):
        if model in full or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if not f.is_relation or f.related_model is None:
                continue
            if f.related_model in full:  # a nullable SET_NULL link (the closure took the rest)
                model._base_manager.filter(**{f"{f.name}__isnull": False}).update(**{f.name: None})
            elif f.related_model is user_model and model is not user_model:
                rows = model._base_manager.filter(**{f"{f.name}__in": doomed_users.values("pk")})
                if f.null and getattr(f.remote_field, "on_delete", None) is models.SET_NULL:
                    rows.update(**{f.name: None})
                else:
                    rows._raw_delete(db)
    counts = {m._meta.label: m._base_manager.all()._raw_delete(db) for m in full}
    counts[user_model._meta.label] = doomed_users._raw_delete(db)
    if connection.vendor == "sqlite":  # transactional there: a failed load rolls it back too
        sequences = [
            {"table": m._meta.db_table, "column": m._meta.pk.column}
            for m in full
            if m._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
                cursor.execute(sql)
    return counts
