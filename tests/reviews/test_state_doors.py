"""Property 4 (issue 14): an article's state changes through ``reviews.workflow.perform`` only.

The workflow writes each transition's audit event; any other code that set ``state`` would move an
article with no event. This reads the project's own modules (not tests, migrations or ``bench/``,
which loads benchmark data) and fails naming any other place that assigns a ``state`` attribute or
passes ``state`` to ``update``/``update_or_create``/``bulk_update``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "bench", "migrations", ".venv", "var", "node_modules"}
# The one module that moves articles between states.
ALLOWED = {"reviews/workflow.py"}
WRITING_CALLS = {"update", "update_or_create", "bulk_update"}


def project_modules() -> list[Path]:
    return [path for path in ROOT.rglob("*.py") if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)]


def state_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [t.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "state"]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITING_CALLS
        ):
            named = {kw.arg for kw in node.keywords}
            listed = {
                element.value
                for arg in node.args
                if isinstance(arg, ast.List | ast.Tuple)
                for element in arg.elts
                if isinstance(element, ast.Constant)
            }
            if "state" in named | listed or ("defaults" in named and _defaults_name_state(node)):
                lines.append(node.lineno)
    return lines


def _defaults_name_state(call: ast.Call) -> bool:
    for kw in call.keywords:
        if kw.arg == "defaults" and isinstance(kw.value, ast.Dict):
            return any(isinstance(k, ast.Constant) and k.value == "state" for k in kw.value.keys)
    return False


def test_only_the_workflow_sets_an_articles_state():
    found = {}
    for path in project_modules():
        relative = path.relative_to(ROOT).as_posix()
        lines = state_writes(ast.parse(path.read_text(encoding="utf-8")))
        if lines and relative not in ALLOWED:
            found[relative] = lines
    assert found == {}, f"state written outside reviews/workflow.py: {found}"


def test_the_check_sees_a_state_write():
    source = "article.state = 'published'\nArticle.objects.filter(pk=1).update(state='approved')\n"
    assert state_writes(ast.parse(source)) == [1, 2]
