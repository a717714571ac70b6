"""The `towerwatch` console command.

Every subcommand is a Django management command (`towerwatch demo`, `towerwatch run`,
`towerwatch personas`, `towerwatch migrate`, ...), so one entry point serves operators and
developers alike.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    """Run a TowerWatch subcommand."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "towerwatch.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
