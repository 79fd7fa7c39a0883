"""The layering contract (pyproject.toml [tool.importlinter]) holds, and would catch a breach.

`make test` runs `lint-imports` on the tree; these tests run it on a copy of the apps so they can
prove that one upward import - even one hidden inside a function - fails the check.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["resourcecenter", "search", "kb", "forum", "tiers"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path):
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "static")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_layers(tree_copy):
    result = _lint(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        # A content app reaching up into tiers, hidden inside a function.
        ("kb/sneaky.py", "def f():\n    from tiers import gate\n", "Layers"),
        # The core reaching up into a content app.
        ("resourcecenter/sneaky.py", "import kb.selectors\n", "Layers"),
        # search naming an app it should only know through registered providers.
        ("search/sneaky.py", "from forum import models\n", "Layers"),
        # kb and forum must stay independent of each other.
        ("forum/sneaky.py", "from kb import models\n", "independent"),
    ],
)
def test_a_forbidden_import_fails_the_check(tree_copy, module, source, contract):
    (tree_copy / module).write_text(source)
    result = _lint(tree_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken
    assert module.replace("/", ".").removesuffix(".py") in broken
