"""Members of the user's organization: list, add, change role, deactivate; switch organization."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from towerwatch.core.views import require_scope
from towerwatch.organizations.models import Organization

from . import actions
from .choices import Role
from .forms import MemberForm, MembershipForm
from .models import Membership


def _admin_scope(request: HttpRequest) -> Any:
    scope = require_scope(request)
    if scope.role != Role.ADMIN and not scope.is_superuser:
        raise PermissionDenied(_("Only your organization's administrators manage its members."))
    return scope


@login_required
def members(request: HttpRequest) -> HttpResponse:
    scope = _admin_scope(request)
    rows = Membership.objects.filter(organization_id=scope.organization_id).select_related(
        "user", "grid"
    )
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_member(
                organization=Organization.objects.visible_to(request.user).get(
                    pk=scope.organization_id
                ),
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                role=data["role"],
                grid=data["grid"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Added %(user)s.") % {"user": data["username"]})
            return HttpResponseRedirect(reverse("accounts:members"))
    return render(
        request,
        "accounts/members.html",
        {"rows": rows.order_by("user__username"), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _admin_scope(request)
    try:
        membership = Membership.objects.select_related("user").get(
            pk=pk, organization_id=scope.organization_id
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    form = MembershipForm(request.POST or None, instance=membership, user=request.user)
    if request.method == "POST" and form.is_valid():
        if membership.user_id == request.user.pk and (
            not form.cleaned_data["is_active"] or form.cleaned_data["role"] != Role.ADMIN
        ):
            form.add_error(None, _("You cannot remove your own administrator rights."))
        else:
            try:
                actions.change_membership(form.save(commit=False), acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Saved %(obj)s.") % {"obj": membership})
                return HttpResponseRedirect(reverse("accounts:members"))
    return render(
        request,
        "core/object_edit.html",
        {"form": form, "object": None, "title": str(membership)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    try:
        membership = request.user.memberships.get(pk=request.POST.get("membership"))
        actions.switch_membership(request.user, membership)
    except (Membership.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    return HttpResponseRedirect(reverse("home"))
