"""`make run` on a fresh machine: the database steps of `make setup`, in the Makefile's order,
against an empty SQLite file with the developer settings (whose cache lives in the database).

The test settings use a local-memory cache, so only this test sees what a new developer sees:
migrations write through the database cache, which must exist first.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _setup_database_steps() -> list[list[str]]:
    """The `manage.py` commands of the Makefile's `setup` recipe that build the database."""
    makefile = (REPO / "Makefile").read_text()
    recipe = re.search(r"^setup:.*\n((?:\t.*\n|\s*#.*\n)+)", makefile, re.M)
    assert recipe, "the Makefile has a setup recipe"
    steps = []
    for line in recipe.group(1).splitlines():
        command = line.strip()
        if command.startswith("$(MANAGE) ") and "load_demo" not in command:
            steps.append(command.removeprefix("$(MANAGE) ").split())
    return steps


def test_make_setup_builds_an_empty_database_in_order(tmp_path):
    steps = _setup_database_steps()
    assert [step[0] for step in steps] == ["createcachetable", "migrate"]
    database = tmp_path / "fresh.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "resourcecenter.settings.dev",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    for step in steps:
        result = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *step],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, f"{step}: {result.stderr[-2000:]}"
        assert "no such table" not in result.stderr, f"{step}: {result.stderr[-2000:]}"
    assert database.exists()
