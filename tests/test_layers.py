"""The layers point one way: domain <- store <- services <- cli and web.

The core (domain, store, services) works without the command line: it never
imports Click or Rich and never prints.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "patron"
LAYERS = {
    "domain": {"patron.domain", "patron.errors", "patron.dates"},
    "store": {"patron.domain", "patron.errors", "patron.store", "patron.clock", "patron.settings"},
    "services": {
        "patron.domain",
        "patron.errors",
        "patron.store",
        "patron.services",
        "patron.clock",
        "patron.settings",
        "patron.dates",
        "patron.importers",
        "patron.sync",
    },
    "importers": {"patron.domain", "patron.errors", "patron.importers", "patron.dates"},
    # Task stores beside the importers: they read and write VTODOs, never the register.
    "sync": {"patron.domain", "patron.errors", "patron.sync", "patron.dates"},
    "samples": {"patron.domain", "patron.samples"},
    # The web app calls use cases and draws their answers; it holds the store only to hand
    # it to them (and to the plain reader the ranking reads through), never SQL.
    "web": {
        "patron.web",
        "patron.services",
        "patron.domain",
        "patron.reports",
        "patron.settings",
        "patron.errors",
        "patron.clock",
        "patron.dates",
        "patron.store.database",
        "patron.store.reader",
    },
    # A face beside the CLI: the use cases and what they speak in, never the CLI itself.
    "mcp": {
        "patron.__version__",
        "patron.domain",
        "patron.errors",
        "patron.store",
        "patron.services",
        "patron.settings",
        "patron.mcp",
    },
}
UI = ("click", "rich", "typer")
WEB = ("fastapi", "starlette", "uvicorn", "jinja2", "multipart")
SQL = ("sqlalchemy",)


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "patron":
            found.update(f"patron.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_imports_only_what_is_below_it(layer: str) -> None:
    for path in modules(layer):
        for name in imports(path):
            if name.startswith("patron"):
                assert any(
                    name == allowed or name.startswith(allowed + ".") for allowed in LAYERS[layer]
                ), f"{path.name} imports {name}"
            assert name.split(".")[0] not in UI, f"{path.name} imports {name}"
            if layer != "web":
                assert name.split(".")[0] not in WEB, f"{path.name} imports {name}"
            if layer in ("web", "sync"):
                assert name.split(".")[0] not in SQL, f"{path.name} imports {name}"


def test_only_the_web_package_imports_the_web_framework() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "web" in path.relative_to(PACKAGE).parts[:1]:
            continue
        for name in imports(path):
            assert name.split(".")[0] not in WEB, f"{path.relative_to(PACKAGE)} imports {name}"


@pytest.mark.parametrize("layer", sorted(set(LAYERS) - {"mcp"}))
def test_the_core_runs_without_the_optional_sdks(layer: str) -> None:
    """The MCP SDK (and pydantic, which it brings) is an extra: only ``patron.mcp`` uses it."""
    for path in modules(layer):
        for name in imports(path):
            assert name.split(".")[0] not in ("mcp", "pydantic"), f"{path.name} imports {name}"


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_the_core_never_prints(layer: str) -> None:
    for path in modules(layer):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
        ]
        assert not calls, f"{path.name} prints"
