"""Public hazard reports (群众举报, issue 4 §7): submission, throttling, triage and rewards.

Every write is one transaction. A report is validated completely (honeypot, fields, phone,
photos) before anything is written, and the sender's rate counters are taken by compare-and-swap
inside the same transaction: a refused report leaves no row behind, in any table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from towerwatch.accounts.scope import scope_for
from towerwatch.core.actions import acting
from towerwatch.organizations.choices import TOWN_LEVEL
from towerwatch.organizations.choices import OrganizationKind as K
from towerwatch.organizations.validators import normalize_phone
from towerwatch.rules.ruleset import RuleSet

from .actions import open_hazard
from .choices import HazardCategory, HazardSource, Severity, StepKind
from .models import (
    Hazard,
    HazardStep,
    PublicReport,
    PublicReportPhoto,
    ReportReward,
    ReportState,
    ReportThrottle,
)
from .validators import validate_photo

#: Ticket codes: 8 characters without look-alikes (0/O, 1/I/L): 31⁸ ≈ 8.5 × 10¹¹ codes.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_LENGTH = 8
TRIAGE_RULE = "hazards.report_triage"
REPLY_RULE = "hazards.report_reply_working_days"
#: Organizations whose working roles triage reports (the town of the building, or the fire service).
TRIAGERS = {
    K.FIRE_DETACHMENT,
    K.FIRE_BRIGADE,
    K.FIRE_STATION,
    K.TOWN_GOVERNMENT,
    K.PLATFORM_GOVERNMENT,
}
DESCRIPTION_MIN = 5
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooManyReports(ValidationError):
    """The sender (connection or phone number) has used up its reports for now."""


# --- submission -------------------------------------------------------------------------------


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _i in range(TICKET_LENGTH))


def normalize_ticket(value: str) -> str:
    """What a resident typed, as a ticket code: upper case, spaces and dashes dropped."""
    return re.sub(r"[\s-]", "", value or "").upper()


def parse_limits(text: str) -> list[tuple[int, int]]:
    """ "5/h,20/d" → [(5, 3600), (20, 86400)]; a bad entry is a configuration error."""
    limits = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", part)
        if not m:
            raise ValueError(f"bad report limit {part!r}: use count/period, e.g. 5/h")
        limits.append((int(m.group(1)), int(m.group(2) or 1) * PERIODS[m.group(3)]))
    return limits


def sender_key(kind: str, value: str) -> str:
    """A keyed hash of an IP address or phone number: counters never hold the value itself."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def client_ip(request: Any) -> str:
    header = settings.TOWERWATCH_REPORT_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() if value else "") or request.META.get("REMOTE_ADDR", "")


