"""Constants shared by the whole generator, and its one exception."""

GENERATOR_VERSION = "1.0.0"

MS_SECOND = 1_000
MS_MINUTE = 60_000
MS_HOUR = 3_600_000
MS_DAY = 86_400_000

SITE = "https://example-creator.com"
QA_EMAIL_DOMAIN = "example-creator.test"
MANIFEST_NAME = "_manifest.json"
SPOOL_DIR = ".spool"  # scratch space while generating; removed at the end


class GeneratorError(Exception):
    """A problem the user must fix; its message is one line."""
