"""Uploaded photos: real images, within the size limit (issue 4, bad input)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


def validate_photo(upload: Any) -> None:
    """Refuse a file that is not a JPEG/PNG/WebP image or is larger than the configured limit."""
    limit = settings.TOWERWATCH_PHOTO_MAX_BYTES
    name = getattr(upload, "name", "") or _("the file")
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size).1f MB; photos may be at most %(limit).0f MB.")
            % {"name": name, "size": upload.size / 1e6, "limit": limit / 1e6}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("%(name)s is not an image.") % {"name": name}) from None
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(name)s is a %(format)s image; use JPEG, PNG or WebP.")
            % {"name": name, "format": fmt}
        )
