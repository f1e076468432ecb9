"""axe-core run inside the browser: the serious and critical accessibility violations of a page.

The script is the axe-core build bundled by the axe-playwright-python package (a local file,
never fetched from the network); only the script is used, the checks are read here."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import axe_playwright_python
from playwright.sync_api import Page

AXE_SCRIPT = Path(axe_playwright_python.__file__).parent / "axe.min.js"
SEVERE = ("serious", "critical")
RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""}))}));
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    nodes: tuple[tuple[str, str], ...]
    """(CSS selector, axe's summary of what to fix) for each failing element."""

    def describe(self) -> str:
        """The rule, its help text and each failing element, on readable lines."""
        lines = [f"  [{self.impact}] {self.rule}: {self.help}"]
        for target, summary in self.nodes[:8]:
            first = summary.splitlines()[1].strip() if summary.count("\n") else summary
            lines.append(f"      {target}  — {first}")
        if len(self.nodes) > 8:
            lines.append(f"      … and {len(self.nodes) - 8} more")
        return "\n".join(lines)


def severe_violations(page: Page) -> list[Violation]:
    """The serious and critical axe violations of the page the browser shows now."""
    page.wait_for_load_state("load")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # folded parts too
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    found = page.evaluate(RUN)
    return [Violation(v["rule"], v["impact"], v["help"],
                      tuple((n["target"], n["summary"]) for n in v["nodes"]))
            for v in found if v["impact"] in SEVERE]


def report(pages: dict[str, list[Violation]]) -> str:
    """An assertion message listing each page's violations readably (empty when there are none)."""
    return "\n".join(f"{path}:\n" + "\n".join(v.describe() for v in violations)
                     for path, violations in pages.items() if violations)
