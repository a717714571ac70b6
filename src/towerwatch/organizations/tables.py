import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Organization, Person, Region


class OrganizationTable(tables.Table):
    name = tables.Column(linkify=True)
    region = tables.Column(accessor="region__name", verbose_name=_("Region"))

    class Meta:
        model = Organization
        fields = ("name", "kind", "credit_code", "region", "phone")
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}


class PersonTable(tables.Table):
    name = tables.Column(linkify=True)
    organization = tables.Column(accessor="organization__name", verbose_name=_("Organization"))
    phone = tables.Column(empty_values=(), orderable=False, verbose_name=_("Phone"))

    class Meta:
        model = Person
        fields = ("name", "title", "organization", "phone")
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}

    def __init__(self, *args, show_phones: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.show_phones = show_phones

    def render_phone(self, record: Person) -> str:
        return record.phone if self.show_phones else record.masked_phone


class RegionTable(tables.Table):
    name = tables.Column(linkify=True)
    parent = tables.Column(accessor="parent__name", verbose_name=_("Parent"))
    buildings = tables.Column(
        verbose_name=_("Buildings"), orderable=False, accessor="building_count"
    )

    class Meta:
        model = Region
        fields = ("code", "name", "kind", "parent")
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
