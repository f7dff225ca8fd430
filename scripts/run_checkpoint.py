"""Run the Great Expectations checkpoint against the warehouse.

The same as `chatperf-checkpoint` (installed by `make setup`): the code is in
chatperf/cli/checkpoint.py; `--help` lists the options.
"""

import sys

from chatperf.cli.checkpoint import main

if __name__ == "__main__":
    sys.exit(main())
