"""Excel (.xlsx) import: validate every row first, then write all of them or none.

An importer declares its columns and how one row becomes a model instance. Errors come back
as (row number, column, reason); nothing is written unless every row is valid, or the user
explicitly asks to import only the valid rows.
"""

from __future__ import annotations

import io
import zipfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from .context import get_change_context
from .models import AuditEvent, AuditKind


@dataclass(frozen=True)
class Column:
    header: str  # as written in the template's first row
    key: str
    required: bool = False
    help: str = ""
    example: Any = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    fatal: str = ""

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})


class ImportFileError(Exception):
    """The file as a whole cannot be read (not xlsx, missing columns, too many rows)."""


class Importer(ABC):
    """Subclasses set `columns` and implement `prepare` and `build_row` and `write_row`."""

    columns: ClassVar[list[Column]]
    sheet_title: ClassVar[str] = "data"
    audit_name: ClassVar[str] = "import"

    def __init__(self, user: Any) -> None:
        self.user = user

    # -- template ---------------------------------------------------------------------------
    def template_bytes(self) -> bytes:
        wb = Workbook()
        ws = wb.active
        ws.title = self.sheet_title
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE2E1")
        for i, col in enumerate(self.columns, start=1):
            cell = ws.cell(row=1, column=i, value=col.header)
            cell.font = bold
            if col.required:
                cell.fill = fill
            ws.cell(row=2, column=i, value=col.example)
            ws.column_dimensions[cell.column_letter].width = max(12, len(col.header) * 2 + 2)
        notes = wb.create_sheet(_("instructions"))
        notes.append([_("column"), _("required"), _("how to fill it")])
        for col in self.columns:
            notes.append([col.header, _("yes") if col.required else "", str(col.help)])
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    # -- reading ----------------------------------------------------------------------------
    def read(self, data: bytes) -> list[tuple[int, dict[str, Any]]]:
        """(row number, {key: value}) for every non-empty row; ImportFileError for bad files."""
        if len(data) > settings.TOWERWATCH_IMPORT_MAX_BYTES:
            raise ImportFileError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.TOWERWATCH_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(
                _("This is not an Excel .xlsx file (save it as .xlsx and try again).")
            ) from exc
        ws = wb.worksheets[0]
        max_rows = settings.TOWERWATCH_IMPORT_MAX_ROWS
        if ws.max_row and ws.max_row - 1 > max_rows:
            raise ImportFileError(
                _("The file has %(n)s rows; at most %(max)s rows can be imported at once.")
                % {"n": ws.max_row - 1, "max": max_rows}
            )
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        by_header = {c.header: c for c in self.columns}
        missing = [c.header for c in self.columns if c.required and c.header not in header]
        if missing:
            raise ImportFileError(
                _(
                    "Required columns are missing: %(cols)s. Download the template for the expected columns."
                )
                % {"cols": "、".join(missing)}
            )
        index = {i: by_header[h].key for i, h in enumerate(header) if h in by_header}
        out: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > max_rows:
                raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": max_rows})
            record = {
                key: _clean(values[i]) if i < len(values) else None for i, key in index.items()
            }
            if any(v not in (None, "") for v in record.values()):
                out.append((number, record))
        wb.close()
        return out

    # -- the import -------------------------------------------------------------------------
    def run(self, data: bytes, *, valid_only: bool = False, dry_run: bool = False) -> ImportResult:
        result = ImportResult()
        try:
            rows = self.read(data)
        except ImportFileError as exc:
            result.fatal = str(exc)
            return result
        result.total = len(rows)
        self.prepare(rows)
        built: list[tuple[int, Any]] = []
        for number, record in rows:
            try:
                built.append((number, self.build_row(record)))
            except ValidationError as exc:
                result.errors.extend(self._row_errors(number, exc))
        if dry_run or not built or (result.errors and not valid_only):
            return result
        with transaction.atomic():
            if not self.write(built, result, valid_only=valid_only):
                transaction.set_rollback(True)
                result.created = result.updated = 0
                return result
            AuditEvent.objects.create(
                user=self.user,
                request_id=get_change_context().request_id,
                kind=AuditKind.IMPORT,
                detail={
                    "what": self.audit_name,
                    "rows": result.total,
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.invalid_rows,
                },
            )
        result.written = True
        return result

    def write(
        self, built: list[tuple[int, Any]], result: ImportResult, *, valid_only: bool
    ) -> bool:
        """Write validated rows; False aborts the import (everything is rolled back).

        Row by row, each in a savepoint, so that in `valid_only` mode a row refused at write
        time is skipped; importers with a set-based path override this.
        """
        for number, item in built:
            try:
                with transaction.atomic():
                    created = self.write_row(item)
            except ValidationError as exc:
                result.errors.extend(self._row_errors(number, exc))
                if not valid_only:
                    return False
                continue
            if created:
                result.created += 1
            else:
                result.updated += 1
        return True

    def _row_errors(self, number: int, exc: ValidationError) -> list[RowError]:
        headers = {c.key: c.header for c in self.columns}
        if hasattr(exc, "error_dict"):
            return [
                RowError(number, headers.get(key, key if key != "__all__" else ""), " ".join(msgs))
                for key, msgs in exc.message_dict.items()
            ]
        return [RowError(number, "", " ".join(exc.messages))]

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:  # noqa: B027  (optional hook)
        """Load lookups for the whole file (regions, organizations) before building rows."""

    @abstractmethod
    def build_row(self, record: dict[str, Any]) -> Any:
        """Build and validate one row's objects; ValidationError keyed by column key."""

    @abstractmethod
    def write_row(self, item: Any) -> bool:
        """Write one validated row; True when it created a new object."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"是", "y", "yes", "true", "1", "√", "✓"}


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))
    mode = forms.ChoiceField(
        label=gettext_lazy("If some rows are invalid"),
        choices=[
            ("all", gettext_lazy("import nothing and show the errors")),
            ("valid_only", gettext_lazy("import the valid rows only")),
            ("check", gettext_lazy("only check the file, import nothing")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )


def import_page(
    request: HttpRequest, importer: Importer, *, title: str, template_url: str
) -> HttpResponse:
    """The upload form and, after a POST, the import's result (400 when nothing was written)."""
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        mode = form.cleaned_data["mode"]
        result = importer.run(
            form.cleaned_data["file"].read(),
            valid_only=mode == "valid_only",
            dry_run=mode == "check",
        )
    failed = result is not None and (result.fatal or (result.errors and not result.written))
    context = {
        "form": form,
        "result": result,
        "columns": importer.columns,
        "title": title,
        "template_url": template_url,
    }
    return render(request, "core/object_import.html", context, status=400 if failed else 200)


def template_download(importer: Importer, filename: str) -> HttpResponse:
    response = HttpResponse(
        importer.template_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
