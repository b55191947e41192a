"""``python -m watchboard.cli``."""

from watchboard.cli import main

main()
