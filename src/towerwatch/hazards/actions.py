"""Writes of the hazard loop. Each is one transaction and leaves a timeline step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.buildings.choices import ResponsibilityRole as R
from towerwatch.core.actions import acting, require_visible
from towerwatch.core.models import Counter
from towerwatch.notifications.actions import tell_users
from towerwatch.rules.ruleset import RuleSet

from . import notify
from .choices import (
    OPEN_STATES,
    HazardCategory,
    HazardSource,
    HazardState,
    PhotoStage,
    Severity,
    StepKind,
)
from .deadlines import default_deadline
from .models import (
    EnforcementCase,
    EnforcementState,
    EnforcementStep,
    Hazard,
    HazardPhoto,
    HazardStep,
    MajorAssessment,
    PartyKind,
    Referral,
    Verdict,
)
from .validators import validate_photo
from .workflow import TRANSITIONS, may_manage

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


# --- the rectification loop -------------------------------------------------------------------

S = HazardState


def _validate_photos(photos: list[Any]) -> str:
    problems = []
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            problems.extend(exc.messages)
    return " ".join(problems)


def _on_commit_notify(level_or_users: Any, hazard: Hazard, text: str) -> None:
    url = hazard.get_absolute_url()
    if isinstance(level_or_users, str):
        transaction.on_commit(lambda: notify.notify_level(level_or_users, hazard, text))
    else:
        ids = set(level_or_users)
        transaction.on_commit(lambda: tell_users(ids, text, url))


@transaction.atomic
def transition(
    hazard: Hazard,
    new_state: str,
    *,
    acting_user: Any,
    note: str = "",
    photos: Iterable[UploadedFile] = (),
    assignee: Any = None,
) -> Hazard:
    """Move `hazard` to `new_state` if the table allows it for `acting_user`.

    Submitting needs evidence (photos and/or a note) and schedules the re-inspection; rejecting
    and voiding need a reason. The update is a compare-and-swap on the state: if someone else
    moved the hazard first, this one is refused and nothing is written.
    """
    if acting_user is not None:
        require_visible(Hazard, hazard.pk, acting_user)
    old = hazard.state
    rule = TRANSITIONS.get((old, new_state))
    if rule is None:
        raise ValidationError(
            _("A hazard in state “%(old)s” cannot become “%(new)s”.")
            % {
                "old": S(old).label,
                "new": S(new_state).label if new_state in S.values else new_state,
            }
        )
    if acting_user is not None and not rule.may(acting_user, hazard):
        raise PermissionDenied(
            _("Your organization or role may not %(verb)s this hazard.") % {"verb": rule.verb}
        )
    note = note.strip()
    photos = list(photos)
    errors: dict[str, str] = {}
    if rule.needs_note and not note:
        errors["note"] = (
            _("Say why the rectification is rejected.")
            if new_state == S.RECTIFYING
            else _(
                "Say why the hazard is void (a duplicate of which hazard, or why it is invalid)."
            )
        )
    if rule.needs_evidence and not photos and not note:
        errors["photos"] = _("Attach photos of the rectified hazard or describe what was done.")
    if photos:
        problem = _validate_photos(photos)
        if problem:
            errors["photos"] = problem
    if assignee is not None and new_state != S.ASSIGNED:
        errors["assignee"] = _("A unit is named only when the hazard is assigned.")
    if new_state == S.ASSIGNED and assignee is None and hazard.responsible_org_id is None:
        errors["assignee"] = _(
            "The building's responsibility chain names no unit; name the unit that must rectify it."
        )
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    fields: dict[str, Any] = {"state": new_state, "updated_at": now}
    data: dict[str, Any] = {}
    if new_state == S.ASSIGNED:
        fields["assigned_at"] = now
        if assignee is not None:
            fields["responsible_org"] = assignee
            data["assignee"] = {"id": assignee.pk, "name": assignee.name}
    elif new_state == S.SUBMITTED:
        rules = RuleSet.current(timezone.localdate(now))
        days = rules.rule("hazards.reinspection_days")
        fields["submitted_at"] = now
        fields["reinspect_by"] = timezone.localdate(now) + dt.timedelta(days=int(days.value or 0))
        data["reinspect_by"] = fields["reinspect_by"].isoformat()
        data["reinspect_rule"] = days.citation
    elif old == S.SUBMITTED and new_state == S.RECTIFYING:
        fields["reinspect_by"] = None
        data["rejected"] = True
    elif new_state in (S.CLOSED, S.VOID):
        fields["closed_at"] = now
        if new_state == S.CLOSED:
            data["reinspection"] = True
            data["on_time"] = timezone.localdate(now) <= hazard.deadline
    won = Hazard.objects.filter(pk=hazard.pk, state=old).update(**fields)
    if won != 1:
        raise ValidationError(_("Someone else changed this hazard first; reload it and try again."))
    for name, value in fields.items():
        setattr(hazard, name, value)
    stored = [
        HazardPhoto.objects.create(
            hazard=hazard, stage=PhotoStage.EVIDENCE, image=p, uploaded_by=acting_user
        )
        for p in photos
    ]
    if stored:
        data["photos"] = [p.pk for p in stored]
    HazardStep.objects.create(
        hazard=hazard,
        at=now,
        kind=StepKind.TRANSITION,
        actor=acting_user,
        old_state=old,
        new_state=new_state,
        note=note,
        data=data,
    )
    _tell_about_transition(hazard, old, new_state, acting_user)
    return hazard


def _tell_about_transition(hazard: Hazard, old: str, new: str, acting_user: Any) -> None:
    subject = {"code": hazard.code, "title": hazard.title, "building": hazard.building.name}
    if new == S.ASSIGNED:
        text = _("Hazard %(code)s at %(building)s is assigned to your unit: %(title)s") % subject
        _on_commit_notify("unit", hazard, text)
    elif new == S.SUBMITTED:
        text = (
            _("Rectification of hazard %(code)s at %(building)s was submitted for acceptance")
            % subject
        )
        assigners = (
            HazardStep.objects.filter(hazard=hazard, kind=StepKind.TRANSITION, new_state=S.ASSIGNED)
            .exclude(actor=None)
            .values_list("actor_id", flat=True)
        )
        _on_commit_notify(set(assigners), hazard, text)
        _on_commit_notify("town", hazard, text)
    elif old == S.SUBMITTED and new == S.RECTIFYING:
        text = _("Rectification of hazard %(code)s at %(building)s was rejected") % subject
        _on_commit_notify("unit", hazard, text)
    elif new in (S.CLOSED, S.VOID):
        text = (
            _("Hazard %(code)s at %(building)s was accepted and closed")
            if new == S.CLOSED
            else _("Hazard %(code)s at %(building)s was voided")
        ) % subject
        _on_commit_notify("unit", hazard, text)


@transaction.atomic
def change_deadline(hazard: Hazard, *, acting_user: Any, deadline: dt.date, reason: str) -> Hazard:
    """Set a new deadline (public bodies of the loop only); needs a reason, never in the past.

    Reminders and escalation start again from the new deadline.
    """
    if acting_user is not None:
        require_visible(Hazard, hazard.pk, acting_user)
        if not may_manage(acting_user, hazard):
            raise PermissionDenied(
                _("Your organization or role may not change this hazard's deadline.")
            )
    reason = reason.strip()
    errors: dict[str, str] = {}
    if hazard.state not in OPEN_STATES:
        errors["deadline"] = _("The hazard is no longer open.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    elif deadline == hazard.deadline:
        errors["deadline"] = _("The deadline is already %(date)s.") % {"date": deadline.isoformat()}
    if not reason:
        errors["reason"] = _("Say why the deadline changes.")
    if errors:
        raise ValidationError(errors)
    old = hazard.deadline
    won = Hazard.objects.filter(pk=hazard.pk, deadline=old, state__in=OPEN_STATES).update(
        deadline=deadline,
        deadline_reason=reason[:200],
        escalation_level=0,
        reminded_at=None,
        updated_at=timezone.now(),
    )
    if won != 1:
        raise ValidationError(_("Someone else changed this hazard first; reload it and try again."))
    hazard.deadline, hazard.deadline_reason = deadline, reason[:200]
    hazard.escalation_level, hazard.reminded_at = 0, None
    HazardStep.objects.create(
        hazard=hazard,
        kind=StepKind.DEADLINE,
        actor=acting_user,
        note=reason,
        data={"old": old.isoformat(), "new": deadline.isoformat()},
    )
    text = _("The deadline of hazard %(code)s is now %(date)s") % {
        "code": hazard.code,
        "date": deadline.isoformat(),
    }
    _on_commit_notify("unit", hazard, text)
    return hazard


@transaction.atomic
def add_comment(hazard: Hazard, *, acting_user: Any, note: str) -> HazardStep:
    """A note on the timeline from anyone who sees the hazard (viewers only read)."""
    from towerwatch.accounts.choices import Role
    from towerwatch.accounts.scope import scope_for

    require_visible(Hazard, hazard.pk, acting_user)
    scope = scope_for(acting_user)
    if scope is None or (scope.role == Role.VIEWER and not scope.is_superuser):
        raise PermissionDenied(_("Viewers may not comment."))
    if not note.strip():
        raise ValidationError({"note": _("Write the comment.")})
    return HazardStep.objects.create(
        hazard=hazard, kind=StepKind.COMMENT, actor=acting_user, note=note.strip()
    )


# --- referral (抄告) ----------------------------------------------------------------------------


@transaction.atomic
def refer(
    hazard: Hazard,
    *,
    acting_user: Any,
    departments: Iterable[Any],
    note: str,
    reply_by: dt.date,
) -> list[Referral]:
    """Refer `hazard` to industry departments (抄告); each answers by `reply_by`."""
    from towerwatch.accounts.scope import scope_for
    from towerwatch.organizations.choices import OrganizationKind as K

    if acting_user is not None:
        require_visible(Hazard, hazard.pk, acting_user)
        scope = scope_for(acting_user)
        if not may_manage(acting_user, hazard) or (scope and scope.kind == K.DEPARTMENT):
            raise PermissionDenied(_("Your organization or role may not refer hazards."))
    departments = list(departments)
    errors: dict[str, str] = {}
    if not departments:
        errors["departments"] = _("Choose at least one department.")
    wrong = [d.name for d in departments if d.kind != K.DEPARTMENT]
    if wrong:
        errors["departments"] = _("Not an industry department: %(names)s.") % {
            "names": "、".join(wrong)
        }
    pending = list(
        Referral.objects.pending()
        .filter(hazard=hazard, department__in=departments)
        .values_list("department__name", flat=True)
    )
    if pending:
        errors["departments"] = _("Already referred and not yet answered: %(names)s.") % {
            "names": "、".join(pending)
        }
    if not note.strip():
        errors["note"] = _("Say what the department is asked to do.")
    if reply_by is None or reply_by < timezone.localdate():
        errors["reply_by"] = _("The reply deadline cannot be in the past.")
    if hazard.state not in OPEN_STATES:
        errors["__all__"] = _("The hazard is no longer open.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    made = [
        Referral.objects.create(
            hazard=hazard,
            department=d,
            note=note.strip(),
            reply_by=reply_by,
            referred_at=now,
            referred_by=acting_user,
        )
        for d in departments
    ]
    HazardStep.objects.create(
        hazard=hazard,
        at=now,
        kind=StepKind.REFERRAL,
        actor=acting_user,
        note=note.strip(),
        data={
            "departments": [{"id": d.pk, "name": d.name} for d in departments],
            "reply_by": reply_by.isoformat(),
        },
    )
    text = _(
        "Hazard %(code)s at %(building)s was referred to your department; reply by %(date)s"
    ) % {
        "code": hazard.code,
        "building": hazard.building.name,
        "date": reply_by.isoformat(),
    }
    _on_commit_notify(notify.org_members([d.pk for d in departments]), hazard, text)
    return made


@transaction.atomic
def answer_referral(referral: Referral, *, acting_user: Any, answer: str) -> Referral:
    """The department's answer to a referral (once; its editors only)."""
    from towerwatch.accounts.choices import EDITING_ROLES
    from towerwatch.accounts.scope import scope_for

    if acting_user is not None:
        require_visible(Referral, referral.pk, acting_user)
        scope = scope_for(acting_user)
        if scope is None or not (
            scope.is_superuser
            or (scope.organization_id == referral.department_id and scope.role in EDITING_ROLES)
        ):
            raise PermissionDenied(_("Only the department it was referred to may answer."))
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer.")})
    now = timezone.now()
    won = Referral.objects.filter(pk=referral.pk, answered_at__isnull=True).update(
        answer=answer.strip(), answered_at=now, answered_by=acting_user
    )
    if won != 1:
        raise ValidationError(_("This referral has already been answered."))
    referral.answer, referral.answered_at, referral.answered_by = answer.strip(), now, acting_user
    HazardStep.objects.create(
        hazard_id=referral.hazard_id,
        at=now,
        kind=StepKind.REFERRAL,
        actor=acting_user,
        note=answer.strip(),
        data={
            "answer_from": {"id": referral.department_id, "name": referral.department.name},
            "on_time": timezone.localdate(now) <= referral.reply_by,
        },
    )
    hazard = referral.hazard
    text = _("%(department)s answered the referral of hazard %(code)s") % {
        "department": referral.department.name,
        "code": hazard.code,
    }
    if referral.referred_by_id:
        _on_commit_notify({referral.referred_by_id}, hazard, text)
    return referral


