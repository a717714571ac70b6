"""Excel import of organizations with their contact people."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from towerwatch.accounts.scope import scope_for
from towerwatch.buildings.importing import choice_lookup
from towerwatch.core.importing import Column, Importer, import_page, template_download
from towerwatch.core.views import require_scope

from . import actions
from .choices import OrganizationKind
from .models import Organization, Person, Region

#: Kinds a non-public body may register (its partners); public bodies register any kind.
PARTNER_KINDS = (
    OrganizationKind.PROPERTY_COMPANY,
    OrganizationKind.OWNER_UNIT,
    OrganizationKind.SERVICE_COMPANY,
)


class OrganizationImporter(Importer):
    sheet_title = "organizations"
    audit_name = "organizations"
    columns = [
        Column("单位名称", "name", required=True, example="重庆某某物业服务有限公司"),
        Column(
            "单位类型",
            "kind",
            required=True,
            help=gettext_lazy("e.g. 物业服务企业, 业主/使用单位, 消防技术服务机构"),
            example="物业服务企业",
        ),
        Column(
            "统一社会信用代码",
            "credit_code",
            help=gettext_lazy("18 characters; matched first when re-importing."),
            example="",
        ),
        Column(
            "所属区域", "region", help=gettext_lazy("Name or code of a region."), example="几江街道"
        ),
        Column("地址", "address", example=""),
        Column("单位电话", "phone", example="023-47521234"),
        Column("联系人姓名", "person_name", example="张三"),
        Column("联系人职务", "person_title", example="消防安全管理人"),
        Column("联系人电话", "person_phone", example="13812345678"),
    ]

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.scope = scope_for(self.user)
        self.kinds = choice_lookup(OrganizationKind)
        self.regions: dict[str, Region] = {}
        for r in Region.objects.visible_to(self.user):
            self.regions.setdefault(r.name, r)
            self.regions[r.code] = r
        visible = Organization.objects.visible_to(self.user)
        self.by_code = {o.credit_code: o for o in visible.exclude(credit_code=None)}
        self.by_name = {o.name: o for o in visible}
        self.taken_codes = set(
            Organization.objects.exclude(credit_code=None).values_list("credit_code", flat=True)
        )
        self.seen: set[str] = set()

    def build_row(self, r: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}

        def err(key: str, message: str) -> None:
            errors.setdefault(key, []).append(message)

        code = str(r.get("credit_code") or "").strip().upper() or None
        name = str(r.get("name") or "").strip()
        key = code or name
        if key in self.seen:
            err(
                "credit_code" if code else "name", _("This organization appears twice in the file.")
            )
        self.seen.add(key)
        org = (self.by_code.get(code) if code else None) or self.by_name.get(name)
        if org is None and code and code in self.taken_codes:
            err("credit_code", _("This credit code belongs to an organization outside your area."))
        org = org or Organization(registered_by_id=self.scope.organization_id)
        if org.pk and not self._may_edit(org):
            err("name", _("You may not change %(org)s.") % {"org": org.name})
        org.name, org.credit_code = name, code
        kind = self.kinds.get(str(r.get("kind") or "").strip().lower())
        if kind is None:
            err("kind", _("Unknown organization kind: %(k)s") % {"k": r.get("kind")})
        elif not self.scope.is_public_body and kind not in PARTNER_KINDS:
            err("kind", _("Your organization may not register this kind of organization."))
        else:
            org.kind = kind
        if r.get("region"):
            region = self.regions.get(str(r["region"]).strip())
            if region is None:
                err(
                    "region", _("Unknown region (or outside your area): %(r)s") % {"r": r["region"]}
                )
            org.region = region
        org.address = str(r.get("address") or "")
        org.phone = str(r.get("phone") or "")
        person = None
        if r.get("person_name"):
            person = Person(
                name=str(r["person_name"]),
                title=str(r.get("person_title") or ""),
                phone=str(r.get("person_phone") or ""),
                registered_by_id=self.scope.organization_id,
            )
            try:
                person.full_clean(exclude=["organization"])
            except ValidationError as exc:
                for k, msgs in exc.message_dict.items():
                    for m in msgs:
                        err(
                            {
                                "phone": "person_phone",
                                "name": "person_name",
                                "title": "person_title",
                            }.get(k, k),
                            m,
                        )
        try:
            org.full_clean(validate_unique=False)
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                if k not in errors:
                    for m in msgs:
                        err(k, m)
        if errors:
            raise ValidationError(errors)
        return {"org": org, "person": person}

    def _may_edit(self, org: Organization) -> bool:
        return (
            self.scope.is_public_body
            or org.pk == self.scope.organization_id
            or org.registered_by_id == self.scope.organization_id
        )

    def write_row(self, item: dict[str, Any]) -> bool:
        org: Organization = item["org"]
        created = org.pk is None
        actions.save_organization(org, acting_user=self.user)
        person: Person | None = item["person"]
        if person is not None:
            existing = org.people.filter(name=person.name).first()
            if existing is not None:
                existing.title, existing.phone = (
                    person.title or existing.title,
                    person.phone or existing.phone,
                )
                person = existing
            person.organization = org
            actions.save_person(person, acting_user=self.user)
        return created


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not require_scope(request).can_edit:
        raise PermissionDenied(_("Your role may not import records."))
    return import_page(
        request,
        OrganizationImporter(request.user),
        title=_("Import organizations and contacts from Excel"),
        template_url=reverse("organizations:organization_import_template"),
    )


@login_required
def template_view(request: HttpRequest) -> HttpResponse:
    require_scope(request)
    return template_download(
        OrganizationImporter(request.user), "towerwatch-organizations-template.xlsx"
    )
