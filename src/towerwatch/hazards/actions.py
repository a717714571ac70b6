"""Writes of the hazard loop. Each is one transaction and leaves a timeline step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.buildings.choices import ResponsibilityRole as R
from towerwatch.core.actions import acting, require_visible
from towerwatch.core.models import Counter

from .choices import HazardSource, PhotoStage, Severity, StepKind
from .deadlines import default_deadline
from .models import Hazard, HazardPhoto, HazardStep
from .validators import validate_photo

#: Who rectifies, in order of preference: the property company, then the owner, then the user.
RESPONSIBLE_ORDER = (R.MANAGER, R.OWNER, R.OCCUPANT)


def responsible_parties(building: Any) -> tuple[Any, Any]:
    """The unit (organization) and person a hazard in `building` is assigned to by default."""
    links = {r.role: r for r in building.responsibilities.all()}
    org = next((links[role].organization for role in RESPONSIBLE_ORDER if role in links), None)
    person_link = links.get(R.SAFETY_MANAGER) or links.get(R.RESPONSIBLE_PERSON)
    return org, (person_link.person if person_link else None)


def next_code(found_on: dt.date) -> str:
    number = Counter.next(f"hazard-{found_on.year}")
    return f"YH{found_on.year}-{number:06d}"


@transaction.atomic
def open_hazard(
    *,
    acting_user: Any,
    building: Any,
    source: str,
    category: str,
    title: str,
    severity: str = Severity.GENERAL,
    description: str = "",
    floor: str = "",
    location: str = "",
    interim_measures: str = "",
    deadline: dt.date | None = None,
    deadline_reason: str = "",
    found_at: dt.datetime | None = None,
    alarm_case: Any = None,
    source_ref: str = "",
    photos: Iterable[UploadedFile] = (),
) -> Hazard:
    """Record a hazard found in `building` and start its rectification loop.

    The deadline defaults to the rule set's; a different one needs `deadline_reason`, and a
    deadline before the day it was found is refused. The responsible unit and person come from
    the building's responsibility chain. Photos are validated before anything is written.
    """
    if acting_user is not None:
        require_visible(type(building), building.pk, acting_user)
    found_at = found_at or timezone.now()
    found_on = timezone.localdate(found_at)
    rule = default_deadline(category, severity, found_on)
    errors: dict[str, str] = {}
    if deadline is None:
        deadline = rule.date
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif deadline != rule.date and not deadline_reason.strip():
        errors["deadline_reason"] = _(
            "The rule set gives %(date)s (%(citation)s); say why the deadline differs."
        ) % {"date": rule.date.isoformat(), "citation": rule.citation}
    photos = list(photos)
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            errors["photos"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)

    org, person = responsible_parties(building)
    hazard = Hazard(
        code=next_code(found_on),
        building=building,
        source=source,
        category=category,
        severity=severity,
        title=title,
        description=description,
        floor=floor,
        location=location,
        interim_measures=interim_measures,
        responsible_org=org,
        responsible_person=person,
        deadline=deadline,
        deadline_rule=rule.rule_key,
        deadline_reason=deadline_reason.strip(),
        found_at=found_at,
        found_by=acting_user,
        alarm_case=alarm_case,
        source_ref=source_ref,
    )
    with acting(acting_user):
        hazard.full_clean()
        hazard.save()
    for photo in photos:
        HazardPhoto.objects.create(
            hazard=hazard, stage=PhotoStage.FOUND, image=photo, uploaded_by=acting_user
        )
    HazardStep.objects.create(
        hazard=hazard,
        at=found_at,
        kind=StepKind.FOUND,
        actor=acting_user,
        new_state=hazard.state,
        note=description,
        data={
            "source": source,
            "source_ref": source_ref,
            "deadline": deadline.isoformat(),
            "deadline_rule": rule.citation,
        },
    )
    return hazard


__all__ = ["HazardSource", "open_hazard", "responsible_parties"]
