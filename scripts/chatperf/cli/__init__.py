"""The command-line tools (console scripts in pyproject.toml; scripts/*.py call the same main)."""
