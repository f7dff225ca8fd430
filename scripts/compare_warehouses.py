"""Compare every table of two warehouses row by row.

The same as `chatperf-compare` (installed by `make setup`): the code is in
chatperf/cli/compare.py; `--help` lists the options.
"""

import sys

from chatperf.cli.compare import compare, main  # noqa: F401  (compare: for the tests)

if __name__ == "__main__":
    sys.exit(main())
