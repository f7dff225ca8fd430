"""List every join of every dbt model as DuckDB plans it; fail on unbounded ones.

The same as `chatperf-explain` (installed by `make setup`): the code is in
chatperf/cli/explain.py; `--help` lists the options.
"""

import sys

from chatperf.cli.explain import main

if __name__ == "__main__":
    sys.exit(main())
