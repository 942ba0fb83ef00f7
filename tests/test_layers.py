"""The apps' dependency direction (DESIGN.md §2), read from the source: every import statement of
every module (function-level ones too), tests and migrations excepted."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app may import only apps of a lower rank; apps of one rank do not import each other.
RANK = {
    "core": 0,
    "audit": 1,
    "citizens": 2,
    "tickets": 3,
    "documents": 3.5,  # above tickets, below sync: sync sends a ticket's documents with a resubmission
    "sync": 4,
    "notifications": 4,  # beside sync: it listens to tickets
    "families": 5,
    "whatsapp": 5,  # the inbound side: answers with tickets' look-up, records notifications' receipts
    "desk": 6,
    "offices": 7,  # the hierarchy's roll-up: reads the desk's figures for many offices
    "helpdesk": 8,  # the project: may import every app
}
ISOLATED = {"mockregistry", "mockwhatsapp"}  # stands for a system we do not own: imports no other app
APPS = set(RANK) | ISOLATED
NOT_APPS = {
    "tests",
    "bench",
    "scripts",
}  # the test suite, the benchmarks and the ops scripts may import every app
PRESENT = sorted(app for app in APPS if (ROOT / app).is_dir())  # desk/ may not exist yet


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" not in parts and "tests" not in parts:
            yield path


def imported_apps(path: Path) -> set[str]:
    """Return the project apps `path` imports (absolute imports only: the project uses no others)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.partition(".")[0] for name in names} & APPS
    return found


def app_graph() -> dict[str, dict[str, set[str]]]:
    """Return {app: {imported app: modules that import it}}."""
    graph = {app: {} for app in APPS if (ROOT / app).is_dir()}
    for app in graph:
        for path in modules_of(app):
            for other in imported_apps(path) - {app}:
                graph[app].setdefault(other, set()).add(str(path.relative_to(ROOT)))
    return graph


def test_every_top_level_package_has_a_place_in_the_layers():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    assert packages - NOT_APPS - APPS == set()


def test_the_graph_reads_real_imports():
    graph = app_graph()
    assert "core" in graph and "citizens" in graph["tickets"] and "core" in graph["sync"]


@pytest.mark.parametrize("app", PRESENT)
def test_an_app_imports_only_the_apps_below_it(app):
    graph = app_graph()
    if app in ISOLATED:
        allowed = set()
    else:
        allowed = {other for other in RANK if RANK[other] < RANK[app]}
    wrong = {other: sorted(paths) for other, paths in graph[app].items() if other not in allowed}
    assert wrong == {}


def test_core_imports_no_app():
    assert app_graph()["core"] == {}


def test_no_app_level_import_cycle():
    graph = {app: set(imports) for app, imports in app_graph().items()}
    done, path = set(), []

    def visit(app):
        if app in path:
            pytest.fail("import cycle: " + " -> ".join([*path[path.index(app) :], app]))
        if app in done:
            return
        path.append(app)
        for other in sorted(graph[app]):
            visit(other)
        path.pop()
        done.add(app)

    for app in sorted(graph):
        visit(app)
