"""Who hears about what, through which channel; endpoints; acknowledgements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.accounts.models import Membership, User
from towerwatch.core.actions import delete_object, save_object
from towerwatch.organizations.choices import OrganizationKind
from towerwatch.organizations.models import Organization, Person

from .choices import EndpointKind, MessageKind, MessageState
from .models import Acknowledgement, Notification, NotificationEndpoint, OutboxMessage

MOBILE = re.compile(r"^1\d{10}$")
#: Kinds whose messages are repeated until the recipient acknowledges them.
REMINDED = {MessageKind.CONFIRMED_FIRE, MessageKind.UNHANDLED_FIRE}


def _town_governments(building: Any) -> Q:
    return Q(
        kind__in=[OrganizationKind.TOWN_GOVERNMENT, OrganizationKind.PLATFORM_GOVERNMENT],
        region_id=building.region.town_id,
    )


def chain_organizations(building: Any) -> set[int]:
    """The organizations linked to the building and the government of its town or platform."""
    linked = set(
        building.responsibilities.exclude(organization=None).values_list(
            "organization_id", flat=True
        )
    )
    towns = set(
        Organization.objects.filter(_town_governments(building)).values_list("pk", flat=True)
    )
    return linked | towns


def level_organizations(level: str, building: Any) -> set[int]:
    """The organizations told at one escalation level."""
    if level == "building" and building is not None:
        return chain_organizations(building)
    if level == "town" and building is not None:
        return set(
            Organization.objects.filter(_town_governments(building)).values_list("pk", flat=True)
        )
    if level == "detachment":
        return set(
            Organization.objects.filter(kind=OrganizationKind.FIRE_DETACHMENT).values_list(
                "pk", flat=True
            )
        )
    return set()


def tell_users(user_ids: Iterable[int], text: str, url: str = "") -> int:
    """In-app notifications for these users (each once)."""
    ids = sorted(set(user_ids))
    Notification.objects.bulk_create(
        [Notification(user_id=u, text=text[:300], url=url) for u in ids]
    )
    return len(ids)


def tell_members(org_ids: Iterable[int], text: str, url: str = "") -> int:
    """In-app notifications for every active member of these organizations."""
    return tell_users(
        Membership.objects.filter(is_active=True, organization_id__in=list(org_ids)).values_list(
            "user_id", flat=True
        ),
        text,
        url,
    )


def endpoint_targets(endpoint: NotificationEndpoint) -> list[str]:
    """The channel addresses one endpoint reaches: a robot URL, e-mail addresses, mobiles."""
    if endpoint.kind in {EndpointKind.WECOM, EndpointKind.DINGTALK}:
        return [endpoint.url] if endpoint.url else []
    listed = endpoint.listed_addresses()
    if endpoint.kind == EndpointKind.EMAIL:
        if listed:
            return listed
        emails = (
            User.objects.filter(
                is_active=True,
                memberships__organization_id=endpoint.organization_id,
                memberships__is_active=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        return sorted(set(emails))
    if listed:
        return listed
    phones = Person.objects.filter(organization_id=endpoint.organization_id).values_list(
        "phone", flat=True
    )
    return sorted({p for p in phones if MOBILE.match(p or "")})


def notify_organizations(
    org_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    text: str,
    url: str = "",
    case: Any = None,
    building: Any = None,
    urgent: bool = False,
) -> list[OutboxMessage]:
    """Queue one message per channel address of the organizations' active endpoints (call in
    the transaction that makes it true; the worker delivers after commit)."""
    now = timezone.now()
    payload = {
        "title": title,
        "text": text,
        "url": url,
        "case": case.pk if case is not None else None,
        "building": building.name if building is not None else "",
    }
    rows = []
    endpoints = NotificationEndpoint.objects.filter(
        organization_id__in=list(org_ids), is_active=True
    ).order_by("pk")
    seen: set[tuple[str, str]] = set()
    for endpoint in endpoints:
        if endpoint.only_urgent and not urgent:
            continue
        for target in endpoint_targets(endpoint):
            if (endpoint.channel, target) in seen:
                continue  # one address reached through two organizations hears it once
            seen.add((endpoint.channel, target))
            message = OutboxMessage(
                kind=kind,
                channel=endpoint.channel,
                target=target,
                payload=payload,
                urgent=urgent,
                organization_id=endpoint.organization_id,
                endpoint=endpoint,
                case=case,
                remind=case is not None and kind in REMINDED,
                next_attempt_at=now,
            )
            message.recipient_key = ""
            message.save()
            rows.append(message)
    return rows


def notify_building_chain(
    building: Any,
    text: str,
    url: str = "",
    *,
    case: Any = None,
    kind: str = MessageKind.NOTICE,
    urgent: bool = False,
) -> int:
    """Tell the building's responsibility chain: in-app for every active member of the
    organizations linked to it and of its town's or platform's government, and their
    registered endpoints (robots, e-mail, SMS). Returns how many users were told in-app."""
    orgs = chain_organizations(building)
    title = _("Confirmed fire") if kind == MessageKind.CONFIRMED_FIRE else _("TowerWatch")
    notify_organizations(
        orgs,
        kind=kind,
        title=title,
        text=text,
        url=url,
        case=case,
        building=building,
        urgent=urgent,
    )
    return tell_members(orgs, text, url)


def notify_level(level: str, case: Any) -> int:
    """Tell one escalation level about an unhandled alarm case."""
    building = case.building
    text = _("Unhandled fire alarm at %(building)s: %(point)s") % {
        "building": building.name if building else _("an unbound device"),
        "point": case.description or case.component_address,
    }
    url = case.get_absolute_url()
    orgs = level_organizations(level, building)
    if not orgs:
        return 0
    notify_organizations(
        orgs,
        kind=MessageKind.UNHANDLED_FIRE,
        title=_("Unhandled fire alarm"),
        text=text,
        url=url,
        case=case,
        building=building,
    )
    return tell_members(orgs, text, url)


def _clean_endpoint(endpoint: NotificationEndpoint) -> None:
    if endpoint.kind in {EndpointKind.WECOM, EndpointKind.DINGTALK, EndpointKind.SMS}:
        if not endpoint.url:
            raise ValidationError({"url": _("This kind of endpoint needs its URL.")})
    for address in endpoint.listed_addresses():
        if endpoint.kind == EndpointKind.EMAIL:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(
                    {"addresses": _("Not an e-mail address: %(a)s") % {"a": address}}
                ) from None
        elif endpoint.kind == EndpointKind.SMS and not MOBILE.match(address):
            raise ValidationError(
                {"addresses": _("Not a mobile number (11 digits): %(a)s") % {"a": address}}
            )


@transaction.atomic
def save_endpoint(endpoint: NotificationEndpoint, *, acting_user: Any) -> NotificationEndpoint:
    """Register or change one of an organization's notification endpoints."""
    _clean_endpoint(endpoint)
    return save_object(endpoint, acting_user=acting_user)


