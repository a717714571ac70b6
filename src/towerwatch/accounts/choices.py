from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a member may do for its organization."""

    ADMIN = "admin", _("administrator")
    STAFF = "staff", _("staff")
    VIEWER = "viewer", _("viewer")
    GRID_OFFICER = "grid_officer", _("grid officer")
    OPERATOR = "operator", _("control-room operator")


#: Roles that may change registry objects inside their scope.
EDITING_ROLES = (Role.ADMIN, Role.STAFF)
