"""One home for the default paths, and chatperf installable as a package.

chatperf/settings.py holds every default path; profiles.yml (which cannot import Python) repeats
the warehouse path, the Makefile reads them from settings.py, no script edits ``sys.path``, and
pyproject.toml names every package and a command for each CLI. No dbt or warehouse needed.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import tomllib

from chatperf import settings
from chatperf.settings import DEFAULT_DATABASE, PATHS
from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def profile_path_defaults(profile: str) -> list[tuple[str, str]]:
    """Every (variable, default) of an env_var call on a path in profiles.yml."""
    return re.findall(r"env_var\('(CHATPERF_DUCKDB_PATH)', '([^']*)'\)", profile)


def test_profile_uses_the_warehouse_path_of_settings():
    """dbt's warehouse (and the temp directory beside it) default to settings' path."""
    profile = (ROOT / "profiles.yml").read_text()
    found = profile_path_defaults(profile)
    # the path itself, and the temp directory's fallback '<database>.tmp' (as duckdb_bounds)
    assert len(found) == 2, found
    assert set(found) == {("CHATPERF_DUCKDB_PATH", DEFAULT_DATABASE)}, found
    (temp_line,) = [x for x in profile.splitlines() if x.strip().startswith("temp_directory:")]
    assert f"env_var('CHATPERF_DUCKDB_PATH', '{DEFAULT_DATABASE}') ~ '.tmp'" in temp_line
    assert settings.duckdb_bounds(DEFAULT_DATABASE)["temp_directory"].endswith(".tmp")


def test_a_profile_that_disagrees_is_caught():
    """The check above fails on a profile whose default path differs from settings'."""
    profile = (ROOT / "profiles.yml").read_text()
    moved = profile.replace(f"'{DEFAULT_DATABASE}'", "'data/other.duckdb'", 1)
    assert set(profile_path_defaults(moved)) != {("CHATPERF_DUCKDB_PATH", DEFAULT_DATABASE)}


def test_makefile_takes_its_defaults_from_settings():
    makefile = (ROOT / "Makefile").read_text()
    for default in PATHS.values():
        if "/" in default:  # (`make clean` still names the git-ignored data/ folder)
            assert default not in makefile, f"{default} is repeated in the Makefile"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATPERF_")}
    proc = subprocess.run(
        ["make", "-n", "load", "checks"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    landing, database = PATHS["CHATPERF_LANDING"], PATHS["CHATPERF_DUCKDB_PATH"]
    assert f"scripts/load_landing.py --landing {landing} --database {database}" in proc.stdout
    assert f"scripts/run_checkpoint.py --database {database}" in proc.stdout
    # the environment still overrides a default
    env["CHATPERF_LANDING"] = "/elsewhere"
    proc = subprocess.run(["make", "-n", "load"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert "--landing /elsewhere" in proc.stdout


def test_no_script_edits_sys_path():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "scripts").rglob("*.py")
        if re.search(r"sys\.path\.(insert|append)", p.read_text())
    ]
    assert offenders == []


def test_pyproject_packages_every_chatperf_package_and_each_command_has_a_main():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(p.parent.relative_to(ROOT / "scripts").parts)
        for p in (ROOT / "scripts" / "chatperf").rglob("__init__.py")
    }
    assert listed == on_disk
    commands = PYPROJECT["project"]["scripts"]
    for name in ("load", "generate", "pipeline", "checkpoint", "retention", "explain"):
        assert f"chatperf-{name}" in commands
    for target in commands.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func)), target


def test_the_build_backend_is_pinned_as_in_requirements():
    pins = dict(
        line.split("==") for line in (ROOT / "requirements.txt").read_text().split() if "==" in line
    )
    for requirement in PYPROJECT["build-system"]["requires"]:
        name, version = requirement.split("==")
        assert pins[name] == version, requirement