@transaction.atomic
def delete_endpoint(endpoint: NotificationEndpoint, *, acting_user: Any) -> None:
    """Remove an endpoint; messages already queued to it keep their log."""
    delete_object(endpoint, acting_user=acting_user)


@transaction.atomic
def send_test_message(endpoint: NotificationEndpoint, *, acting_user: Any) -> list[OutboxMessage]:
    """Queue a test message to every address of the endpoint (urgent: never held)."""
    now = timezone.now()
    rows = []
    for target in endpoint_targets(endpoint):
        message = OutboxMessage(
            kind=MessageKind.TEST,
            channel=endpoint.channel,
            target=target,
            payload={
                "title": _("TowerWatch test message"),
                "text": _("%(user)s tests the endpoint %(name)s of %(org)s.")
                % {"user": acting_user, "name": endpoint.name, "org": endpoint.organization},
                "url": "",
            },
            urgent=True,
            organization_id=endpoint.organization_id,
            endpoint=endpoint,
            next_attempt_at=now,
        )
        message.save()
        rows.append(message)
    return rows


def covered_messages(message: OutboxMessage) -> list[OutboxMessage]:
    """The message itself, or for a digest the messages folded into it."""
    if message.kind == MessageKind.DIGEST:
        return list(message.folded.exclude(kind=MessageKind.DIGEST).select_related("case"))
    return [message]


@transaction.atomic
def acknowledge(message: OutboxMessage, *, acting_user: Any) -> list[Acknowledgement]:
    """Record that the recipient of `message` got it (who, when, channel): one row per case it
    covers, a line on each case's timeline, and no more reminders of those cases to that
    address. Acknowledging twice changes nothing."""
    from towerwatch.monitoring.models import AlarmFlip

    now = timezone.now()
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    done = []
    for covered in covered_messages(message):
        case = covered.case
        if Acknowledgement.objects.filter(message=message, case=case).exists():
            continue
        done.append(
            Acknowledgement.objects.create(
                message=message,
                case=case,
                recipient_key=message.recipient_key,
                channel=message.channel,
                user=user,
                at=now,
            )
        )
        if case is None:
            continue
        OutboxMessage.objects.filter(
            recipient_key=message.recipient_key, case=case, state=MessageState.PENDING
        ).update(state=MessageState.CANCELLED)
        OutboxMessage.objects.filter(
            recipient_key=message.recipient_key, case=case, remind=True
        ).update(remind=False)
        AlarmFlip.objects.create(
            case=case,
            at=now,
            old_state=case.state,
            new_state=case.state,
            actor=user,
            note=(
                _("acknowledged via %(channel)s (%(to)s)")
                % {"channel": message.get_channel_display(), "to": masked_target(message)}
            )[:200],
        )
    return done


def masked_target(message: OutboxMessage) -> str:
    """The channel address without its secret part: a robot's name, a masked number or mail."""
    target = message.target
    if message.endpoint_id and message.channel in {EndpointKind.WECOM, EndpointKind.DINGTALK}:
        return message.endpoint.name if message.endpoint else target.split("?")[0]
    if MOBILE.match(target):
        return f"{target[:3]}****{target[-4:]}"
    if "@" in target:
        name, _sep, domain = target.partition("@")
        return f"{name[:2]}***@{domain}"
    return target.split("?")[0]
