"""The layering rules of the code base, checked on every test run (they fail on a violation).

Why a static check of the import graph rather than importing each module in a fresh interpreter
or an import-linter contract: it sees every import, also those inside functions (the ones that
hide a cycle from a plain import, e.g. a `from bot.notify import …` placed in a validator), it
needs no extra dependency, and it runs in milliseconds. Imports under `if TYPE_CHECKING:` are
skipped: they never run.

Rules:
- no import cycle among the project's modules;
- `domain/` imports nothing of the project; `storage/` imports only `domain/`;
- `bot/` (the core) never imports `adapters/`;
- `adapters/` go through the core object: they never import `storage`, and never reach the
  core's internals (`core.store`, `core.analysis`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "domain", "storage", "adapters", "prompts")
CORE_INTERNALS = {"store", "analysis"}


@dataclass
class Module:
    name: str
    path: Path
    imports: dict[str, int] = field(default_factory=dict)  # module → first line importing it
    internals: list[tuple[int, str]] = field(default_factory=list)  # (line, "x.store")


def _modules() -> dict[str, Module]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = Module(name, path)
    return found


def _resolve(name: str, modules: dict[str, Module]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


class _Reader(ast.NodeVisitor):
    def __init__(self, module: Module, modules: dict[str, Module]) -> None:
        self.module = module
        self.modules = modules

    def _add(self, target: str | None, line: int) -> None:
        if target and target != self.module.name:
            self.module.imports.setdefault(target, line)

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(_resolve(alias.name, self.modules), node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module.name
            if self.module.path.name != "__init__.py":
                package = package.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        for alias in node.names:
            full = f"{base}.{alias.name}"
            self._add(full if full in self.modules else _resolve(base, self.modules), node.lineno)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in CORE_INTERNALS:
            self.module.internals.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


@pytest.fixture(scope="module")
def modules() -> dict[str, Module]:
    found = _modules()
    for module in found.values():
        _Reader(module, found).visit(ast.parse(module.path.read_text(encoding="utf-8")))
    return found


def _cycles(modules: dict[str, Module]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(modules[root].imports))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(modules[child].imports)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _violations(modules: dict[str, Module], source: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{module.path.relative_to(REPO)}:{line} imports {target}"
        for module in modules.values()
        if module.name.split(".")[0] == source
        for target, line in module.imports.items()
        if target.split(".")[0] in forbidden
    ]


def test_no_import_cycles(modules: dict[str, Module]) -> None:
    cycles = _cycles(modules)
    details = [
        " → ".join(f"{m} ({', '.join(i for i in modules[m].imports if i in cycle)})" for m in cycle)
        for cycle in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(details)


def test_the_checker_sees_a_cycle_hidden_in_a_function() -> None:
    a, b = Module("a", Path("a.py")), Module("b", Path("b.py"))
    both = {"a": a, "b": b}
    _Reader(a, both).visit(ast.parse("import b\n"))
    _Reader(b, both).visit(ast.parse("def late():\n    from a import x\n"))
    assert _cycles(both) == [["a", "b"]]
    c = Module("c", Path("c.py"))
    _Reader(c, {**both, "c": c}).visit(
        ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n")
    )
    assert c.imports == {}


def test_domain_imports_nothing_of_the_project(modules: dict[str, Module]) -> None:
    assert _violations(modules, "domain", ("bot", "storage", "adapters", "prompts")) == []


def test_storage_imports_only_domain(modules: dict[str, Module]) -> None:
    assert _violations(modules, "storage", ("bot", "adapters", "prompts")) == []


def test_the_core_never_imports_adapters(modules: dict[str, Module]) -> None:
    assert _violations(modules, "bot", ("adapters",)) == []


def test_adapters_go_through_the_core_object(modules: dict[str, Module]) -> None:
    assert _violations(modules, "adapters", ("storage",)) == []
    reaching_in = [
        f"{module.path.relative_to(REPO)}:{line} uses {expression}"
        for module in modules.values()
        if module.name.startswith("adapters.")
        for line, expression in module.internals
    ]
    assert reaching_in == [], "use a Sentibot method instead:\n" + "\n".join(reaching_in)


def test_the_checker_sees_an_adapter_reaching_past_the_core() -> None:
    module = Module("adapters.x", Path("adapters/x.py"))
    _Reader(module, {"adapters.x": module}).visit(
        ast.parse("rows = request.app.state.core.store.runs.recent()")
    )
    assert [expression for _, expression in module.internals] == ["request.app.state.core.store"]
