"""Campaign pages (/campaigns/): list, live progress per town and category, milestones, xlsx."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from towerwatch.core.exports import export_response
from towerwatch.core.views import require_scope
from towerwatch.organizations.choices import TOWN_LEVEL
from towerwatch.organizations.models import Region

from . import campaigns
from .choices import HazardCategory
from .models import Campaign
from .report_views import hazard_url

MILESTONE_HAZARDS_SHOWN = 50


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("description"), required=False, widget=forms.Textarea({"rows": 2})
    )
    start_date = forms.DateField(
        label=gettext_lazy("start date"), widget=forms.DateInput({"type": "date"})
    )
    towns = forms.ModelMultipleChoiceField(
        label=gettext_lazy("towns/streets/platforms"),
        queryset=Region.objects.none(),
        required=False,
        help_text=gettext_lazy("None: the whole district (district bodies only)."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("hazard categories"),
        choices=HazardCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None: every category."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["towns"].queryset = (
            Region.objects.visible_to(user).filter(kind__in=TOWN_LEVEL).order_by("name")
        )
        for name in ("name", "description", "start_date"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["towns"].widget.attrs.update({"class": "form-select", "size": "8"})


class MilestoneForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=120,
        widget=forms.TextInput({"class": "form-control"}),
    )
    due_on = forms.DateField(
        label=gettext_lazy("due"), widget=forms.DateInput({"type": "date", "class": "form-control"})
    )
    major_only = forms.BooleanField(label=gettext_lazy("major hazards only"), required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=1, can_delete=True)


def _visible_campaign(request: HttpRequest, pk: int) -> Campaign:
    require_scope(request)
    campaign = Campaign.objects.visible_to(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    items = Campaign.objects.visible_to(request.user).prefetch_related("towns", "milestones")
    return render(
        request,
        "hazards/campaign_list.html",
        {
            "campaigns": items,
            "may_create": campaigns.may_run_campaigns(request.user),
            "title": _("Campaigns"),
            "category_labels": dict(HazardCategory.choices),
        },
    )


PROGRESS_COLUMNS = (
    (gettext_lazy("town/street/platform"), lambda r: r.town),
    (gettext_lazy("category"), lambda r: r.category),
    (gettext_lazy("found"), lambda r: r.total),
    (gettext_lazy("closed"), lambda r: r.closed),
    (gettext_lazy("open"), lambda r: r.open),
    (gettext_lazy("overdue"), lambda r: r.overdue),
    (gettext_lazy("closed (%)"), lambda r: r.percent_closed),
)


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    campaign = _visible_campaign(request, pk)
    progress = campaigns.progress(campaign, request.user)
    if request.GET.get("export") == "xlsx":
        return export_response(
            fmt="xlsx",
            basename=f"campaign-{campaign.pk}",
            title=campaign.name,
            columns=PROGRESS_COLUMNS,
            objects=iter([*progress.rows, *progress.by_town, progress.total]),
            user=request.user,
            filters={"campaign": campaign.pk},
        )
    today = timezone.localdate()
    milestones = []
    for m in campaign.milestones.all():
        open_qs = campaigns.open_against(m, request.user)
        shown = list(open_qs[:MILESTONE_HAZARDS_SHOWN])
        milestones.append(
            {
                "milestone": m,
                "count": open_qs.count(),
                "hazards": [(h, hazard_url(h)) for h in shown],
                "passed": m.due_on < today,
            }
        )
    labels = dict(HazardCategory.choices)
    return render(
        request,
        "hazards/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "milestones": milestones,
            "towns": list(campaign.towns.all()),
            "categories": [labels.get(c, c) for c in campaign.categories],
            "may_edit": campaigns.may_run_campaigns(request.user),
            "title": campaign.name,
        },
    )


@login_required
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a campaign (the plan's milestones by default) or change one and its milestones."""
    require_scope(request)
    campaign = _visible_campaign(request, pk) if pk else None
    if not campaigns.may_run_campaigns(request.user):
        raise PermissionDenied(_("Your role may not organize campaigns."))
    initial = None
    if campaign:
        initial = {
            "name": campaign.name,
            "description": campaign.description,
            "start_date": campaign.start_date,
            "towns": list(campaign.towns.all()),
            "categories": campaign.categories,
        }
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, initial=initial, user=request.user)
    milestone_initial = (
        [
            {"name": m.name, "due_on": m.due_on, "major_only": m.major_only}
            for m in campaign.milestones.all()
        ]
        if campaign
        else None
    )
    formset = MilestoneFormSet(data, initial=milestone_initial, prefix="m") if campaign else None
    status = 200
    if data is not None:
        status = 400
        if form.is_valid() and (formset is None or formset.is_valid()):
            try:
                campaign = _save(request, campaign, form, formset)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Saved %(obj)s.") % {"obj": campaign})
                return HttpResponseRedirect(campaign.get_absolute_url())
    return render(
        request,
        "hazards/campaign_edit.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "title": _("Edit %(obj)s") % {"obj": campaign} if campaign else _("New campaign"),
        },
        status=status,
    )


def _save(request: HttpRequest, campaign: Campaign | None, form: Any, formset: Any) -> Campaign:
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "description": data["description"],
        "start_date": data["start_date"],
        "towns": data["towns"],
        "categories": data["categories"],
    }
    with transaction.atomic():
        if campaign is None:
            return campaigns.create_campaign(acting_user=request.user, **fields)
        campaigns.update_campaign(campaign, acting_user=request.user, **fields)
        milestones = [
            (f.cleaned_data["name"], f.cleaned_data["due_on"], f.cleaned_data["major_only"])
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        campaigns.set_milestones(campaign, acting_user=request.user, milestones=milestones)
    return campaign
