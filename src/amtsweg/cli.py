"""The `amtsweg` console command: Django's manage entry point.

Sub-commands may be written with hyphens (`amtsweg import-reference`); they map to the
Django management command with underscores.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "amtsweg"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
