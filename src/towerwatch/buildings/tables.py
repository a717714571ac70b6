import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Building

CLASS_BADGE = {"class1": "danger", "class2": "warning", "none": "secondary"}


class BuildingTable(tables.Table):
    code = tables.Column(linkify=True, verbose_name=_("Code"))
    name = tables.Column(linkify=True)
    town = tables.Column(
        accessor="region__town__name",
        verbose_name=_("Town / street"),
        order_by="region__town__code",
    )
    height_m = tables.Column(verbose_name=_("Height (m)"), attrs={"td": {"class": "text-end"}})
    storeys_above = tables.Column(verbose_name=_("Storeys"), attrs={"td": {"class": "text-end"}})
    fire_class = tables.Column(verbose_name=_("Class"))
    use = tables.Column()
    manager = tables.Column(empty_values=(), orderable=False, verbose_name=_("Managing company"))
    completeness = tables.Column(
        verbose_name=_("Registration"), attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = Building
        fields = (
            "code",
            "name",
            "town",
            "height_m",
            "storeys_above",
            "fire_class",
            "use",
            "manager",
            "completeness",
        )
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        order_by = ("code",)

    def render_fire_class(self, value: str, record: Building) -> str:
        badge = CLASS_BADGE.get(record.fire_class, "secondary")
        extra = (
            format_html(' <span class="badge text-bg-dark">{}</span>', _("super"))
            if record.is_super_high_rise
            else ""
        )
        return format_html('<span class="badge text-bg-{}">{}</span>{}', badge, value, extra)

    def render_manager(self, record: Building) -> str:
        return ", ".join(r.organization.name for r in getattr(record, "managers", [])) or "—"

    def render_completeness(self, value: int) -> str:
        colour = "success" if value == 100 else ("warning" if value >= 50 else "danger")
        return format_html('<span class="text-{}">{}%</span>', colour, value)
