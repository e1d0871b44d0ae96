"""The permission names of ``core.roles`` are the ones stored in the database, and the only
place the project spells them out."""

from __future__ import annotations

import ast
from pathlib import Path

from articles.models import Article
from core import roles

ROOT = Path(__file__).resolve().parents[2]
PERMISSIONS = [roles.DRAFT_ARTICLE, roles.PUBLISH_ARTICLE, roles.MANAGE_ARTICLES, roles.REVIEW_ARTICLE]


def test_each_permission_is_declared_on_the_article_model_under_its_app_label():
    declared = {codename for codename, _label in Article._meta.permissions}
    for permission in PERMISSIONS:
        app_label, codename = roles.split_permission(permission)
        assert app_label == Article._meta.app_label == roles.PERMISSIONS_APP_LABEL
        assert codename in declared, permission


def test_split_permission_gives_the_stored_columns():
    assert roles.split_permission("articles.manage_articles") == ("articles", "manage_articles")


def test_the_editing_roles_are_the_editor_and_the_managing_editor():
    assert {roles.Role.EDITOR, roles.Role.MANAGING_EDITOR} == roles.EDITING_ROLES


def test_no_module_outside_core_spells_a_permission_name():
    """Written once: a search for the constant finds every check (tests and migrations aside)."""
    spelled = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "core", ".venv", "var"} or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and node.value in PERMISSIONS:
                spelled.append(f"{relative}:{node.lineno}: {node.value}")
    assert spelled == []
