"""The demo district's hazards: found on patrols, inspections and supervision visits, spread
over the rectification loop (some overdue, some closed late), with their timelines.

Deterministic for a seed and a load day: draws come from their own `random.Random`, so adding
hazards changes none of the other demo rows. Dates count back from the day of loading (not
from `REFERENCE_DATE`), so "overdue" and "due this week" look live whenever the demo is
opened. Rows are bulk-inserted (no change log, as for the rest of the demo).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from towerwatch.buildings.choices import ResponsibilityRole as R
from towerwatch.core.models import Counter
from towerwatch.hazards.choices import HazardSource, HazardState, Severity, StepKind
from towerwatch.hazards.deadlines import default_deadline
from towerwatch.hazards.models import Hazard, HazardStep
from towerwatch.rules.ruleset import RuleSet

from .plan import LoaderBase
from .tables import BATCH

#: (category, weight, titles, locations)
HAZARD_KINDS: list[tuple[str, int, list[str], list[str]]] = [
    (
        "ebike",
        24,
        ["电动自行车在楼道内停放充电", "电动自行车进电梯入户", "电瓶在楼梯间充电"],
        ["一楼楼道", "电梯前室", "楼梯间"],
    ),
    (
        "fire_lane",
        16,
        ["消防车道被私家车占用", "消防车登高操作场地设置停车位", "消防车道设置固定隔离桩"],
        ["北侧消防车道", "登高场地", "小区主入口"],
    ),
    (
        "exit_blocked",
        14,
        ["安全出口堆放杂物", "常闭式防火门处于开启状态", "疏散通道被锁闭"],
        ["地下车库出口", "楼梯间防火门", "屋顶出口"],
    ),
    (
        "fire_system",
        18,
        [
            "火灾自动报警系统故障",
            "喷淋泵处于手动状态",
            "防排烟风机不能联动启动",
            "应急照明灯具损坏",
        ],
        ["消防控制室", "水泵房", "屋顶风机房", "楼梯间"],
    ),
    (
        "hydrant_no_water",
        8,
        ["室内消火栓无水", "消火栓箱内水带缺失", "水泵接合器被遮挡"],
        ["十五层消火栓", "地下室", "首层外墙"],
    ),
    (
        "electrical",
        9,
        ["电气线路私拉乱接", "配电箱周围堆放可燃物", "电缆井封堵不严"],
        ["强电井", "配电房", "地下室"],
    ),
    ("gas", 4, ["燃气管道穿越卧室", "底商燃气报警器失效"], ["底商厨房", "住户厨房"]),
    ("insulation", 3, ["外墙保温材料裸露", "外墙装饰层破损"], ["外立面", "裙楼顶"]),
    (
        "other",
        4,
        ["消防控制室值班人员无证上岗", "微型消防站器材缺失"],
        ["消防控制室", "微型消防站"],
    ),
]
SOURCES = [
    (HazardSource.PATROL, 35),
    (HazardSource.INSPECTION, 30),
    (HazardSource.SUPERVISION, 15),
    (HazardSource.MONITORING, 8),
    (HazardSource.UTILITY_CHECK, 5),
    (HazardSource.PUBLIC_REPORT, 7),
]
#: Share of hazards per building and the states an old or a new hazard tends to be in.
PER_BUILDING = 0.8
RESPONSIBLE_ORDER = (R.MANAGER, R.OWNER, R.OCCUPANT)
MEASURES = ["设置警示标志，专人值守", "已通知责任单位，限期清理", "临时关闭相关区域", ""]


class HazardLoader(LoaderBase):
    """Synthetic hazards for the planned buildings (run after `write_buildings`)."""

    def load_hazards(self) -> None:
        rng = random.Random(self.seed + 4)
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        today = timezone.localdate(now)
        rules = RuleSet.current(today)
        kinds = list(HAZARD_KINDS)
        kind_weights = [k[1] for k in kinds]
        sources, source_weights = zip(*SOURCES, strict=True)
        hazards: list[Hazard] = []
        journeys: list[list[tuple[str, dt.datetime]]] = []
        count = round(self.n * PER_BUILDING)
        for number in range(1, count + 1):
            plan = self.plans[rng.randrange(len(self.plans))]
            category, _w, titles, places = rng.choices(kinds, weights=kind_weights)[0]
            severity = Severity.MAJOR if rng.random() < 0.04 else Severity.GENERAL
            age = int(rng.triangular(0, 240, 10))
            found_at = now - dt.timedelta(days=age, hours=rng.randrange(0, 9))
            rule = default_deadline(category, severity, timezone.localdate(found_at), rules)
            steps = self._journey(rng, found_at, rule.date, age, now)
            state = steps[-1][0]
            org, person = _parties_of(plan.links)
            hazards.append(
                Hazard(
                    code=f"YH{found_at.year}-{number:06d}",
                    building_id=plan.building.pk,
                    source=rng.choices(sources, weights=source_weights)[0],
                    category=category,
                    severity=severity,
                    title=rng.choice(titles),
                    floor=str(rng.randint(1, max(1, plan.building.storeys_above))),
                    location=rng.choice(places),
                    interim_measures=rng.choice(MEASURES),
                    responsible_org=org,
                    responsible_person=person,
                    deadline=rule.date,
                    deadline_rule=rule.rule_key,
                    state=state,
                    found_at=found_at,
                    assigned_at=_at(steps, HazardState.ASSIGNED),
                    submitted_at=_at(steps, HazardState.SUBMITTED),
                    closed_at=_at(steps, HazardState.CLOSED) or _at(steps, HazardState.VOID),
                )
            )
            journeys.append(steps)
        Hazard.objects.bulk_create(hazards, batch_size=BATCH)
        rows: list[HazardStep] = []
        for hazard, steps in zip(hazards, journeys, strict=True):
            previous = ""
            for state, at in steps:
                rows.append(
                    HazardStep(
                        hazard_id=hazard.pk,
                        at=at,
                        kind=StepKind.FOUND if not previous else StepKind.TRANSITION,
                        old_state=previous,
                        new_state=state,
                        note=_note(state, hazard),
                    )
                )
                previous = state
        HazardStep.objects.bulk_create(rows, batch_size=BATCH)
        for year in {h.found_at.year for h in hazards}:
            Counter.objects.update_or_create(name=f"hazard-{year}", defaults={"value": count})
        self.counts["hazards"] = count
        self.counts["hazard_steps"] = len(rows)

    def _journey(
        self, rng: random.Random, found: dt.datetime, deadline: dt.date, age: int, now: dt.datetime
    ) -> list[tuple[str, dt.datetime]]:
        """The states a hazard went through, with times (never after `now`)."""
        steps = [(HazardState.OPEN, found)]
        # Older hazards are further along; a few stall (they are the overdue ones).
        if age > 45:  # most old hazards are closed; a few stall and are long overdue
            progress = 0.56 + 0.7 * rng.random()
        else:
            progress = min(1.0, age / 30) * (0.3 + 0.95 * rng.random())
        if rng.random() < 0.03:
            return [*steps, (HazardState.VOID, found + dt.timedelta(hours=20))]
        at = found
        for state, share, gap in (
            (HazardState.ASSIGNED, 0.08, (2, 30)),
            (HazardState.RECTIFYING, 0.2, (4, 72)),
            (HazardState.SUBMITTED, 0.45, (12, 24 * 12)),
            (HazardState.CLOSED, 0.6, (4, 24 * 5)),
        ):
            if progress < share:
                break
            nxt = at + dt.timedelta(hours=rng.randint(*gap))
            if nxt >= now:
                break
            at = nxt
            steps.append((state, at))
        return steps


def _at(steps: list[tuple[str, dt.datetime]], state: str) -> dt.datetime | None:
    return next((at for s, at in steps if s == state), None)


def _note(state: str, hazard: Hazard) -> str:
    return {
        HazardState.SUBMITTED: "已整改完毕，附整改照片",
        HazardState.CLOSED: "复查合格",
        HazardState.VOID: "重复录入",
    }.get(state, "")


def _parties_of(links: list[tuple[str, Any, Any]]) -> tuple[Any, Any]:
    by_role = {role: (org, person) for role, org, person in links}
    org = next((by_role[r][0] for r in RESPONSIBLE_ORDER if r in by_role and by_role[r][0]), None)
    person = (by_role.get(R.SAFETY_MANAGER) or by_role.get(R.RESPONSIBLE_PERSON) or (None, None))[1]
    return org, person
