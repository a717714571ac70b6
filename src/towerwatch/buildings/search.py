"""Full-text search over building code, name and address, fast at city scale.

Chinese names are searched by two-character words (滨江, 花园) more than by anything longer, so
trigram indexes do not help; TowerWatch keeps a bigram index instead: every two-character window
of the lower-cased search text is a `SearchToken`. A query term of two or more characters first
narrows to the buildings holding its bigrams (an index lookup), then checks the exact substring;
a one-character term falls back to the substring check alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

#: How many of a term's bigrams narrow the search (the substring check does the rest).
MAX_BIGRAMS = 3
#: What a building code looks like as it is typed: the district code, a dash, the serial.
CODE_PREFIX = re.compile(r"^\d{6}-\d*$")


def bigrams(text: str) -> set[str]:
    """The distinct two-character windows of each whitespace-separated word."""
    out: set[str] = set()
    for word in text.lower().split():
        out.update(word[i : i + 2] for i in range(len(word) - 1))
    return out


def index_buildings(buildings: Iterable[Any]) -> None:
    """(Re)build the search tokens of these buildings (their `search_text` must be current)."""
    from .models import SearchToken

    buildings = list(buildings)
    if not buildings:
        return
    SearchToken.objects.filter(building_id__in=[b.pk for b in buildings]).delete()
    SearchToken.objects.bulk_create(
        [
            SearchToken(building_id=b.pk, token=t)
            for b in buildings
            for t in bigrams(b.search_text)
            if not t.isascii()  # ASCII terms (codes, numbers) are matched by substring alone
        ],
        batch_size=5000,
    )


def search(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    """Buildings whose code, name or address contain every whitespace-separated term."""
    from .models import SearchToken

    for term in value.lower().split()[:5]:
        if CODE_PREFIX.match(term):  # a building code, or its start: the unique index answers
            qs = qs.filter(code__startswith=term)
            continue
        if not term.isascii():  # codes and house numbers: digits are in every building's text
            for token in sorted(t for t in bigrams(term) if not t.isascii())[:MAX_BIGRAMS]:
                qs = qs.filter(pk__in=SearchToken.objects.filter(token=token).values("building_id"))
            if len(term) == 2:
                continue  # the token is the term itself: the index answers exactly
        qs = qs.filter(search_text__contains=term)
    return qs
