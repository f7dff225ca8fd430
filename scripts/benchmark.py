"""Benchmark: generate N chat messages, load them, optionally dbt build.

The same as `chatperf-benchmark` (installed by `make setup`): the code is in
chatperf/cli/benchmark.py; `--help` lists the options.
"""

import sys

from chatperf.cli.benchmark import main

if __name__ == "__main__":
    sys.exit(main())
