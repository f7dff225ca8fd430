"""The scheduled job: load new landing files, dbt build, run the checks, docs, publish.

The same as `chatperf-pipeline` (installed by `make setup`): the code is in
chatperf/cli/pipeline.py; `--help` lists the options.
"""

import sys

from chatperf.cli.pipeline import main

if __name__ == "__main__":
    sys.exit(main())
