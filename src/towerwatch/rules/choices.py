from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    """How sure the rule set is of a value (rules.md, confidence legend)."""

    C1 = "C1", _("C1 — normative text read")
    C2 = "C2", _("C2 — secondary sources")
    C3 = "C3", _("C3 — clause inferred or sources conflict")
    UNCONFIRMED = "UNCONFIRMED", _("unconfirmed — must be verified")
