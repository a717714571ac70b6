from __future__ import annotations

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter

from .choices import Channel, MessageKind
from .models import DeliveryAttempt


class DeliveryAttemptFilterSet(StyledFilterSet):
    q = df.CharFilter(
        label=_("Search"), method="search", help_text=_("Address, error or message #")
    )
    ok = YesNoFilter(label=_("delivered"), field_name="ok")
    channel = df.ChoiceFilter(
        label=_("channel"), field_name="message__channel", choices=Channel.choices
    )
    kind = df.ChoiceFilter(label=_("kind"), field_name="message__kind", choices=MessageKind.choices)
    since = df.DateFilter(label=_("from"), field_name="at", lookup_expr="date__gte")
    until = df.DateFilter(label=_("until"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = DeliveryAttempt
        fields: list[str] = []

    def search(
        self, qs: QuerySet[DeliveryAttempt], name: str, value: str
    ) -> QuerySet[DeliveryAttempt]:
        value = value.strip().lstrip("#")
        match = Q(message__target__icontains=value) | Q(error__icontains=value)
        if value.isdigit():
            match |= Q(message_id=int(value))
        return qs.filter(match)
