"""The floors hold: read every module's imports (as text, nothing is run) and check that no arrow
runs back down-to-up.

- `mps_ict/` is the ground: it imports no area and nothing above it.
- The areas (`savings/`, `portfolio/`, `mobile_assets/`, `contracts/`) stand side by side on the ground: each
  imports `mps_ict/` and itself only.
- `reporting/` and `demo_data/` stand above the areas; nothing below imports them.
- No two modules import each other, directly or round a longer circle.

Tests are left out: a test may set up records in any area.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUND = "mps_ict"
AREAS = ("savings", "portfolio", "mobile_assets", "contracts")
ABOVE = ("reporting", "demo_data")
PACKAGES = (GROUND, *AREAS, *ABOVE)
MAY_IMPORT = {
    GROUND: {GROUND},
    **{area: {GROUND, area} for area in AREAS},
    **{top: {GROUND, *AREAS, top} for top in ABOVE},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules a module imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = name.split(".")[: -node.level] if path.name != "__init__.py" else name.split(".")
            names.add(".".join(base + ([node.module] if node.module else [])))
    return {imported for imported in names if imported in MODULES and imported != name}


IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_modules_are_found():
    assert "mps_ict.audit" in MODULES and "reporting.selectors" in MODULES and "savings.selectors" in MODULES


@pytest.mark.parametrize("package", PACKAGES)
def test_each_floor_imports_only_what_it_stands_on(package):
    wrong = sorted(
        f"{module} imports {imported}"
        for module, imported_names in IMPORTS.items()
        if module.split(".")[0] == package
        for imported in imported_names
        if imported.split(".")[0] not in MAY_IMPORT[package]
    )
    assert wrong == []


def test_no_import_circles():
    circles = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(IMPORTS[module]):
            if state.get(imported) == "open":
                circles.append(" -> ".join([*path[path.index(imported) :], imported]))
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(IMPORTS):
        if module not in state:
            visit(module, [module])
    assert circles == []
