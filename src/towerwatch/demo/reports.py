"""Demo public reports and one running campaign (issue 4 §7–8), written through the actions.

Deterministic: buildings are picked by code with the loader's random generator, ticket codes
come from it too, and times are relative to :data:`REFERENCE_DATE`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from towerwatch.buildings.models import Building
from towerwatch.hazards import campaigns, reports
from towerwatch.hazards.models import PublicReport, ReportThrottle

from .tables import REFERENCE_DATE

#: (category, description, phone, hours before the reference date, decision, reply)
REPORTS = (
    (
        "exit_blocked",
        "3单元一楼安全出口被电动车和纸箱堵住，推不开。",
        "13983001234",
        30,
        "valid",
        "已责令物业当日清理，后续复查。",
    ),
    ("ebike", "地下车库入口旁有人拉飞线给电动车充电。", "", 80, "valid", ""),
    ("fire_lane", "小区东门消防车道晚上停满私家车。", "13508302211", 20, "new", ""),
    ("fire_system", "18楼消火栓箱里没有水带，玻璃也碎了。", "", 200, "new", ""),
    (
        "other",
        "楼下烧烤店油烟太大。",
        "",
        150,
        "invalid",
        "经核查，油烟问题不属于消防隐患，已转交生态环境部门。",
    ),
    ("exit_blocked", "安全出口又被堵了，和上周一样。", "", 10, "duplicate", ""),
)


def _ticket(rng: random.Random) -> str:
    return "".join(rng.choice(reports.TICKET_ALPHABET) for _i in range(reports.TICKET_LENGTH))


def load_reports_and_campaign(rng: random.Random) -> dict[str, Any]:
    """Six public reports in the town persona's street (one per outcome) and one campaign."""
    users = get_user_model().objects.select_related("active_membership__organization__region")
    town_user = users.filter(username="town").first()
    detachment = users.filter(username="detachment").first()
    if town_user is None or detachment is None:
        return {"public_reports": 0, "campaigns": 0}
    ReportThrottle.objects.all().delete()  # the demo's senders start with empty counters
    town = town_user.active_membership.organization.region
    buildings = list(
        Building.objects.filter(region__path__startswith=town.path).order_by("code")[:40]
    )
    reference = timezone.make_aware(dt.datetime.combine(REFERENCE_DATE, dt.time(9)))
    made = []
    first_hazard = None
    for i, (category, text, phone, hours, decision, reply) in enumerate(REPORTS):
        building = rng.choice(buildings) if buildings and i != 3 else None
        if decision == "duplicate" and made:
            building = made[0].building
        report = reports.submit_report(
            category=category,
            description=text,
            building=building,
            town=town if building is None else None,
            address="" if building else f"{town.name}滨江路 {rng.randint(1, 200)} 号附近",
            phone=phone,
            received_at=reference - dt.timedelta(hours=hours),
        )
        PublicReport.objects.filter(pk=report.pk).update(ticket=_ticket(rng))
        report.refresh_from_db()
        if decision == "valid" and report.building:
            hazard = reports.accept_report(
                report, acting_user=town_user, title=report.get_category_display()
            )
            first_hazard = first_hazard or hazard
        elif decision == "duplicate" and first_hazard is not None:
            reports.mark_duplicate(report, acting_user=town_user, hazard=first_hazard)
        elif decision == "invalid":
            reports.reject_report(report, acting_user=town_user, reason=reply)
        if reply:
            reports.reply_to_reporter(report, acting_user=town_user, reply=reply)
        made.append(report)
    valid = next((r for r in made if r.state == "valid"), None)
    if valid is not None:
        reports.record_reward(
            valid,
            acting_user=town_user,
            amount_yuan="200",
            approved_on=timezone.localdate(valid.received_at) + dt.timedelta(days=2),
        )
    campaigns.create_campaign(
        acting_user=detachment,
        name="高层建筑消防安全专项整治（大排查大整治大执法）",
        description="三年行动计划任务15：3个月消除重点隐患、半年见到成效、1年基本解决突出问题。",
        start_date=REFERENCE_DATE - dt.timedelta(days=120),
        categories=["fire_lane", "exit_blocked", "ebike", "fire_system"],
    )
    return {"public_reports": len(made), "campaigns": 1}
