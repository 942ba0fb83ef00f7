"""axe-core on every page the browser tests open (WCAG 2.2 AA).

axe-core comes from the axe-playwright-python package (its bundled axe.min.js, injected through
Playwright, so no CDN and no change to the page's CSP). Every browser context of the session is
watched: each page is checked after every ``page.goto()`` and once more as it stands when the test
body ends (after clicks, form posts and htmx swaps). Critical and serious violations fail the test
with the page, the rule, the elements and axe's help text.

Checks run at those two synchronous points only: an axe run started from a Playwright event
handler races the test's next action (seen: half the runs lost to "execution context destroyed").
A context with JavaScript off cannot run axe; its pages are counted as unchecked, and
tests/e2e/test_accessibility.py checks every page with JavaScript on.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError

FAILING_IMPACTS = ("critical", "serious")
# Everything axe runs by default: WCAG 2.0-2.2 A/AA plus its best practices (landmarks among them).
OPTIONS = {"resultTypes": ["violations"]}
RUN_AXE = "(options) => axe.run(document, options).then((results) => results.violations)"
NODES_SHOWN = 5


@dataclass(frozen=True)
class Violation:
    page: str  # path and language, e.g. "/tiket/ [id]"
    rule: str
    impact: str
    help: str
    help_url: str
    nodes: tuple[str, ...]  # "target: why", at most NODES_SHOWN

    def __str__(self) -> str:
        lines = [f"  {self.page}  {self.rule} ({self.impact}): {self.help}"]
        lines += [f"      {node}" for node in self.nodes]
        lines.append(f"      {self.help_url}")
        return "\n".join(lines)


def audit(page) -> list[dict]:
    """Return axe-core's violations (all impacts) on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(RUN_AXE, OPTIONS)


def where(page) -> str:
    return f"{_path(page.url)} [{page.evaluate('() => document.documentElement.lang')}]"


def violations_of(where: str, results: list[dict], impacts=FAILING_IMPACTS) -> list[Violation]:
    return [
        Violation(
            page=where,
            rule=result["id"],
            impact=result["impact"],
            help=result["help"],
            help_url=result["helpUrl"],
            nodes=tuple(_describe(node) for node in result["nodes"][:NODES_SHOWN]),
        )
        for result in results
        if result["impact"] in impacts
    ]


def report(violations: list[Violation]) -> str:
    unique = list(dict.fromkeys(violations))  # a page checked after goto and at the end, unchanged
    return f"axe-core found {len(unique)} critical/serious accessibility violation(s):\n" + "\n".join(
        str(v) for v in unique
    )


@dataclass
class Watch:
    """What one test's pages showed: failing violations, pages checked, pages that could not be."""

    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    unchecked: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # page -> "rule (impact)" -> nodes
    finished: bool = False

    def check(self, page) -> list[Violation]:
        """Run axe on the page now; keep and return its critical and serious violations."""
        if page.is_closed() or page.url == "about:blank":
            return []
        if not getattr(page.context, "_sinkron_javascript", True):
            self.unchecked.append(_path(page.url))
            return []
        try:
            results, place = audit(page), where(page)
        except PlaywrightError as error:  # the page moved on while axe ran: say so, do not guess
            self.unchecked.append(f"{_path(page.url)} ({str(error).splitlines()[0]})")
            return []
        found = violations_of(place, results)
        self.counts[place] = {f"{r['id']} ({r['impact']})": len(r["nodes"]) for r in results}
        self.checked += 1
        self.violations.extend(found)
        return found

    def check_open_pages(self, contexts) -> None:
        for context in contexts:
            for page in context.pages:
                self.check(page)


_current: Watch | None = None


def start() -> Watch:
    global _current
    _current = Watch()
    return _current


def current() -> Watch | None:
    return _current


def stop() -> None:
    global _current
    _current = None


def finish(browser) -> None:
    """Check every page still open as it stands now, stop watching, and fail on what was found."""
    global _current
    watch, _current = _current, None
    if watch is None or watch.finished:
        return
    watch.check_open_pages(browser.contexts)
    watch.finished = True
    assert not watch.violations, report(watch.violations)


def watch_every_context(browser) -> None:
    """Make every context this browser opens from now on (and every page in it) checked."""
    new_context = browser.new_context

    def watched_new_context(**options):
        # Without motion: axe measures colours as they are, not halfway through a button's
        # 0.15 s colour transition (Bootstrap drops it under prefers-reduced-motion).
        options.setdefault("reduced_motion", "reduce")
        context = new_context(**options)
        context._sinkron_javascript = options.get("java_script_enabled", True)
        context.on("page", _watch_goto)  # pop-ups
        new_page = context.new_page
        context.new_page = lambda: _watch_goto(new_page())
        close = context.close

        def checked_close(**kwargs):
            watch = current()
            if watch is not None:
                for page in context.pages:
                    watch.check(page)
            close(**kwargs)

        context.close = checked_close
        return context

    browser.new_context = watched_new_context


def _watch_goto(page):
    if getattr(page, "_sinkron_watched", False):
        return page
    page._sinkron_watched = True
    goto = page.goto

    def checked_goto(url, **kwargs):
        response = goto(url, **kwargs)
        watch = current()
        if watch is not None:
            watch.check(page)
        return response

    page.goto = checked_goto
    return page


def _describe(node: dict) -> str:
    target = " ".join(str(part) for part in node["target"])
    why = " ".join((node.get("failureSummary") or "").split()).removeprefix("Fix any of the following: ")
    return f"{target}: {why[:300]}"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
