"""Generate a landing folder of realistic demo data.

The same as `chatperf-generate` (installed by `make setup`): the code is in
chatperf/cli/generate.py; `--help` lists the options.
"""

import sys

from chatperf.cli.generate import main

if __name__ == "__main__":
    sys.exit(main())
