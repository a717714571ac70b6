"""REST API of the hazard loop: scoped lists and details, and the loop's writes as POST actions.

Every answer comes from `visible_to(request.user)` (404 outside the scope); every write goes
through `hazards.actions`, which decide who may do what (403) and refuse bad input (400).
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from towerwatch.organizations.choices import OrganizationKind
from towerwatch.organizations.models import Organization, Region

from . import actions
from .choices import OPEN_STATES, HazardCategory, HazardSource, HazardState, Severity
from .models import (
    EnforcementCase,
    EnforcementStep,
    Hazard,
    HazardPhoto,
    HazardStep,
    MajorAssessment,
    Referral,
)
from .workflow import allowed_transitions

# --- serializers -----------------------------------------------------------------------------


class HazardStepSerializer(serializers.ModelSerializer):
    actor: Any = serializers.StringRelatedField()

    class Meta:
        model = HazardStep
        fields = ["id", "at", "kind", "actor", "old_state", "new_state", "note", "data"]


class HazardPhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardPhoto
        fields = ["id", "stage", "image", "uploaded_at"]


class ReferralSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    hazard_code = serializers.CharField(source="hazard.code", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "hazard",
            "hazard_code",
            "department",
            "department_name",
            "note",
            "reply_by",
            "referred_at",
            "answer",
            "answered_at",
            "is_overdue",
        ]


class MajorAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = MajorAssessment
        fields = [
            "id",
            "standard",
            "edition",
            "confidence",
            "site_type",
            "elements",
            "direct_elements",
            "comprehensive_count",
            "threshold",
            "verdict",
            "is_major",
            "conclusion",
            "participants",
            "assessed_at",
        ]


class HazardListSerializer(serializers.ModelSerializer):
    building_code = serializers.CharField(source="building.code", read_only=True)
    building_name = serializers.CharField(source="building.name", read_only=True)
    responsible_org_name = serializers.CharField(
        source="responsible_org.name", read_only=True, default=None
    )
    is_overdue = serializers.BooleanField(read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:hazard-detail")

    class Meta:
        model = Hazard
        fields = [
            "id",
            "url",
            "code",
            "building",
            "building_code",
            "building_name",
            "source",
            "category",
            "severity",
            "title",
            "floor",
            "location",
            "state",
            "deadline",
            "deadline_rule",
            "deadline_reason",
            "is_overdue",
            "escalation_level",
            "responsible_org",
            "responsible_org_name",
            "found_at",
            "assigned_at",
            "submitted_at",
            "reinspect_by",
            "closed_at",
            "alarm_case",
            "source_ref",
        ]


class HazardSerializer(HazardListSerializer):
    steps = HazardStepSerializer(many=True, read_only=True)
    photos = HazardPhotoSerializer(many=True, read_only=True)
    referrals = serializers.SerializerMethodField()
    assessments = MajorAssessmentSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(HazardListSerializer.Meta):
        fields = [
            *HazardListSerializer.Meta.fields,
            "description",
            "interim_measures",
            "responsible_person",
            "allowed_transitions",
            "steps",
            "photos",
            "referrals",
            "assessments",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, hazard: Hazard) -> list[str]:
        return allowed_transitions(self.context["request"].user, hazard)

    @extend_schema_field(ReferralSerializer(many=True))
    def get_referrals(self, hazard: Hazard) -> Any:
        visible = Referral.objects.visible_to(self.context["request"].user).filter(hazard=hazard)
        return ReferralSerializer(visible.select_related("department", "hazard"), many=True).data


class TransitionInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=HazardState.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=10
    )


class DeadlineInput(serializers.Serializer):
    deadline = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class CommentInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class ReferInput(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.DEPARTMENT), many=True
    )
    note = serializers.CharField(allow_blank=True)
    reply_by = serializers.DateField()


class ParticipantInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    role = serializers.CharField(allow_blank=True)


class AssessInput(serializers.Serializer):
    elements = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    participants = ParticipantInput(many=True)
    conclusion = serializers.CharField(allow_blank=True)
    site_type = serializers.CharField(default="other")
    is_major = serializers.BooleanField(required=False, allow_null=True, default=None)


class AnswerInput(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


class EnforcementStepSerializer(serializers.ModelSerializer):
    actor: Any = serializers.StringRelatedField()
    organization: Any = serializers.StringRelatedField()

    class Meta:
        model = EnforcementStep
        fields = ["id", "at", "actor", "organization", "note", "due"]


class EnforcementCaseSerializer(serializers.ModelSerializer):
    steps = EnforcementStepSerializer(many=True, read_only=True)

    class Meta:
        model = EnforcementCase
        fields = [
            "id",
            "code",
            "building",
            "hazard",
            "party",
            "party_name",
            "party_kind",
            "legal_basis_rule",
            "legal_basis_citation",
            "legal_basis_confidence",
            "order_text",
            "fine_yuan",
            "fine_min_yuan",
            "fine_max_yuan",
            "departments",
            "state",
            "opened_at",
            "closed_at",
            "steps",
        ]


class EnforcementInput(serializers.Serializer):
    building = serializers.IntegerField()
    hazard = serializers.IntegerField(required=False, allow_null=True, default=None)
    legal_basis_rule = serializers.CharField()
    order_text = serializers.CharField(allow_blank=True)
    fine_yuan = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    is_business = serializers.BooleanField()
    is_individual = serializers.BooleanField(default=False)
    party = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    party_name = serializers.CharField(required=False, allow_blank=True, default="")
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.DEPARTMENT),
        many=True,
        required=False,
        default=list,
    )
    follow_up = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_due = serializers.DateField(required=False, allow_null=True, default=None)


class EnforcementStepInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    due = serializers.DateField(required=False, allow_null=True, default=None)
    close = serializers.BooleanField(default=False)


# --- filters -----------------------------------------------------------------------------------


class HazardAPIFilterSet(df.FilterSet):
    state = df.MultipleChoiceFilter(choices=HazardState.choices)
    category = df.MultipleChoiceFilter(choices=HazardCategory.choices)
    severity = df.ChoiceFilter(choices=Severity.choices)
    source = df.MultipleChoiceFilter(choices=HazardSource.choices)
    building = df.NumberFilter(field_name="building_id")
    town = df.ModelChoiceFilter(
        queryset=Region.objects.all(), field_name="building__region__town", label="town"
    )
    responsible_org = df.NumberFilter(field_name="responsible_org_id")
    is_open = df.BooleanFilter(method="filter_open", label="open")
    overdue = df.BooleanFilter(method="filter_overdue")
    found_after = df.DateFilter(field_name="found_at", lookup_expr="date__gte")
    found_before = df.DateFilter(field_name="found_at", lookup_expr="date__lte")
    referred_to = df.NumberFilter(field_name="referrals__department_id", distinct=True)
    q = df.CharFilter(method="filter_q")

    class Meta:
        model = Hazard
        fields: list[str] = []

    def filter_open(self, qs: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)

    def filter_overdue(self, qs: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return qs
        overdue = qs.overdue()
        return overdue if value else qs.exclude(pk__in=overdue.values("pk"))

    def filter_q(self, qs: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(building__name__icontains=value)
        )


def _visible_or_404(qs: Any, pk: Any) -> Any:
    from django.http import Http404

    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404("outside your scope")
    return found


# --- views -------------------------------------------------------------------------------------


class HazardViewSet(viewsets.ReadOnlyModelViewSet):
    """Hazards visible to the caller's organization; the loop's writes as POST actions."""

    queryset = Hazard.objects.all()
    filterset_class = HazardAPIFilterSet
    ordering_fields = ["found_at", "deadline", "code", "state", "severity"]
    ordering = ["-found_at", "-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        qs = Hazard.objects.visible_to(self.request.user).select_related(
            "building", "responsible_org"
        )
        if self.action != "list":
            qs = qs.prefetch_related("steps__actor", "photos", "assessments")
        return qs.order_by("-found_at", "-id")

    def get_serializer_class(self) -> Any:
        return HazardListSerializer if self.action == "list" else HazardSerializer

    def _answer(self, hazard: Hazard, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=hazard.pk)
        return Response(HazardSerializer(fresh, context={"request": self.request}).data, code)

    @extend_schema(request=TransitionInput, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        hazard = self.get_object()
        data = {k: request.data.get(k) for k in request.data if k != "photos"}
        data["photos"] = request.FILES.getlist("photos")
        form = TransitionInput(data=data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        actions.transition(
            hazard,
            v["state"],
            acting_user=request.user,
            note=v["note"],
            photos=v["photos"],
            assignee=v["assignee"],
        )
        return self._answer(hazard)

    @extend_schema(request=DeadlineInput, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    def deadline(self, request: Request, pk: Any = None) -> Response:
        hazard = self.get_object()
        form = DeadlineInput(data=request.data)
        form.is_valid(raise_exception=True)
        actions.change_deadline(hazard, acting_user=request.user, **form.validated_data)
        return self._answer(hazard)

    @extend_schema(request=CommentInput, responses=HazardStepSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: Any = None) -> Response:
        hazard = self.get_object()
        form = CommentInput(data=request.data)
        form.is_valid(raise_exception=True)
        step = actions.add_comment(
            hazard, acting_user=request.user, note=form.validated_data["note"]
        )
        return Response(HazardStepSerializer(step).data, status.HTTP_201_CREATED)

    @extend_schema(request=ReferInput, responses=ReferralSerializer(many=True))
    @action(detail=True, methods=["post"])
    def refer(self, request: Request, pk: Any = None) -> Response:
        hazard = self.get_object()
        form = ReferInput(data=request.data)
        form.is_valid(raise_exception=True)
        made = actions.refer(hazard, acting_user=request.user, **form.validated_data)
        return Response(ReferralSerializer(made, many=True).data, status.HTTP_201_CREATED)

    @extend_schema(request=AssessInput, responses=MajorAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk: Any = None) -> Response:
        hazard = self.get_object()
        form = AssessInput(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        made = actions.assess_major(
            hazard,
            acting_user=request.user,
            elements=v["elements"],
            participants=[dict(p) for p in v["participants"]],
            conclusion=v["conclusion"],
            site_type=v["site_type"],
            is_major=v["is_major"],
        )
        return Response(MajorAssessmentSerializer(made).data, status.HTTP_201_CREATED)


class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    """Referrals the caller sees: those on visible hazards, and every one sent to its department."""

    serializer_class = ReferralSerializer
    queryset = Referral.objects.all()
    filterset_fields = ["department", "hazard"]

    def get_queryset(self) -> Any:
        return (
            Referral.objects.visible_to(self.request.user)
            .select_related("department", "hazard")
            .order_by("-referred_at", "-id")
        )

    @extend_schema(request=AnswerInput, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        form = AnswerInput(data=request.data)
        form.is_valid(raise_exception=True)
        actions.answer_referral(
            referral, acting_user=request.user, answer=form.validated_data["answer"]
        )
        return Response(ReferralSerializer(referral).data)


class EnforcementCaseViewSet(
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Enforcement cases the caller sees; create one, join it (departments), add follow-up."""

    serializer_class = EnforcementCaseSerializer
    queryset = EnforcementCase.objects.all()
    filterset_fields = ["state", "building", "hazard"]

    def get_queryset(self) -> Any:
        return (
            EnforcementCase.objects.visible_to(self.request.user)
            .prefetch_related("steps__actor", "steps__organization", "departments")
            .order_by("-opened_at", "-id")
        )

    @extend_schema(request=EnforcementInput, responses=EnforcementCaseSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from towerwatch.buildings.models import Building

        form = EnforcementInput(data=request.data)
        form.is_valid(raise_exception=True)
        v = dict(form.validated_data)
        building = _visible_or_404(Building.objects.visible_to(request.user), v.pop("building"))
        hazard_id = v.pop("hazard")
        hazard = (
            _visible_or_404(Hazard.objects.visible_to(request.user), hazard_id)
            if hazard_id
            else None
        )
        case = actions.open_enforcement(
            acting_user=request.user, building=building, hazard=hazard, **v
        )
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(EnforcementCaseSerializer(fresh).data, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=EnforcementCaseSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request: Request, pk: Any = None) -> Response:
        case = self._case_for_join(pk)
        actions.join_enforcement(case, acting_user=request.user)
        return Response(EnforcementCaseSerializer(self._fresh(case)).data)

    @extend_schema(request=EnforcementStepInput, responses=EnforcementCaseSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request: Request, pk: Any = None) -> Response:
        case = self.get_object()
        form = EnforcementStepInput(data=request.data)
        form.is_valid(raise_exception=True)
        actions.add_enforcement_step(case, acting_user=request.user, **form.validated_data)
        return Response(EnforcementCaseSerializer(self._fresh(case)).data)

    def _case_for_join(self, pk: Any) -> EnforcementCase:
        """A department may join a case on a hazard referred to it before it sees the case."""
        from django.http import Http404

        visible_hazards = Hazard.objects.visible_to(self.request.user).values("pk")
        case = (
            EnforcementCase.objects.filter(pk=pk)
            .filter(pk__in=self.get_queryset().values("pk"))
            .first()
            or EnforcementCase.objects.filter(pk=pk, hazard__in=visible_hazards).first()
        )
        if case is None:
            raise Http404("outside your scope")
        return case

    def _fresh(self, case: EnforcementCase) -> EnforcementCase:
        return EnforcementCase.objects.prefetch_related("steps", "departments").get(pk=case.pk)


__all__ = ["EnforcementCaseViewSet", "HazardViewSet", "ReferralViewSet"]
