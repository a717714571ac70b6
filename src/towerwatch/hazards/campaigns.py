"""Rectification campaigns (专项整治, plan task 15): writes and live progress.

Progress is counted from the hazards the user may see, so a town sees its part of a district
campaign and the same page serves the detachment and every town.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from towerwatch.accounts.scope import PUBLIC_BODIES, scope_for
from towerwatch.core.actions import acting, require_visible
from towerwatch.organizations.choices import TOWN_LEVEL
from towerwatch.organizations.models import Region

from .choices import OPEN_STATES, HazardCategory, HazardState, Severity
from .models import Campaign, Hazard, Milestone

#: The plan's milestones (task 15): months after the start, name, major hazards only.
DEFAULT_MILESTONES: Sequence[tuple[int, Any, bool]] = (
    (3, gettext_lazy("Key hazards cleared"), True),
    (6, gettext_lazy("Visible results"), False),
    (12, gettext_lazy("Prominent problems basically solved"), False),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def may_run_campaigns(user: Any) -> bool:
    """Working roles of public bodies organize campaigns (for the towns they see)."""
    scope = scope_for(user)
    return bool(scope and (scope.is_superuser or (scope.can_edit and scope.kind in PUBLIC_BODIES)))


def _validate(
    user: Any, name: str, start_date: dt.date, towns: list[Region], categories: list[str]
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Give the campaign a name.")
    bad = [c for c in categories if c not in HazardCategory.values]
    if bad:
        errors["categories"] = _("Unknown hazard categories: %(list)s") % {"list": ", ".join(bad)}
    visible = Region.objects.visible_to(user)
    for town in towns:
        if town.kind not in TOWN_LEVEL or not visible.filter(pk=town.pk).exists():
            errors["towns"] = _("Choose towns, streets or platforms within your area.")
    scope = scope_for(user)
    if not towns and scope and not scope.sees_everything:
        errors["towns"] = _(
            "Choose the towns of the campaign; only the district may run one everywhere."
        )
    if start_date is None:
        errors["start_date"] = _("Give the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_campaign(
    *,
    acting_user: Any,
    name: str,
    start_date: dt.date,
    towns: Iterable[Region] = (),
    categories: Iterable[str] = (),
    description: str = "",
    milestones: Sequence[tuple[str, dt.date, bool]] | None = None,
) -> Campaign:
    """Start a campaign; without `milestones` it gets the plan's (3, 6 and 12 months)."""
    if acting_user is not None and not may_run_campaigns(acting_user):
        raise PermissionDenied(_("Your role may not organize campaigns."))
    towns, categories = list(towns), list(categories)
    if acting_user is not None:
        _validate(acting_user, name, start_date, towns, categories)
    scope = scope_for(acting_user)
    campaign = Campaign(
        name=name.strip(),
        description=description.strip(),
        start_date=start_date,
        categories=categories,
        organization_id=scope.organization_id if scope else None,
        created_by=acting_user,
    )
    with acting(acting_user):
        campaign.full_clean()
        campaign.save()
        campaign.towns.set(towns)
    if milestones is None:
        milestones = [
            (str(label), add_months(start_date, months), major)
            for months, label, major in DEFAULT_MILESTONES
        ]
    set_milestones(campaign, acting_user=None, milestones=milestones)
    return campaign


@transaction.atomic
def update_campaign(
    campaign: Campaign,
    *,
    acting_user: Any,
    name: str,
    start_date: dt.date,
    towns: Iterable[Region] = (),
    categories: Iterable[str] = (),
    description: str = "",
) -> Campaign:
    """Change a campaign's name, scope or start (its milestones are kept)."""
    if acting_user is not None:
        require_visible(Campaign, campaign.pk, acting_user)
        if not may_run_campaigns(acting_user):
            raise PermissionDenied(_("Your role may not organize campaigns."))
    towns, categories = list(towns), list(categories)
    if acting_user is not None:
        _validate(acting_user, name, start_date, towns, categories)
    campaign.name, campaign.description = name.strip(), description.strip()
    campaign.start_date, campaign.categories = start_date, categories
    with acting(acting_user):
        campaign.full_clean()
        campaign.save()
        campaign.towns.set(towns)
    return campaign


