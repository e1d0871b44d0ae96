"""What the browser tests do on many pages: log in, take numbered screenshots, run axe-core."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# WCAG 2.0, 2.1 and 2.2, levels A and AA: the tags axe-core files its rules under.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Artifacts:
    """One test's folder: screenshots numbered in the order they were taken, and JSON reports."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def shot(self, page: Page, step: str) -> Path:
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path

    def save_json(self, name: str, data: object) -> Path:
        path = self.folder / f"{name}.json"
        path.write_text(json.dumps(data, indent=2))
        return path


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Through the login page, as a person would; ends on the user's starting page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    # The button's accessible name is exactly its visible text (WCAG 2.5.3, label in name).
    expect(page.get_by_role("button", name=f"Log out {username}", exact=True)).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to the editorial desk")).to_be_visible()


_axe = Axe()


def audit(page: Page, artifacts: Artifacts, name: str) -> list[dict]:
    """Run axe-core (WCAG 2.2 AA rules) on the page as it is now; save the full report beside the
    screenshots and return the violations that block: impact serious or critical."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    artifacts.shot(page, name)
    artifacts.save_json(f"axe-{name}", results.response)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """A readable failure message: rule, impact, help and the offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)
