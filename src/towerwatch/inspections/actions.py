"""Writes of patrols and inspections. Each is one transaction; scope is checked first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import scope_for
from towerwatch.core.actions import acting, require_visible
from towerwatch.hazards.actions import open_hazard
from towerwatch.hazards.validators import validate_photo
from towerwatch.organizations.choices import OrganizationKind as K

from .choices import CARE_USES, HAZARD_SOURCE, BuildingType, RecordState, Result, WorkKind
from .loader import write_version
from .models import (
    ChecklistTemplate,
    Checkpoint,
    CheckpointScan,
    InspectionRecord,
    RecordItem,
    RecordPhoto,
)


def building_type_of(building: Any) -> list[str]:
    """The template building types that fit `building`, most specific first."""
    types: list[str] = []
    if building.use in CARE_USES:
        types.append(BuildingType.CARE)
    if building.is_super_high_rise:
        types.append(BuildingType.SUPER_HIGH_RISE)
    types.append(
        BuildingType.RESIDENTIAL if building.category == "residential" else BuildingType.PUBLIC
    )
    types.append(BuildingType.ANY)
    return types


def template_for(building: Any, kind: str) -> ChecklistTemplate:
    """The current template for `kind` that fits `building` best."""
    candidates = {
        t.building_type: t
        for t in ChecklistTemplate.objects.filter(kind=kind, is_current=True).order_by("pk")
    }
    for btype in building_type_of(building):
        if btype in candidates:
            return candidates[btype]
    raise ValidationError(
        {"kind": _("There is no checklist for %(kind)s.") % {"kind": WorkKind(kind).label}}
    )


FIRE_BODIES = {K.FIRE_DETACHMENT, K.FIRE_BRIGADE, K.FIRE_STATION}
TOWNS = {K.TOWN_GOVERNMENT, K.PLATFORM_GOVERNMENT}


def may_start(scope: Any, kind: str) -> bool:
    """Who may record which kind of work (in buildings of their scope).

    Supervision inspections are the fire authority's; grid walks are the grid officers' (and
    their town's); utility checks the utilities' (and the fire authority's); the building's own
    patrols, inspections, tests, assessments and drills are recorded by the parties' editors.
    Viewers record nothing.
    """
    if scope is None:
        return False
    if scope.is_superuser:
        return True
    if scope.role == Role.GRID_OFFICER:
        return kind == WorkKind.GRID_WALK
    if not scope.can_edit:
        return False
    if scope.kind in FIRE_BODIES:
        return kind != WorkKind.GRID_WALK
    if kind == WorkKind.SUPERVISION:
        return False
    if kind == WorkKind.GRID_WALK:
        return scope.kind in TOWNS
    if kind == WorkKind.UTILITY_CHECK:
        return scope.kind == K.UTILITY
    return scope.kind != K.UTILITY


def startable_kinds(user: Any) -> list[tuple[str, str]]:
    scope = scope_for(user)
    return [(k, str(label)) for k, label in WorkKind.choices if may_start(scope, k)]


def _writable(user: Any, building: Any, kind: str | None = None) -> None:
    require_visible(type(building), building.pk, user)
    scope = scope_for(user)
    if kind is None:
        allowed = scope is not None and (scope.can_edit or scope.is_superuser)
    else:
        allowed = may_start(scope, kind)
    if not allowed:
        raise ValidationError(_("Your role may not record this kind of work."))


@transaction.atomic
def start_record(
    *, acting_user: Any, building: Any, kind: str, template: ChecklistTemplate | None = None
) -> InspectionRecord:
    """Start a record at `building`, copying the fitting checklist's items into it."""
    if kind not in WorkKind.values:
        raise ValidationError({"kind": _("Unknown kind of work.")})
    _writable(acting_user, building, kind)
    template = template or template_for(building, kind)
    scope = scope_for(acting_user)
    record = InspectionRecord.objects.create(
        building=building,
        kind=kind,
        template=template,
        started_by=acting_user,
        organization_id=scope.organization_id if scope else None,
    )
    RecordItem.objects.bulk_create(
        [
            RecordItem(
                record=record,
                order=item.order,
                code=item.code,
                text=item.text,
                clause=item.clause,
                hazard_category=item.hazard_category,
            )
            for item in template.items.all()
        ]
    )
    return record


def _open_record(record: InspectionRecord, user: Any) -> InspectionRecord:
    require_visible(InspectionRecord, record.pk, user)
    locked = InspectionRecord.objects.select_for_update().get(pk=record.pk)
    if locked.state != RecordState.OPEN:
        raise ValidationError(_("This record is signed off and can no longer change."))
    return locked


@transaction.atomic
def scan_checkpoint(
    record: InspectionRecord, *, acting_user: Any, checkpoint: Checkpoint
) -> CheckpointScan:
    """Record presence at `checkpoint`; a checkpoint of another building is refused."""
    record = _open_record(record, acting_user)
    if checkpoint.building_id != record.building_id:
        raise ValidationError(
            _(
                "This checkpoint belongs to %(other)s, not to %(building)s where this patrol is. "
                "Scan the codes posted in %(building)s."
            )
            % {"other": checkpoint.building.name, "building": record.building.name}
        )
    if not checkpoint.active:
        raise ValidationError(_("This checkpoint is no longer in use."))
    return CheckpointScan.objects.create(record=record, checkpoint=checkpoint, by=acting_user)


@transaction.atomic
def answer_item(
    item: RecordItem,
    *,
    acting_user: Any,
    result: str,
    note: str = "",
    photos: Iterable[UploadedFile] = (),
) -> RecordItem:
    """Answer one line pass / fail / not applicable, with a note and photos.

    A failure needs a note or a photo. Photos are validated before anything is written.
    """
    _open_record(item.record, acting_user)
    item = RecordItem.objects.select_for_update().get(pk=item.pk)
    errors: dict[str, str] = {}
    if result not in Result.values:
        errors["result"] = _("Choose pass, fail or not applicable.")
    photos = list(photos)
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            errors["photos"] = " ".join(exc.messages)
    note = note.strip()
    if result == Result.FAIL and not note and not photos and not item.photos.exists():
        errors["note"] = _("Describe what failed, or add a photo.")
    if errors:
        raise ValidationError(errors)
    item.result = result
    item.note = note[:300]
    item.answered_at = timezone.now()
    item.save(update_fields=["result", "note", "answered_at"])
    for photo in photos:
        RecordPhoto.objects.create(item=item, image=photo)
    return item


@transaction.atomic
def sign_off(record: InspectionRecord, *, acting_user: Any, note: str = "") -> InspectionRecord:
    """Sign the record off; every item must be answered. Each failed item opens a hazard."""
    record = _open_record(record, acting_user)
    items = list(record.items.prefetch_related("photos"))
    unanswered = [i.code for i in items if not i.result]
    if unanswered:
        raise ValidationError(
            _("Answer every item before signing off (%(n)d left: %(codes)s).")
            % {"n": len(unanswered), "codes": ", ".join(unanswered)}
        )
    now = timezone.now()
    source = HAZARD_SOURCE[WorkKind(record.kind)]
    for item in items:
        if item.result != Result.FAIL or item.hazard_id:
            continue
        photos = [p.image for p in item.photos.all()]
        for photo in photos:
            photo.open("rb")
        hazard = open_hazard(
            acting_user=acting_user,
            building=record.building,
            source=source,
            category=item.hazard_category,
            title=item.text[:120],
            description="\n".join(filter(None, [item.note, f"{item.clause}"])),
            found_at=item.answered_at or now,
            source_ref=item.reference,
            photos=photos,
        )
        for photo in photos:
            photo.close()
        item.hazard = hazard
        item.save(update_fields=["hazard"])
    record.state = RecordState.SIGNED
    record.signed_at = now
    record.signed_by = acting_user
    record.note = note.strip()
    record.save(update_fields=["state", "signed_at", "signed_by", "note", "updated_at"])
    return record


@transaction.atomic
def add_checkpoint(*, acting_user: Any, building: Any, name: str, location: str = "") -> Checkpoint:
    """Place a new QR checkpoint in `building`."""
    _writable(acting_user, building)
    if not name.strip():
        raise ValidationError({"name": _("Give the checkpoint a name.")})
    order = building.checkpoints.count()
    checkpoint = Checkpoint(
        building=building, name=name.strip(), location=location.strip(), order=order
    )
    with acting(acting_user):
        checkpoint.full_clean()
        checkpoint.save()
    return checkpoint


@transaction.atomic
def edit_template(
    template: ChecklistTemplate,
    *,
    acting_user: Any,
    title: str,
    items: list[dict[str, str]],
) -> ChecklistTemplate:
    """Save an administrator's edit as the template's next version (past records keep theirs)."""
    scope = scope_for(acting_user)
    if scope is None or not (scope.is_superuser or (scope.sees_everything and scope.can_edit)):
        raise Http404("outside your scope")
    if not template.is_current:
        raise ValidationError(_("Only the current version can be edited."))
    if not items:
        raise ValidationError({"items": _("A checklist needs at least one item.")})
    codes = [i["code"] for i in items]
    if len(set(codes)) != len(codes):
        raise ValidationError({"items": _("Item codes must be unique.")})
    with acting(acting_user):
        return write_version(
            key=template.key,
            kind=template.kind,
            building_type=template.building_type,
            title=title.strip() or template.title,
            items=items,
            shipped=False,
            user=acting_user,
        )
