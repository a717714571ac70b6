import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """These tests read messages in English (the interface defaults to Chinese; the zh_Hans
    catalog's completeness is tested in tests/core/test_translations.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
