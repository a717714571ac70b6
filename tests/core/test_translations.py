"""The zh_Hans catalog is complete, and the committed .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import towerwatch

LOCALE = Path(towerwatch.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(*, plurals: bool = True) -> list[tuple[str, str, bool]]:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n")[1:]:
        if block.lstrip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr or (not plurals and "msgid_plural" in block):
            continue
        join = lambda m: "".join(re.findall(r'"(.*)"', m.group(1)))  # noqa: E731
        out.append((join(msgid), join(msgstr), "fuzzy" in block.split("msgid")[0]))
    return out


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 400
    untranslated = [i for i, s, _f in entries if not s]
    fuzzy = [i for i, _s, f in entries if f]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_compiled_catalog_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    stale = []
    for msgid, msgstr, _fuzzy in _entries(plurals=False):
        plain = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        expected = msgstr.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if catalog.gettext(plain) != expected:
            stale.append(plain)
    assert not stale, f"run `make messages`: {stale[:5]}"
