"""The audit action registry: each name declared once, and the code names actions only by it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import core.audit_actions as audit_actions

ROOT = Path(__file__).resolve().parents[2]
# The apps whose code writes or listens for audit events (bench writes its rows by COPY, tests
# write made-up actions of their own).
APPS = ("accounts", "api", "articles", "audit", "notifications", "reviews", "site_content", "webhooks")
# The functions that take an audit action as their first argument.
EMITTERS = {"record", "audit", "_schedule_event"}


def _constants() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(audit_actions).items()
        if name.isupper() and isinstance(value, str)
    }


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(), str(path))


def test_every_constant_is_declared_under_its_own_name_and_no_name_twice():
    constants = _constants()
    declared = [action.name for action in audit_actions.declared()]
    assert len(declared) == len(set(declared))
    # Two constants for one name would let one action be searched for under two names.
    assert len(set(constants.values())) == len(constants)
    assert set(constants.values()) <= set(declared)
    for constant, name in constants.items():
        assert constant == name.upper().replace(".", "_"), constant


def test_a_name_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        audit_actions.register(audit_actions.ARTICLE_PUBLISH, "Published again", "{actor} published")
    assert audit_actions.get(audit_actions.ARTICLE_PUBLISH).label == "Published"


@pytest.mark.parametrize("name", ["Article.Publish", "article", "article publish", "article.", ""])
def test_a_name_must_be_lower_case_dotted_words(name):
    with pytest.raises(ValueError, match="lower-case dotted words"):
        audit_actions.register(name, "Label", "Message")
    assert not audit_actions.is_declared(name)


def test_every_action_has_a_label_and_a_message_over_known_fields():
    for action in audit_actions.declared():
        assert action.label.strip() and action.message.strip(), action.name
        # A placeholder is an event field or a payload key: never a format spec or a position.
        for field in audit_actions.placeholders(action.message):
            assert field.isidentifier(), (action.name, field)


def test_an_undeclared_name_is_refused_with_the_nearest_declared_ones():
    typo = r"'article\.publsh' is not a declared audit action.*Did you mean article\.publish"
    with pytest.raises(ValueError, match=typo):
        audit_actions.require_declared("article.publsh")
    with pytest.raises(ValueError, match="not a declared audit action"):
        audit_actions.require_declared(None)
    audit_actions.require_declared(audit_actions.ARTICLE_PUBLISH)


def test_describe_fills_the_message_from_the_event_and_marks_what_an_old_event_lacks():
    assert (
        audit_actions.describe(audit_actions.ARTICLE_PUBLISH, actor="maria", payload={"version": 3})
        == "maria published version 3"
    )
    assert audit_actions.describe(audit_actions.ARTICLE_REJECT, actor="sam", payload={"version": 2}) == (
        "sam rejected version 2: ?"
    )
    # An action the registry does not know (a tool's, a test's) reads as its name.
    assert audit_actions.describe("tool.something_old", actor="sam") == "tool.something_old"


def test_emitters_name_their_action_by_its_declaration():
    """``record("article.publsh", ...)`` or ``record(f"article.{x}", ...)`` cannot be searched for."""
    literal = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if func in EMITTERS and (
                isinstance(first, ast.JoinedStr)
                or (isinstance(first, ast.Constant) and isinstance(first.value, str))
            ):
                literal.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert literal == []


def test_every_declared_name_the_code_refers_to_exists():
    # A misspelt constant would fail only when its line runs; this finds it without running it.
    constants = _constants()
    unknown = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.attr}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "audit_actions"
        and node.attr.isupper()
        and node.attr not in constants
    ]
    assert unknown == []