def _period_label(seconds: int) -> str:
    if seconds % 86400 == 0:
        n = seconds // 86400
        return ngettext("day", "%(n)d days", n) % {"n": n}
    if seconds % 3600 == 0:
        n = seconds // 3600
        return ngettext("hour", "%(n)d hours", n) % {"n": n}
    n = max(1, seconds // 60)
    return ngettext("minute", "%(n)d minutes", n) % {"n": n}


def _take(key: str, limits: Sequence[tuple[int, int]], now: dt.datetime, message: str) -> None:
    """Count one report against every window of `key`, or refuse when a window is full."""
    for count, period in limits:
        start = dt.datetime.fromtimestamp(int(now.timestamp()) // period * period, tz=dt.UTC)
        window_key = f"{key}/{period}"
        row, _created = ReportThrottle.objects.get_or_create(key=window_key, window_start=start)
        taken = ReportThrottle.objects.filter(pk=row.pk, count__lt=count).update(
            count=F("count") + 1
        )
        if taken != 1:
            raise TooManyReports(
                message % {"count": count, "period": _period_label(period)}, code="throttled"
            )
        ReportThrottle.objects.filter(
            key=window_key, window_start__lt=start - dt.timedelta(seconds=period)
        ).delete()


def add_working_days(day: dt.date, days: int) -> dt.date:
    """`days` working days after `day`, skipping Saturdays and Sundays (not public holidays)."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass(frozen=True)
class TriageTimes:
    triage_due: dt.datetime
    reply_due: dt.date
    urgent: bool
    citation: str


def triage_times(
    category: str, received_at: dt.datetime, rules: RuleSet | None = None
) -> TriageTimes:
    """When a report must be triaged and its reporter answered (rule set, UNCONFIRMED values)."""
    local = timezone.localtime(received_at)
    rules = rules or RuleSet.current(local.date())
    triage = rules.rule(TRIAGE_RULE)
    value: dict[str, Any] = triage.value or {}
    urgent = category in value.get("urgent_categories", [])
    if urgent:
        due = received_at + dt.timedelta(hours=float(value["urgent_hours"]))
    else:
        day = add_working_days(local.date(), int(value["default_working_days"]))
        due = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    reply = add_working_days(local.date(), int(rules.value(REPLY_RULE)))
    return TriageTimes(due, reply, urgent, triage.citation)


def _check_fields(
    *,
    category: str,
    description: str,
    building: Any,
    town: Any,
    address: str,
    phone: str,
    photos: list[Any],
) -> tuple[dict[str, list[str]], str]:
    errors: dict[str, list[str]] = {}
    if category not in HazardCategory.values:
        errors["category"] = [_("Choose what kind of hazard it is.")]
    if len(description) < DESCRIPTION_MIN:
        errors["description"] = [_("Describe what you saw and where, in a few words.")]
    elif len(description) > 2000:
        errors["description"] = [_("Keep the description under 2,000 characters.")]
    if building is None and not address:
        errors["address"] = [_("Say where it is: the address or a nearby landmark.")]
    elif len(address) > 200:
        errors["address"] = [_("Keep the address under 200 characters.")]
    if town is not None and town.kind not in TOWN_LEVEL:
        errors["town"] = [_("Choose a town, street or development platform.")]
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    limit = settings.TOWERWATCH_REPORT_MAX_PHOTOS
    if len(photos) > limit:
        errors["photos"] = [
            ngettext("Attach at most %(limit)d photo.", "Attach at most %(limit)d photos.", limit)
            % {"limit": limit}
        ]
    else:
        for photo in photos:
            try:
                validate_photo(photo)
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    return errors, phone


@transaction.atomic
def submit_report(
    *,
    category: str,
    description: str,
    building: Any = None,
    town: Any = None,
    address: str = "",
    phone: str = "",
    photos: Iterable[UploadedFile] = (),
    client_ip: str = "",
    honeypot: str = "",
    received_at: dt.datetime | None = None,
) -> PublicReport:
    """Record a resident's report and give it a ticket code; no login (acting user: none).

    Refused, with nothing written: a filled honeypot field, bad fields, a bad phone number, too
    many photos or a photo that is not an image or too large, and a sender over its rate limit
    (per connection and per phone number, `TOWERWATCH_REPORT_LIMIT_*`).
    """
    if honeypot:
        raise ValidationError(_("This report could not be accepted."), code="spam")
    description, address = description.strip(), address.strip()
    photos = list(photos)
    errors, phone = _check_fields(
        category=category,
        description=description,
        building=building,
        town=town,
        address=address,
        phone=phone,
        photos=photos,
    )
    if errors:
        raise ValidationError(errors)
    now = received_at or timezone.now()
    ip_key = sender_key("ip", client_ip) if client_ip else ""
    if ip_key:
        _take(
            f"ip:{ip_key}",
            parse_limits(settings.TOWERWATCH_REPORT_LIMIT_IP),
            now,
            _(
                "Too many reports from this connection: at most %(count)d a %(period)s. "
                "Please try again later; in an emergency call 119."
            ),
        )
    if phone:
        _take(
            f"phone:{sender_key('phone', phone)}",
            parse_limits(settings.TOWERWATCH_REPORT_LIMIT_PHONE),
            now,
            _(
                "Too many reports with this phone number: at most %(count)d a %(period)s. "
                "Please try again later; in an emergency call 119."
            ),
        )
    if building is not None:
        town = building.region.town
    times = triage_times(category, now)
    report = PublicReport(
        building=building,
        town=town,
        address=address,
        category=category,
        description=description,
        phone=phone,
        client_key=ip_key,
        received_at=now,
        triage_due=times.triage_due,
        triage_rule=times.citation,
        reply_due=times.reply_due,
    )
    with acting(None):
        report.full_clean(exclude=["ticket"])
        for _attempt in range(5):
            report.ticket = new_ticket()
            try:
                with transaction.atomic():
                    report.save()
                break
            except IntegrityError:  # a ticket already taken (1 in 10¹¹ per report): draw again
                report.pk = None
        else:
            raise RuntimeError("could not draw a free ticket code")
    for photo in photos:
        PublicReportPhoto.objects.create(report=report, image=photo, uploaded_at=now)
    return report


# --- triage -----------------------------------------------------------------------------------


def may_triage(user: Any) -> bool:
    """Working roles of the towns, platforms and fire service triage the reports they see."""
    scope = scope_for(user)
    return bool(scope and (scope.is_superuser or (scope.can_edit and scope.kind in TRIAGERS)))


def _require_triager(report: PublicReport, user: Any) -> None:
    if not PublicReport.objects.visible_to(user).filter(pk=report.pk).exists():
        raise Http404("outside your scope")
    if not may_triage(user):
        raise PermissionDenied(_("Your role may not triage public reports."))


def _require_new(report: PublicReport) -> None:
    if report.state != ReportState.NEW:
        raise ValidationError(
            _("This report was already triaged (%(state)s).")
            % {"state": report.get_state_display()}
        )


def _decided(report: PublicReport, user: Any, state: str, **fields: Any) -> PublicReport:
    report.state = state
    report.triaged_at = timezone.now()
    report.triaged_by = user
    for name, value in fields.items():
        setattr(report, name, value)
    with acting(user):
        report.save()
    return report


@transaction.atomic
def accept_report(
    report: PublicReport,
    *,
    acting_user: Any,
    title: str,
    building: Any = None,
    category: str | None = None,
    severity: str = Severity.GENERAL,
    floor: str = "",
    location: str = "",
    note: str = "",
) -> Hazard:
    """The report is valid: open a hazard from it (source "public_report", ref the ticket)."""
    _require_triager(report, acting_user)
    _require_new(report)
    building = report.building or building
    if building is None:
        raise ValidationError({"building": _("Choose the building the hazard is in.")})
    if not title.strip():
        raise ValidationError({"title": _("Give the hazard a short title.")})
    photos: list[Any] = []  # stored files copied as uploads: open_hazard validates them again
    for p in report.photos.all():
        with p.image.open("rb") as fh:
            photos.append(ContentFile(fh.read(), name=p.image.name.rsplit("/", 1)[-1]))
    received = timezone.localtime(report.received_at)
    description = _("Public report %(ticket)s received %(when)s: %(text)s") % {
        "ticket": report.ticket,
        "when": f"{received:%Y-%m-%d %H:%M}",
        "text": report.description,
    }
    hazard = open_hazard(
        acting_user=acting_user,
        building=building,
        source=HazardSource.PUBLIC_REPORT,
        category=category or report.category,
        title=title.strip(),
        severity=severity,
        description=f"{description}\n{note.strip()}".strip(),
        floor=floor,
        location=location,
        source_ref=report.ticket,
        photos=photos,
    )
    _decided(
        report,
        acting_user,
        ReportState.VALID,
        hazard=hazard,
        building=building,
        reason=note.strip(),
    )
    return hazard


@transaction.atomic
def mark_duplicate(
    report: PublicReport, *, acting_user: Any, hazard: Hazard, note: str = ""
) -> PublicReport:
    """The report describes a hazard already known: link it, and note it on that timeline."""
    _require_triager(report, acting_user)
    _require_new(report)
    if not Hazard.objects.visible_to(acting_user).filter(pk=hazard.pk).exists():
        raise ValidationError({"hazard": _("Choose a hazard you can see.")})
    HazardStep.objects.create(
        hazard=hazard,
        kind=StepKind.COMMENT,
        actor=acting_user,
        note=_("Public report %(ticket)s describes this hazard again.") % {"ticket": report.ticket},
        data={"public_report": report.ticket},
    )
    return _decided(report, acting_user, ReportState.DUPLICATE, hazard=hazard, reason=note.strip())


@transaction.atomic
def reject_report(report: PublicReport, *, acting_user: Any, reason: str) -> PublicReport:
    """The report is not a hazard (or not one of ours); the reason is required."""
    _require_triager(report, acting_user)
    _require_new(report)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is not accepted.")})
    return _decided(report, acting_user, ReportState.INVALID, reason=reason.strip())


@transaction.atomic
def reply_to_reporter(report: PublicReport, *, acting_user: Any, reply: str) -> PublicReport:
    """Record the official reply; the reporter reads it on the ticket's follow page."""
    _require_triager(report, acting_user)
    if not reply.strip():
        raise ValidationError({"reply": _("Write the reply to the reporter.")})
    report.reply = reply.strip()
    report.replied_at = timezone.now()
    report.replied_by = acting_user
    with acting(acting_user):
        report.save()
    return report


def reward_cap() -> Decimal:
    return Decimal(settings.TOWERWATCH_REPORT_REWARD_MAX_YUAN)


@transaction.atomic
def record_reward(
    report: PublicReport,
    *,
    acting_user: Any,
    amount_yuan: Any,
    approved_on: dt.date,
    paid_on: dt.date | None = None,
    note: str = "",
) -> ReportReward:
    """Record (or correct) the reward decision for a valid report; the approver is the user."""
    _require_triager(report, acting_user)
    errors: dict[str, str] = {}
    if report.state != ReportState.VALID:
        raise ValidationError(_("Only a valid report can be rewarded."))
    try:
        amount = Decimal(str(amount_yuan)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        errors["amount_yuan"] = _("Enter an amount in yuan.")
    elif amount < 0:
        errors["amount_yuan"] = _("The amount cannot be negative.")
    elif amount > reward_cap():
        errors["amount_yuan"] = _("The amount may be at most %(cap)s yuan.") % {"cap": reward_cap()}
    today = timezone.localdate()
    if approved_on > today:
        errors["approved_on"] = _("The approval date cannot be in the future.")
    elif approved_on < timezone.localdate(report.received_at):
        errors["approved_on"] = _("The approval date cannot be before the report was received.")
    if paid_on is not None and (paid_on > today or paid_on < approved_on):
        errors["paid_on"] = _("The payment date must be between the approval and today.")
    if errors:
        raise ValidationError(errors)
    reward = ReportReward.objects.filter(report=report).first() or ReportReward(report=report)
    reward.amount_yuan = amount  # type: ignore[assignment]  # validated above: not None
    reward.approved_by = acting_user
    reward.approved_on = approved_on
    reward.paid_on = paid_on
    reward.note = note.strip()
    with acting(acting_user):
        reward.full_clean()
        reward.save()
    return reward
