"""The layers import downward only: renderers, reports and the store read
results from the model, never from the scheduler that produced them."""

from __future__ import annotations

import ast
from pathlib import Path

SCANNER = Path(__file__).parents[1] / "scanner"
READERS_OF_RESULTS = [
    *sorted((SCANNER / "outputs").glob("*.py")),
    *sorted((SCANNER / "store").glob("*.py")),
    SCANNER / "report.py",
    SCANNER / "history.py",
]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_cli_renders_nothing_itself():
    """Tables and JSON documents are made in scanner/outputs/; the CLI's
    commands only choose, write and exit."""
    uses_rich = {
        str(p.relative_to(SCANNER.parent))
        for p in sorted((SCANNER / "cli").glob("*.py"))
        if any(m == "rich.table" for m in _imports(p))
    }
    assert uses_rich == set()


def test_renderers_reports_and_the_store_do_not_import_the_scheduler():
    offenders = {
        str(p.relative_to(SCANNER.parent)): sorted(m for m in _imports(p) if m == "scanner.engine")
        for p in READERS_OF_RESULTS
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_no_core_module_imports_a_provider():
    """The core reaches providers only through their plugins (entry points and
    the hooks on ProviderPlugin), never by importing a provider's module."""
    offenders = {
        str(p.relative_to(SCANNER.parent)): sorted(m for m in _imports(p)
                                                   if m.split(".")[0] == "providers")
        for p in sorted(SCANNER.rglob("*.py"))
    }  # fmt: skip
    assert {p: m for p, m in offenders.items() if m} == {}


def test_each_providers_emulator_lives_beside_it():
    from scanner.plugin import installed_plugins

    for name, plugin in installed_plugins().items():
        assert plugin.emulator == f"providers.{name}.emulator.app"
        module = plugin.emulator_module()
        assert callable(module.start) and callable(module.endpoint_env)
    left = sorted(p.name for p in (SCANNER / "emulators").glob("*.py"))
    # only the generic parts: the server, its faults, and release rhythms relative to now
    assert left == ["__init__.py", "faults.py", "releases.py", "server.py"]