@transaction.atomic
def set_milestones(
    campaign: Campaign, *, acting_user: Any, milestones: Sequence[tuple[str, dt.date, bool]]
) -> list[Milestone]:
    """Replace the campaign's milestones: (name, due date, major hazards only) each."""
    if acting_user is not None:
        require_visible(Campaign, campaign.pk, acting_user)
        if not may_run_campaigns(acting_user):
            raise PermissionDenied(_("Your role may not organize campaigns."))
    errors = []
    for name, due_on, _major in milestones:
        if not str(name).strip():
            errors.append(_("Every milestone needs a name."))
        if due_on is None or due_on <= campaign.start_date:
            errors.append(
                _("Milestone %(name)s must fall after the campaign's start (%(start)s).")
                % {"name": name, "start": campaign.start_date.isoformat()}
            )
    if errors:
        raise ValidationError({"milestones": errors})
    campaign.milestones.all().delete()
    return [
        Milestone.objects.create(campaign=campaign, name=str(n).strip(), due_on=d, major_only=m)
        for n, d, m in milestones
    ]


# --- progress ---------------------------------------------------------------------------------


def campaign_hazards(campaign: Campaign, user: Any) -> Any:
    """The hazards in the campaign's scope that `user` may see: found since the start."""
    start = timezone.make_aware(dt.datetime.combine(campaign.start_date, dt.time.min))
    qs = Hazard.objects.visible_to(user).filter(found_at__gte=start).exclude(state=HazardState.VOID)
    if campaign.categories:
        qs = qs.filter(category__in=campaign.categories)
    town_ids = [t.pk for t in campaign.towns.all()]
    if town_ids:
        qs = qs.filter(building__region__town__in=town_ids)
    return qs


@dataclass
class ProgressRow:
    town: str
    category: str
    total: int = 0
    closed: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def percent_closed(self) -> float | None:
        return round(100 * self.closed / self.total, 1) if self.total else None


@dataclass
class Progress:
    rows: list[ProgressRow] = field(default_factory=list)
    by_town: list[ProgressRow] = field(default_factory=list)
    total: ProgressRow = field(default_factory=lambda: ProgressRow(_("total"), ""))


def progress(campaign: Campaign, user: Any, on: dt.date | None = None) -> Progress:
    """Hazards found since the start per town and category: total, closed, open, overdue."""
    today = on or timezone.localdate()
    open_q = Q(state__in=OPEN_STATES)
    counted = (
        campaign_hazards(campaign, user)
        .values("building__region__town__name", "category")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(state=HazardState.CLOSED)),
            open=Count("id", filter=open_q),
            overdue=Count("id", filter=open_q & Q(deadline__lt=today)),
        )
        .order_by("building__region__town__name", "category")
    )
    labels = dict(HazardCategory.choices)
    result = Progress()
    towns: dict[str, ProgressRow] = {}
    for row in counted:
        town = row["building__region__town__name"] or _("(no town)")
        item = ProgressRow(
            town,
            str(labels.get(row["category"], row["category"])),
            row["total"],
            row["closed"],
            row["open"],
            row["overdue"],
        )
        result.rows.append(item)
        for acc in (towns.setdefault(town, ProgressRow(town, _("all categories"))), result.total):
            acc.total += item.total
            acc.closed += item.closed
            acc.open += item.open
            acc.overdue += item.overdue
    result.by_town = list(towns.values())
    return result


def open_against(milestone: Milestone, user: Any) -> Any:
    """Hazards still open that the milestone expects closed: found from the start to its date."""
    end = timezone.make_aware(dt.datetime.combine(milestone.due_on, dt.time.max))
    qs = campaign_hazards(milestone.campaign, user).filter(state__in=OPEN_STATES, found_at__lte=end)
    if milestone.major_only:
        qs = qs.filter(severity=Severity.MAJOR)
    return qs.select_related("building", "building__region__town").order_by("deadline", "pk")
