"""Load a landing folder of chat, web, CRM, payment and experiment files into DuckDB.

The same as `chatperf-load` (installed by `make setup`): the code is in
chatperf/cli/load.py; `--help` lists the options.
"""

import sys

from chatperf.cli.load import main

if __name__ == "__main__":
    sys.exit(main())
