"""Validators for Chinese identifiers: unified social credit codes and phone numbers."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 统一社会信用代码: 18 characters from this 31-character set (no I, O, Z, S, V).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_RE = re.compile(rf"^[{CREDIT_CODE_CHARSET}]{{18}}$")


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(
        CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Reject a unified social credit code with a wrong form or check digit (GB 32100-2015)."""
    code = (value or "").strip().upper()
    if not _CREDIT_CODE_RE.match(code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V."
            ),
            code="credit_code_form",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check digit of this unified social credit code is wrong (GB 32100)."),
            code="credit_code_check",
        )


def normalize_phone(value: str) -> str:
    """A Chinese mobile or landline number in a canonical form, or ValidationError.

    Mobiles become 11 digits (13812345678); landlines keep their area code and a dash
    (023-47521234, with an extension as 023-47521234-801).
    """
    raw = (value or "").strip().replace(" ", "")
    if not raw:
        return ""
    ext = ""
    m = re.match(r"^(.*?)(?:[-转#,]|ext\.?)(\d{1,6})$", raw)
    if m and re.match(r"^(\+?86)?0\d{2,3}-?\d{7,8}$", m.group(1)):
        raw, ext = m.group(1), m.group(2)
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "Enter a Chinese mobile number (11 digits, e.g. 13812345678) or a landline with its area code (e.g. 023-47521234)."
            ),
            code="phone",
        )
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
        return str(number.national_number)
    # NATIONAL formatting is "023 4752 1234": the area code, then the local number.
    area, *local = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.NATIONAL
    ).split()
    canonical = f"{area}-{''.join(local)}" if local else area
    return f"{canonical}-{ext}" if ext else canonical


def validate_phone(value: str) -> None:
    normalize_phone(value)


def mask_phone(value: str) -> str:
    """Mask the middle of a phone number: 138****5678, 023-****1234."""
    if not value:
        return ""
    if "-" in value:
        area, _sep, rest = value.partition("-")
        local = rest.split("-")[0]
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 8 else "****"
