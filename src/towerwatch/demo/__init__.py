"""The demo district: Jiangjin (江津区), Chongqing, with synthetic buildings (architecture §7).

`load_demo()` wipes the demo-able data and loads a deterministic district; `PERSONAS` lists
the demo logins (all with the password "towerwatch"); `personas_info()` reads them back.
"""

from __future__ import annotations

from typing import Any, TextIO

from .personas import DEMO_PASSWORD, PERSONAS, Persona, personas_info

__all__ = ["DEMO_PASSWORD", "PERSONAS", "Persona", "load_demo", "personas_info"]


def load_demo(
    buildings: int = 1500, seed: int = 20200424, stdout: TextIO | None = None
) -> dict[str, Any]:
    """Wipe the demo-able data and load the demo district; returns counts and timings."""
    from .loader import load_demo as _load

    return _load(buildings=buildings, seed=seed, stdout=stdout)
