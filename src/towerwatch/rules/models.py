"""The versioned rule set: every regulatory number the platform applies, with its citation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from towerwatch.core.models import ChangeLoggedModel

from .choices import Confidence


class Rule(ChangeLoggedModel):
    """One edition of one rule: value, standard, edition, clause, dates, source and confidence.

    Several editions of the same `key` live side by side; the one in force on a date is chosen
    by `effective_from` / `superseded_on`. Values marked UNCONFIRMED are configurable and are
    flagged wherever they are used (rules.md, "How to use this file").
    """

    key = models.CharField(_("key"), max_length=120, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    value = models.JSONField(_("value"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    standard = models.CharField(_("standard"), max_length=120)
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    clause = models.CharField(_("clause"), max_length=80, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=40, default="national")
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    superseded_on = models.DateField(_("superseded on"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    confidence = models.CharField(_("confidence"), max_length=12, choices=Confidence.choices)
    note = models.TextField(_("note"), blank=True)
    value_overridden = models.BooleanField(
        _("value set locally"),
        default=False,
        help_text=_("Set when an administrator configured the value; shipped updates keep it."),
    )

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["key", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "edition", "jurisdiction"], name="rule_unique_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.citation})"

    @property
    def citation(self) -> str:
        """Standard, edition and clause as users cite them, e.g. "GB 50016-2014(2018) 表5.1.1"."""
        std = f"{self.standard}-{self.edition}" if self.edition else self.standard
        return f"{std} {self.clause}".strip()

    @property
    def is_unconfirmed(self) -> bool:
        return self.confidence == Confidence.UNCONFIRMED

    def in_force(self, on: dt.date) -> bool:
        started = self.effective_from is None or self.effective_from <= on
        ended = self.superseded_on is not None and self.superseded_on <= on
        return started and not ended

    def as_citation(self) -> dict[str, Any]:
        return {
            "rule": self.key,
            "citation": self.citation,
            "confidence": self.confidence,
            "value": self.value,
        }