# --- joint enforcement --------------------------------------------------------------------------


def legal_bases(rules: RuleSet | None = None) -> list[Any]:
    """The rule-set entries an enforcement case may cite (keys `enforcement.*`)."""
    rules = rules or RuleSet.current()
    return sorted(
        (r for key, r in rules._rules.items() if key.startswith("enforcement.")),
        key=lambda r: r.key,
    )


def fine_range(rule: Any, party_kind: str) -> tuple[int, int] | None:
    """The legal fine range of `rule` for a party kind (Art. 60 has one range for every unit)."""
    ranges = (rule.value or {}).get("ranges", {})
    if party_kind in ranges:
        low, high = ranges[party_kind]
    elif party_kind != PartyKind.INDIVIDUAL and "unit" in ranges:
        low, high = ranges["unit"]
    else:
        return None
    return int(low), int(high)


def may_enforce(user: Any) -> bool:
    from towerwatch.accounts.choices import EDITING_ROLES
    from towerwatch.accounts.scope import scope_for

    scope = scope_for(user)
    return bool(
        scope and (scope.is_superuser or (scope.is_public_body and scope.role in EDITING_ROLES))
    )


@transaction.atomic
def open_enforcement(
    *,
    acting_user: Any,
    building: Any,
    hazard: Hazard | None = None,
    legal_basis_rule: str,
    order_text: str,
    fine_yuan: int | None,
    is_business: bool,
    is_individual: bool = False,
    party: Any = None,
    party_name: str = "",
    departments: Iterable[Any] = (),
    follow_up: str = "",
    follow_up_due: dt.date | None = None,
) -> EnforcementCase:
    """Open an enforcement case: legal basis from the rule set, the order, a fine in its range."""
    from towerwatch.accounts.scope import scope_for
    from towerwatch.organizations.choices import OrganizationKind as K

    if acting_user is not None:
        require_visible(type(building), building.pk, acting_user)
        if not may_enforce(acting_user):
            raise PermissionDenied(_("Your organization or role may not open enforcement cases."))
    rules = RuleSet.current()
    departments = list(departments)
    scope = scope_for(acting_user) if acting_user is not None else None
    if (
        scope
        and scope.kind == K.DEPARTMENT
        and scope.organization_id is not None
        and scope.organization_id not in {d.pk for d in departments}
    ):
        from towerwatch.organizations.models import Organization

        departments.append(Organization.objects.get(pk=scope.organization_id))
    party_kind = (
        PartyKind.INDIVIDUAL
        if is_individual
        else (PartyKind.BUSINESS if is_business else PartyKind.NON_BUSINESS)
    )
    errors: dict[str, str] = {}
    bases = {r.key: r for r in legal_bases(rules)}
    rule = bases.get(legal_basis_rule)
    low_high: tuple[int, int] | None = None
    if rule is None:
        errors["legal_basis_rule"] = _("Choose the legal basis from the rule set: %(choices)s.") % {
            "choices": "; ".join(r.citation for r in bases.values())
        }
    else:
        low_high = fine_range(rule, party_kind)
        if fine_yuan is not None:
            if low_high is None:
                errors["fine_yuan"] = _("%(citation)s sets no fine for %(party)s.") % {
                    "citation": rule.citation,
                    "party": PartyKind(party_kind).label,
                }
            elif not low_high[0] <= fine_yuan <= low_high[1]:
                errors["fine_yuan"] = _(
                    "A fine of %(fine)s yuan is outside the legal range of %(low)s–%(high)s yuan "
                    "that %(citation)s sets for %(party)s."
                ) % {
                    "fine": fine_yuan,
                    "low": low_high[0],
                    "high": low_high[1],
                    "citation": rule.citation,
                    "party": PartyKind(party_kind).label,
                }
    if not order_text.strip():
        errors["order_text"] = _("Write the order (what must be corrected, by when).")
    if hazard is not None and hazard.building_id != building.pk:
        errors["hazard"] = _("The hazard is in another building.")
    wrong = [d.name for d in departments if d.kind != K.DEPARTMENT]
    if wrong:
        errors["departments"] = _("Not an industry department: %(names)s.") % {
            "names": "、".join(wrong)
        }
    if party is None and not party_name.strip():
        errors["party"] = _("Name the party (a unit or a person).")
    if follow_up_due is not None and follow_up_due < timezone.localdate():
        errors["follow_up_due"] = _("The follow-up date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    assert rule is not None
    year = timezone.localdate().year
    case = EnforcementCase(
        code=f"ZF{year}-{Counter.next(f'enforcement-{year}'):06d}",
        building=building,
        hazard=hazard,
        party=party,
        party_name=party_name.strip() or (party.name if party else ""),
        party_kind=party_kind,
        legal_basis_rule=rule.key,
        legal_basis_citation=rule.citation,
        legal_basis_confidence=rule.confidence,
        order_text=order_text.strip(),
        fine_yuan=fine_yuan,
        fine_min_yuan=low_high[0] if low_high else None,
        fine_max_yuan=low_high[1] if low_high else None,
        opened_by=acting_user,
    )
    with acting(acting_user):
        case.full_clean()
        case.save()
        case.departments.set(departments)
    actor_org = scope.organization_id if scope else None
    EnforcementStep.objects.create(
        case=case, actor=acting_user, organization_id=actor_org, note=order_text.strip()
    )
    if follow_up.strip():
        EnforcementStep.objects.create(
            case=case,
            actor=acting_user,
            organization_id=actor_org,
            note=follow_up.strip(),
            due=follow_up_due,
        )
    if hazard is not None:
        HazardStep.objects.create(
            hazard=hazard,
            kind=StepKind.ENFORCEMENT,
            actor=acting_user,
            note=order_text.strip(),
            data={"case": case.code, "legal_basis": rule.citation, "fine_yuan": fine_yuan},
        )
    return case


@transaction.atomic
def join_enforcement(case: EnforcementCase, *, acting_user: Any, note: str = "") -> EnforcementCase:
    """A department joins a case on a building it supervises or a hazard referred to it."""
    from towerwatch.accounts.choices import EDITING_ROLES
    from towerwatch.accounts.scope import scope_for
    from towerwatch.organizations.choices import OrganizationKind as K

    scope = scope_for(acting_user)
    if (
        scope is None
        or scope.organization_id is None
        or scope.kind != K.DEPARTMENT
        or scope.role not in EDITING_ROLES
    ):
        raise PermissionDenied(_("Only an industry department's editors may join a case."))
    org_id: int = scope.organization_id
    referred = (
        case.hazard_id is not None
        and Referral.objects.filter(
            hazard_id=case.hazard_id, department_id=scope.organization_id
        ).exists()
    )
    if not referred:
        require_visible(EnforcementCase, case.pk, acting_user)
    if case.state != EnforcementState.OPEN:
        raise ValidationError(_("The case is closed."))
    if case.departments.filter(pk=org_id).exists():
        raise ValidationError(_("Your department already takes part in this case."))
    case.departments.add(org_id)
    EnforcementStep.objects.create(
        case=case,
        actor=acting_user,
        organization_id=scope.organization_id,
        note=note.strip()
        or _("%(department)s joined the case.") % {"department": scope.organization_name},
    )
    return case


@transaction.atomic
def add_enforcement_step(
    case: EnforcementCase,
    *,
    acting_user: Any,
    note: str,
    due: dt.date | None = None,
    close: bool = False,
) -> EnforcementStep:
    """A follow-up step (order served, re-check, fine paid ...); `close=True` closes the case."""
    from towerwatch.accounts.scope import scope_for

    require_visible(EnforcementCase, case.pk, acting_user)
    if not may_enforce(acting_user):
        raise PermissionDenied(_("Your organization or role may not work on enforcement cases."))
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = _("Describe the step.")
    if due is not None and due < timezone.localdate():
        errors["due"] = _("The due date cannot be in the past.")
    if case.state != EnforcementState.OPEN:
        errors["__all__"] = _("The case is closed.")
    if errors:
        raise ValidationError(errors)
    scope = scope_for(acting_user)
    step = EnforcementStep.objects.create(
        case=case,
        actor=acting_user,
        organization_id=scope.organization_id if scope else None,
        note=note.strip(),
        due=due,
    )
    if close:
        case.state, case.closed_at = EnforcementState.CLOSED, timezone.now()
        with acting(acting_user):
            case.save(update_fields=["state", "closed_at", "updated_at"])
    return step


# --- major hazard assessment (GB 35181) ----------------------------------------------------------


def major_catalogue(on: dt.date | None = None) -> Any:
    """The GB 35181 element catalogue in force on a date (rule `hazards.major_hazard_elements`)."""
    return RuleSet.current(on).rule("hazards.major_hazard_elements")


def judge(
    catalogue: dict[str, Any], site_type: str, codes: list[str]
) -> tuple[str, list[str], int, int | None]:
    """The rules' verdict: (verdict, direct elements found, comprehensive count, threshold)."""
    direct = [e["code"] for e in catalogue["direct"]["elements"]]
    comprehensive = [e["code"] for e in catalogue["comprehensive"]["elements"]]
    found_direct = [c for c in codes if c in direct]
    found_comp = [c for c in codes if c in comprehensive]
    if found_direct:
        verdict = Verdict.MAJOR
    else:
        verdict = Verdict.NOT_MAJOR
    thresholds: list[int] = []
    undetermined = False
    best_count = len(found_comp)
    for counting in catalogue.get("counting", []):
        if site_type not in counting["site_types"]:
            continue
        pool = comprehensive if counting["counted_from"] == "all" else counting["counted_from"]
        counted = len([c for c in found_comp if c in pool])
        minimum = counting.get("min_elements")
        if minimum is None:
            undetermined = undetermined or counted > 0
            continue
        thresholds.append(int(minimum))
        if counted >= int(minimum):
            verdict = Verdict.MAJOR
            best_count = counted
    if verdict != Verdict.MAJOR and undetermined:
        verdict = Verdict.UNDETERMINED
    return verdict, found_direct, best_count, (min(thresholds) if thresholds else None)


@transaction.atomic
def assess_major(
    hazard: Hazard,
    *,
    acting_user: Any,
    elements: Iterable[str],
    participants: Iterable[dict[str, str]],
    conclusion: str,
    site_type: str = "other",
    is_major: bool | None = None,
) -> MajorAssessment:
    """Record a GB 35181 assessment and set the hazard's severity from it.

    Any direct element makes a major hazard; comprehensive elements count against the site
    type's threshold. Where the edition in force leaves the threshold unconfirmed, the collective
    decision (`is_major`) decides. The decision needs at least the catalogue's minimum of
    participants (3), each with a name and a role.
    """
    require_visible(Hazard, hazard.pk, acting_user)
    if not may_manage(acting_user, hazard):
        raise PermissionDenied(_("Your organization or role may not assess major hazards."))
    rule = major_catalogue()
    catalogue = rule.value
    codes = list(dict.fromkeys(c.strip() for c in elements if c and c.strip()))
    people = [
        {"name": (p.get("name") or "").strip(), "role": (p.get("role") or "").strip()}
        for p in participants
    ]
    people = [p for p in people if p["name"] or p["role"]]
    errors: dict[str, str] = {}
    known = {e["code"] for part in ("direct", "comprehensive") for e in catalogue[part]["elements"]}
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["elements"] = _("Not elements of %(citation)s: %(codes)s.") % {
            "citation": f"{rule.standard}-{rule.edition}",
            "codes": ", ".join(unknown),
        }
    if site_type not in catalogue["site_types"]:
        errors["site_type"] = _("Choose a site type of %(citation)s: %(types)s.") % {
            "citation": f"{rule.standard}-{rule.edition}",
            "types": ", ".join(catalogue["site_types"]),
        }
    minimum = int(catalogue.get("min_participants", 3))
    if any(not p["name"] or not p["role"] for p in people):
        errors["participants"] = _("Give every participant's name and role.")
    elif len({p["name"] for p in people}) < minimum:
        errors["participants"] = _(
            "A major hazard is decided collectively by at least %(min)s people; %(count)s named."
        ) % {"min": minimum, "count": len({p["name"] for p in people})}
    if not conclusion.strip():
        errors["conclusion"] = _("Write the collective conclusion.")
    if errors:
        raise ValidationError(errors)
    verdict, direct, count, threshold = judge(catalogue, site_type, codes)
    if is_major is None:
        if verdict == Verdict.UNDETERMINED:
            raise ValidationError(
                {
                    "is_major": _(
                        "The counting threshold of %(citation)s is unconfirmed; record the "
                        "collective decision (major or not)."
                    )
                    % {"citation": f"{rule.standard}-{rule.edition}"}
                }
            )
        is_major = verdict == Verdict.MAJOR
    assessment = MajorAssessment.objects.create(
        hazard=hazard,
        standard=rule.standard,
        edition=rule.edition,
        rule_key=rule.key,
        confidence=rule.confidence,
        site_type=site_type,
        elements=codes,
        direct_elements=direct,
        comprehensive_count=count,
        threshold=threshold,
        verdict=verdict,
        is_major=is_major,
        conclusion=conclusion.strip(),
        participants=people,
        assessed_by=acting_user,
    )
    severity = Severity.MAJOR if is_major else Severity.GENERAL
    data: dict[str, Any] = {
        "assessment": assessment.pk,
        "citation": f"{rule.standard}-{rule.edition}",
        "confidence": rule.confidence,
        "verdict": verdict,
        "is_major": is_major,
        "elements": codes,
    }
    if severity != hazard.severity:
        hazard.severity = severity
        fields = ["severity", "updated_at"]
        if not hazard.deadline_reason and hazard.is_open:
            default = default_deadline(
                hazard.category, severity, timezone.localdate(hazard.found_at)
            )
            data["deadline"] = {"old": hazard.deadline.isoformat(), "new": default.date.isoformat()}
            hazard.deadline, hazard.deadline_rule = default.date, default.rule_key
            hazard.escalation_level, hazard.reminded_at = 0, None
            fields += ["deadline", "deadline_rule", "escalation_level", "reminded_at"]
        with acting(acting_user):
            hazard.save(update_fields=fields)
        data["severity"] = severity
    HazardStep.objects.create(
        hazard=hazard,
        kind=StepKind.ASSESSMENT,
        actor=acting_user,
        note=conclusion.strip(),
        data=data,
    )
    return assessment


# --- monitoring case → hazard --------------------------------------------------------------------

#: Alarm-case kinds that become a hazard (a fire alarm stays an alarm case).
CASE_KINDS_TO_HAZARD = {
    "fault": HazardCategory.FIRE_SYSTEM,
    "supervisory": HazardCategory.FIRE_SYSTEM,
    "out_of_range": HazardCategory.FIRE_SYSTEM,
    "power_fault": HazardCategory.FIRE_SYSTEM,
    "disabled": HazardCategory.FIRE_SYSTEM,
}


@transaction.atomic
def hazard_from_case(case: Any, *, acting_user: Any) -> Hazard:
    """Open a hazard (source: monitoring) from a fault, supervisory or out-of-range alarm case."""
    from towerwatch.monitoring.models import AlarmCase

    if acting_user is not None:
        require_visible(AlarmCase, case.pk, acting_user)
    category = CASE_KINDS_TO_HAZARD.get(case.kind)
    if category is None:
        raise ValidationError(
            _(
                "A %(kind)s case is handled as an alarm case; only faults, supervisory signals and "
                "out-of-range readings become hazards."
            )
            % {"kind": case.get_kind_display()}
        )
    if case.building_id is None:
        raise ValidationError(_("Bind the device to its building before opening a hazard."))
    existing = Hazard.objects.filter(alarm_case=case, state__in=OPEN_STATES).first()
    if existing is not None:
        raise ValidationError(
            _("Hazard %(code)s is already open for this case.") % {"code": existing.code}
        )
    point = case.description or case.component_address
    return open_hazard(
        acting_user=acting_user,
        building=case.building,
        source=HazardSource.MONITORING,
        category=category,
        title=f"{case.get_kind_display()}: {point}"[:120],
        description=_("From alarm case %(case)s, opened %(at)s, %(count)s signal(s).")
        % {
            "case": case.pk,
            "at": timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
            "count": case.event_count,
        },
        location=case.component_address[:120],
        alarm_case=case,
        source_ref=f"case-{case.pk}",
    )


__all__ = [
    "HazardSource",
    "add_comment",
    "add_enforcement_step",
    "answer_referral",
    "assess_major",
    "change_deadline",
    "hazard_from_case",
    "join_enforcement",
    "open_enforcement",
    "open_hazard",
    "refer",
    "responsible_parties",
    "transition",
]
