"""Code health: the figures issue 17 tracks, as JSON lines.

- imports of our own packages written inside functions (hidden arrows between packages);
- the longest functions and classes (lines, by the Python AST);
- the import-linter contracts (kept and broken), when `lint-imports` is installed.

Usage: python benchmarks/code_health.py [--quick]   (both modes are the same; it takes seconds)
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

BENCH = "code_health"
ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "kontrolltarn"


def emit(case: str, metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": BENCH, "case": case, "metric": metric, "value": value, "unit": unit,
                      **extra}), flush=True)


def _inner_imports(tree: ast.Module) -> tuple[int, int]:
    """(all imports below module level, those of our own package) in one module."""
    top = {id(node) for node in tree.body}
    every = ours = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in top:
            every += 1
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else node.names[0].name
            relative = isinstance(node, ast.ImportFrom) and node.level > 0
            ours += relative or module.startswith("kontrolltarn")
    return every, ours


def _lines(node: ast.stmt) -> int:
    return (node.end_lineno or node.lineno) - node.lineno + 1


def measure() -> None:
    every = ours = 0
    functions: list[tuple[int, str]] = []
    classes: list[tuple[int, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner, inner_ours = _inner_imports(tree)
        every += inner
        ours += inner_ours
        name = str(path.relative_to(SRC))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append((_lines(node), f"{name}:{node.name}"))
            elif isinstance(node, ast.ClassDef):
                classes.append((_lines(node), f"{name}:{node.name}"))
    emit("src", "imports_inside_functions", every, "imports")
    emit("src", "own_imports_inside_functions", ours, "imports")
    for kind, items in (("function", functions), ("class", classes)):
        items.sort(reverse=True)
        emit("src", f"largest_{kind}", items[0][0], "lines", where=items[0][1],
             next=[f"{w} ({n})" for n, w in items[1:5]])
    lint = shutil.which("lint-imports") or str(ROOT / ".venv" / "bin" / "lint-imports")
    if Path(lint).exists():
        out = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True).stdout
        found = re.search(r"Contracts: (\d+) kept, (\d+) broken", out)
        if found:
            emit("src", "import_contracts_kept", int(found.group(1)), "contracts")
            emit("src", "import_contracts_broken", int(found.group(2)), "contracts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="same as the full run")
    parser.parse_args()
    measure()


if __name__ == "__main__":
    main()
