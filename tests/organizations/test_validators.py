from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from towerwatch.organizations.validators import (
    credit_code_check_char,
    mask_phone,
    normalize_phone,
    validate_credit_code,
)

# Real unified social credit codes published by their holders (GB 32100 check digit valid).
VALID_CODES = ["91350100M000100Y43", "91110000600037341L", "11100000000013127D"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_credit_codes_pass(code: str) -> None:
    validate_credit_code(code)


@pytest.mark.parametrize("code", VALID_CODES)
def test_a_changed_check_digit_is_rejected(code: str) -> None:
    wrong = "0" if code[-1] != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code[:-1] + wrong)
    assert exc.value.code == "credit_code_check"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "123",
        "91350100M000100Y4",
        "91350100M000100Y433",
        "9135010OM000100Y43",
        "91350100I000100Y43",
    ],
)
def test_malformed_credit_codes_are_rejected(code: str) -> None:
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_check_char_is_in_the_charset() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("023-47521234", "023-47521234"),
        ("02347521234", "023-47521234"),
        ("010-12345678", "010-12345678"),
        ("023-47521234-801", "023-47521234-801"),
    ],
)
def test_chinese_phones_normalize(raw: str, canonical: str) -> None:
    assert normalize_phone(raw) == canonical


@pytest.mark.parametrize(
    "raw", ["12345", "1381234567", "23812345678", "+1 415 555 2671", "phone", "138123456789"]
)
def test_non_chinese_or_malformed_phones_are_rejected(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("023-47521234") == "023-****1234"
    assert mask_phone("") == ""
