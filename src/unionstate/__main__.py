"""``python -m unionstate``."""

from unionstate.cli import run

run()
