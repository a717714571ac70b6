from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from towerwatch.core.tables import Column, Table

from .actions import masked_target
from .models import DeliveryAttempt


def _when(value: object) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i:s") if value else ""


def _result(a: DeliveryAttempt) -> str:
    if a.ok:
        return format_html('<span class="badge text-bg-success">{}</span>', _("delivered"))
    return format_html('<span class="badge text-bg-danger">{}</span>', _("failed"))


class DeliveryAttemptTable(Table):
    default_order = "-at"
    columns = (
        Column("at", _("time"), lambda a: _when(a.at), order_by="at"),
        Column("ok", _("result"), _result, order_by="ok"),
        Column("channel", _("channel"), lambda a: a.message.get_channel_display()),
        Column("to", _("to"), lambda a: masked_target(a.message)),
        Column("kind", _("kind"), lambda a: a.message.kind, order_by="message__kind"),
        Column("message", _("message"), lambda a: f"#{a.message_id}", order_by="message"),
        Column("attempt", _("attempts"), lambda a: a.message.attempts),
        Column("status", _("HTTP status"), lambda a: a.status, order_by="status"),
        Column("error", _("error"), lambda a: a.error),
        Column("ms", _("duration (ms)"), lambda a: a.duration_ms, order_by="duration_ms"),
    )
