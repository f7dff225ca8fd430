"""Delete raw chat transcript text older than N days.

The same as `chatperf-retention` (installed by `make setup`): the code is in
chatperf/cli/retention.py; `--help` lists the options.
"""

import sys

from chatperf.cli.retention import main

if __name__ == "__main__":
    sys.exit(main())
