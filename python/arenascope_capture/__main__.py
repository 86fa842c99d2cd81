"""`python -m arenascope_capture`: the bootstrap `arenascope run` starts (see _runner.py)."""

from arenascope_capture._runner import main

main()
