"""The user's in-app notifications; an organization's endpoints; the delivery log; the
acknowledgement page a message's signed link opens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import Scope
from towerwatch.core.views import ObjectListView, require_scope

from . import actions
from .filtersets import DeliveryAttemptFilterSet
from .forms import NotificationEndpointForm
from .models import Acknowledgement, DeliveryAttempt, NotificationEndpoint, OutboxMessage
from .outbox import deliver_messages
from .tables import DeliveryAttemptTable
from .transports import ack_message_id


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The latest notifications; opening the page marks them read."""
    mine = request.user.notifications.all()
    rows = list(mine[:200])
    mine.filter(read_at=None).update(read_at=timezone.now())
    return render(request, "notifications/inbox.html", {"rows": rows, "title": "notifications"})


def _admin_scope(request: HttpRequest) -> Scope:
    scope = require_scope(request)
    if scope.organization_id is None or (scope.role != Role.ADMIN and not scope.is_superuser):
        raise PermissionDenied(_("Only your organization's administrators manage its endpoints."))
    return scope


def _own_endpoints(request: HttpRequest, scope: Scope) -> Any:
    return NotificationEndpoint.objects.visible_to(request.user).filter(
        organization_id=scope.organization_id
    )


def _own_endpoint(request: HttpRequest, pk: int) -> NotificationEndpoint:
    scope = _admin_scope(request)
    try:
        return _own_endpoints(request, scope).select_related("organization").get(pk=pk)
    except NotificationEndpoint.DoesNotExist:
        raise Http404 from None


@login_required
def endpoints(request: HttpRequest) -> HttpResponse:
    """The organization's endpoints, and a form to register one."""
    scope = _admin_scope(request)
    form = NotificationEndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save(commit=False)
        endpoint.organization_id = scope.organization_id
        try:
            actions.save_endpoint(endpoint, acting_user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved %(obj)s.") % {"obj": endpoint})
            return HttpResponseRedirect(reverse("notifications:endpoints"))
    rows = [
        (e, actions.endpoint_targets(e))
        for e in _own_endpoints(request, scope).order_by("kind", "name")
    ]
    return render(
        request,
        "notifications/endpoints.html",
        {"rows": rows, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own_endpoint(request, pk)
    form = NotificationEndpointForm(request.POST or None, instance=endpoint, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_endpoint(form.save(commit=False), acting_user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved %(obj)s.") % {"obj": endpoint})
            return HttpResponseRedirect(reverse("notifications:endpoints"))
    return render(
        request,
        "core/object_edit.html",
        {"form": form, "object": None, "title": str(endpoint)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _own_endpoint(request, pk)
    name = str(endpoint)
    actions.delete_endpoint(endpoint, acting_user=request.user)
    messages.success(request, _("Deleted %(obj)s.") % {"obj": name})
    return HttpResponseRedirect(reverse("notifications:endpoints"))


@login_required
@require_POST
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a test message to the endpoint and try it at once; the outcome is in the log."""
    endpoint = _own_endpoint(request, pk)
    queued = actions.send_test_message(endpoint, acting_user=request.user)
    if not queued:
        messages.error(request, _("%(obj)s reaches nobody yet.") % {"obj": endpoint})
        return HttpResponseRedirect(reverse("notifications:endpoints"))
    delivered = deliver_messages([m.pk for m in queued])
    if delivered == len(queued):
        messages.success(
            request, _("Test message delivered to %(n)d address(es).") % {"n": delivered}
        )
    else:
        errors = {m.last_error for m in OutboxMessage.objects.filter(pk__in=[q.pk for q in queued])}
        messages.error(
            request,
            _("%(ok)d of %(n)d test messages delivered; retrying the rest. %(errors)s")
            % {"ok": delivered, "n": len(queued), "errors": "; ".join(e for e in errors if e)},
        )
    return HttpResponseRedirect(reverse("notifications:endpoints"))


class DeliveryLogView(ObjectListView):
    """Every delivery attempt the user may see: its organization's, or all for the centre."""

    model = DeliveryAttempt
    table_class = DeliveryAttemptTable
    filterset_class = DeliveryAttemptFilterSet

    def get_queryset(self) -> Any:
        scope = require_scope(self.request)
        if not (scope.sees_everything or scope.role == Role.ADMIN):
            raise PermissionDenied(_("Only administrators and the monitoring centre see the log."))
        return super().get_queryset().select_related("message__endpoint")

    def can_add(self) -> bool:
        return False


def ack(request: HttpRequest, token: str) -> HttpResponse:
    """A message's acknowledgement link. Opening it shows the message and one button; the
    button records the acknowledgement (with the user when logged in, else the token alone
    vouches for that one message). A GET changes nothing, so link previews and mail scanners
    that fetch links cannot acknowledge for a person."""
    try:
        message = OutboxMessage.objects.select_related("endpoint").get(pk=ack_message_id(token))
    except signing.SignatureExpired:
        return render(request, "notifications/ack.html", {"expired": True}, status=410)
    except (signing.BadSignature, ValueError, OutboxMessage.DoesNotExist):
        raise Http404 from None
    if request.method == "POST":
        done = actions.acknowledge(message, acting_user=request.user)
        if done:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "notifications/ack.html",
        {
            "message": message,
            "payload": message.payload,
            "acks": Acknowledgement.objects.filter(message=message).select_related("user"),
            "to": actions.masked_target(message),
        },
    )
