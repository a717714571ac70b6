"""Reminders before a due date and escalation after it (registered in the worker's job loop)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.buildings.models import Building
from towerwatch.notifications.actions import (
    level_organizations,
    notify_building_chain,
    notify_organizations,
    tell_members,
)
from towerwatch.notifications.choices import MessageKind
from towerwatch.rules.ruleset import RuleSet

from .choices import Due, WorkKind
from .compliance import Schedule, compute
from .models import ScheduleNotice

log = logging.getLogger(__name__)

#: At most this many notices per run, so a first run over a large district spreads out.
BATCH = 500


def remind_and_escalate(now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Remind the responsible party of work due within the lead time; escalate overdue work.

    A reminder goes out when the due date is within the rule set's lead days
    (`inspections.reminder_lead_days`); an escalation once the work is overdue by
    `inspections.escalation_after_days`; and, still overdue after
    `inspections.town_escalation_after_days`, a second escalation to the town or platform
    government alone. Each is sent once per building, kind, due date and level.
    Returns the number of notices sent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    schedule = Schedule.from_rules(RuleSet.current(today))
    statuses = compute(Building.objects.all(), now=now, schedule=schedule)
    wanted: list[tuple[int, str, dt.date, str]] = []
    for status in statuses:
        for kind, cell in status.cells.items():
            lead = int(schedule.lead.get(kind, 0))
            if cell.state == Due.DUE_SOON and lead > 0:
                wanted.append((status.building_id, kind, cell.due, ScheduleNotice.Level.REMINDER))
            elif cell.state in (Due.OVERDUE, Due.NEVER):
                late = (today - cell.due).days
                if late >= int(schedule.escalate.get(kind, 0)):
                    wanted.append(
                        (status.building_id, kind, cell.due, ScheduleNotice.Level.ESCALATION)
                    )
                town_days = schedule.escalate_town.get(kind)
                if town_days is not None and late >= int(town_days):
                    wanted.append((status.building_id, kind, cell.due, ScheduleNotice.Level.TOWN))
    if not wanted:
        return 0
    # By date only: a list of building ids could pass SQLite's limit on query parameters.
    sent_before = set(
        ScheduleNotice.objects.filter(due_on__gte=min(w[2] for w in wanted)).values_list(
            "building_id", "kind", "due_on", "level"
        )
    )
    todo = [w for w in wanted if w not in sent_before][:limit]
    buildings = Building.objects.select_related("region").in_bulk({w[0] for w in todo})
    sent = 0
    for building_id, kind, due_on, level in todo:
        building = buildings[building_id]
        label = WorkKind(kind).label
        if level == ScheduleNotice.Level.REMINDER:
            text = _("%(kind)s at %(building)s is due on %(date)s.")
        elif level == ScheduleNotice.Level.TOWN:
            text = _(
                "Still overdue after %(days)s days: %(kind)s at %(building)s was due on "
                "%(date)s; the responsible party has been told."
            )
        else:
            text = _("Overdue: %(kind)s at %(building)s was due on %(date)s.")
        text = text % {
            "kind": label,
            "building": building.name,
            "date": due_on.isoformat(),
            "days": (today - due_on).days,
        }
        url = reverse("inspections:building_tab", args=[building_id])
        try:
            with transaction.atomic():
                notice = ScheduleNotice.objects.create(
                    building=building, kind=kind, due_on=due_on, level=level, sent_at=now
                )
                if level == ScheduleNotice.Level.TOWN:
                    notice.recipients = tell_town(building, text, url)
                else:
                    notice.recipients = notify_building_chain(building, text, url)
                notice.save(update_fields=["recipients"])
        except IntegrityError:  # another worker sent it first
            continue
        sent += 1
    return sent


def tell_town(building: Building, text: str, url: str) -> int:
    """The second escalation step: the government of the building's town or platform."""
    orgs = level_organizations("town", building)
    if not orgs:
        return 0
    notify_organizations(
        orgs,
        kind=MessageKind.NOTICE,
        title=_("Overdue inspection work"),
        text=text,
        url=url,
        building=building,
    )
    return tell_members(orgs, text, url)
