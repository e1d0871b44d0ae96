"""``core`` is the lowest layer: it may import Django and the standard library, never a project app.

Read from the source (the AST), not from ``sys.modules``: an import inside a function or under
``TYPE_CHECKING`` is just as much a dependency, and it is found without running it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"

# Every top-level package of the repository is a project app (config, tests and bench included).
PROJECT_PACKAGES = frozenset(path.parent.name for path in ROOT.glob("*/__init__.py")) - {"core"}


def project_imports(source: str, filename: str) -> list[str]:
    """The project modules ``source`` imports, as ``line: module``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                # ``from .. import x`` leaves core for the repository root: a project module.
                found.append(f"{node.lineno}: {'.' * node.level}{node.module or ''}")
                continue
            modules = [node.module] if node.level == 0 and node.module else []
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules = [node.args[0].value]
        else:
            continue
        found.extend(
            f"{node.lineno}: {module}" for module in modules if module.split(".")[0] in PROJECT_PACKAGES
        )
    return found


def test_the_project_apps_are_known():
    # Guards the test itself: an empty set would let every import through.
    apps = {"articles", "reviews", "audit", "accounts", "notifications", "webhooks", "api"}
    assert apps <= PROJECT_PACKAGES


@pytest.mark.parametrize(
    "source",
    [
        "import articles.models",
        "from reviews.workflow import perform",
        "from .. import articles",
        "def later():\n    from notifications import outbox",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from audit.chain import record",
        "import importlib\nimportlib.import_module('webhooks.events')",
    ],
)
def test_the_check_finds_an_upward_import(source):
    assert project_imports(source, "example.py")


def test_the_check_allows_django_the_standard_library_and_core_itself():
    source = "import enum\nfrom django.http import HttpRequest\nfrom .errors import DomainError\n"
    assert project_imports(source, "example.py") == []


def test_core_imports_no_project_app():
    modules = sorted(CORE.rglob("*.py"))
    assert modules, "no module found under core/"
    upward = {
        str(path.relative_to(ROOT)): imports
        for path in modules
        if (imports := project_imports(path.read_text(encoding="utf-8"), str(path)))
    }
    assert upward == {}, f"core/ must import only Django and the standard library: {upward}"
