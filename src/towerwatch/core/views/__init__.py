"""Generic views: scoped lists with filters, exports and HTMX partials; detail, edit, delete."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from towerwatch.accounts.scope import Scope, scope_for

from ..exports import Columns, export_response
from ..models import ObjectChange


def require_scope(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if scope is None:
        raise Http404(_("Your account is not a member of any organization."))
    return scope


class ScopedMixin(LoginRequiredMixin):
    """Everything starts from `Model.objects.visible_to(request.user)`."""

    model: Any  # a model whose manager offers visible_to()
    request: HttpRequest

    def get_queryset(self) -> Any:
        require_scope(self.request)
        return self.scoped_queryset()

    def scoped_queryset(self) -> Any:
        return self.model.objects.visible_to(self.request.user)


class ObjectListView(ScopedMixin, View):
    """A filtered, sortable, paginated list; `?export=xlsx|csv` downloads the filtered rows.

    With HTMX the table fragment alone is rendered, so filters refresh without a reload.
    Subclasses declare `filterset_class`, `table_class` and, for exports, `export_columns`.
    """

    filterset_class: Any
    table_class: Any
    template_name = "core/object_list.html"
    partial_template_name = "core/partials/_table.html"
    export_columns: ClassVar[Columns] = ()
    export_basename = "export"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        if not filterset.is_bound or filterset.is_valid():
            objects = filterset.qs
        else:
            objects = filterset.queryset.none()  # the form shows what is wrong
        fmt = request.GET.get("export")
        if fmt in {"xlsx", "csv"} and self.export_columns:
            return self.export(fmt, objects)
        table = self.get_table(objects)
        page = table.page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        page_query = query.urlencode()
        opts = self.model._meta
        context = {
            "filter": filterset,
            "page": page,
            "headers": table.headers(),
            "rows": table.rows(page),
            "page_query": f"{page_query}&" if page_query else "",
            "filter_query": page_query,
            "title": getattr(self, "title", None) or opts.verbose_name_plural,
            "model_opts": opts,
            "can_add": self.can_add(),
            "add_url": self.get_add_url(),
            "export_enabled": bool(self.export_columns),
        }
        htmx = getattr(request, "htmx", None)
        template = self.partial_template_name if htmx and not htmx.boosted else self.template_name
        return render(request, template, context)

    def get_table(self, objects: Any) -> Any:
        return self.table_class(objects, self.request.GET)

    def export(self, fmt: str, objects: Any) -> HttpResponseBase:
        filters = {k: v for k, v in self.request.GET.items() if k != "export" and v}
        return export_response(
            fmt=fmt,
            basename=self.export_basename,
            title=str(getattr(self, "title", None) or self.model._meta.verbose_name_plural),
            columns=self.export_columns,
            objects=objects,
            user=self.request.user,
            filters=filters,
        )

    def can_add(self) -> bool:
        scope = scope_for(self.request.user)
        return bool(scope and scope.can_edit)

    def get_add_url(self) -> str | None:
        return None


class ObjectDetailView(ScopedMixin, DetailView):
    """An object's page; outside the user's scope it does not exist (404)."""

    template_name_suffix = "_detail"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        scope = require_scope(self.request)
        ctx["can_edit"] = scope.can_edit
        ctx["history"] = ObjectChange.objects.for_object(self.object).select_related("user")[:200]
        ctx["active_tab"] = self.request.GET.get("tab", "basics")
        return ctx


class ObjectEditView(ScopedMixin, View):
    """Create (no pk) or change an object through a form and an action.

    Subclasses set `form_class` and implement `save(form)`, calling the app's action; the
    action validates, writes atomically and re-checks scope.
    """

    form_class: Any
    template_name = "core/object_edit.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = require_scope(request)
        self.object = self.get_object(kwargs.get("pk"))
        if not self.may_write(scope):
            raise PermissionDenied(_("Your role may not change these records."))
        return super().dispatch(request, *args, **kwargs)

    def may_write(self, scope: Scope) -> bool:
        return scope.can_edit

    def get_object(self, pk: Any) -> Any:
        if pk is None:
            return None
        try:
            return self.get_queryset().get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404 from None

    def get_form(self, data: Any = None, files: Any = None) -> Any:
        return self.form_class(data=data, files=files, instance=self.object, user=self.request.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return self.render(self.get_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = self.save(form)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Saved %(obj)s.") % {"obj": obj})
                return HttpResponseRedirect(self.get_success_url(obj))
        return self.render(form, status=400)

    def save(self, form: Any) -> Any:
        raise NotImplementedError

    def get_success_url(self, obj: Any) -> str:
        return obj.get_absolute_url()

    def render(self, form: Any, status: int = 200) -> HttpResponse:
        opts = self.model._meta
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": self.object,
                "model_opts": opts,
                "title": (_("Edit %(obj)s") % {"obj": self.object})
                if self.object
                else (_("New %(kind)s") % {"kind": opts.verbose_name}),
            },
            status=status,
        )


def attach_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ObjectDeleteView(ScopedMixin, View):
    """Confirm, then delete through the app's action."""

    template_name = "core/object_delete.html"
    success_url: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = require_scope(request)
        try:
            self.object = self.get_queryset().get(pk=kwargs["pk"])
        except self.model.DoesNotExist:
            raise Http404 from None
        if not self.may_delete(scope):
            raise PermissionDenied(_("Your role may not delete these records."))
        return super().dispatch(request, *args, **kwargs)

    def may_delete(self, scope: Scope) -> bool:
        return scope.can_delete

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return render(
            request, self.template_name, {"object": self.object, "model_opts": self.model._meta}
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        name = str(self.object)
        try:
            self.delete(self.object)
        except models.ProtectedError:
            messages.error(
                request,
                _("%(obj)s is still referred to by other records and was not deleted.")
                % {"obj": name},
            )
            return HttpResponseRedirect(self.object.get_absolute_url())
        messages.success(request, _("Deleted %(obj)s.") % {"obj": name})
        return HttpResponseRedirect(self.success_url)

    def delete(self, obj: Any) -> None:
        raise NotImplementedError
