from django.contrib import admin

from .models import ChecklistItem, ChecklistTemplate, Checkpoint, InspectionRecord, RecordItem


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    """Read-only here: an edit is a new version, made on the template page (keeps past records)."""

    list_display = ("title", "key", "version", "kind", "building_type", "is_current", "shipped")
    list_filter = ("kind", "building_type", "is_current", "shipped")
    search_fields = ("key", "title")
    inlines = [ChecklistItemInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("name", "building", "location", "order", "active")
    raw_id_fields = ("building",)
    search_fields = ("name", "building__name", "building__code")


class RecordItemInline(admin.TabularInline):
    model = RecordItem
    extra = 0
    readonly_fields = ("code", "text", "clause", "hazard_category", "result", "note", "hazard")
    can_delete = False


@admin.register(InspectionRecord)
class InspectionRecordAdmin(admin.ModelAdmin):
    list_display = ("building", "kind", "state", "started_at", "signed_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("building", "template", "started_by", "signed_by", "organization")
    inlines = [RecordItemInline]
