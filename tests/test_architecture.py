# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""A fit flows one way: no module imports one that comes after it.

The layers, from the bottom: what knows nothing of the others (the solvers, the
shared linear algebra, what people see of a fit), the words and the checks of
input, then the stages of a fit in the order data flows through them
(statistics, basis, objective, solve), and the estimator on top. Imports inside
functions count too (Dask and matplotlib are imported lazily, and a lazy import
can close a cycle as well as any other).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_quadneuron"

# Each module may import only modules of a lower rank (or of its own package).
RANKS = {
    "_solvers": 0,  # knows nothing of the rest: an objective and options in
    "_linalg": 0,
    "_outputs": 0,
    "datasets": 0,
    "_messages": 1,
    "_validation": 1,
    "_statistics": 2,
    "_basis": 3,
    "_objective": 4,
    "_data_objective": 5,
    "_solve": 6,
    "_dask": 7,
    "_summary": 8,
    "_regressor": 9,
    "__init__": 10,  # the public API
    "plotting": 10,
    "_cli": 11,
    "__main__": 12,
}


def package_imports(path):
    """The package's top-level modules that ``path`` imports, anywhere in it."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PACKAGE).parts)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            # From a subpackage, level 1 stays inside it.
            if node.level < depth:
                continue
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(_module_or_api(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == "sklearn_quadneuron" and len(parts) > 1:
                found.add(parts[1])
    return found


def _module_or_api(name):
    """``from . import name``: a module of the package, or a public name."""
    if (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists():
        return name
    return "__init__"


def top_module(path):
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if top_module(p) in RANKS),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_imports_go_down_only(path):
    module = top_module(path)
    for imported in package_imports(path):
        if imported == module:
            continue
        assert imported in RANKS, f"{module} imports {imported}, which has no rank"
        assert RANKS[imported] < RANKS[module], (
            f"{module} (rank {RANKS[module]}) imports {imported} "
            f"(rank {RANKS[imported]})"
        )


def test_dask_reads_nothing_of_the_estimator():
    text = (PACKAGE / "_dask.py").read_text()
    assert "_regressor" not in text
    # It is handed data and returns statistics: no attribute of an estimator.
    assert "estimator." not in text


def _names_in(path, names):
    """The solver names that ``path`` spells as a value of ``solver``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for name in names:
                quoted = (f"'{name}'", f'"{name}"', f"``{name}``")
                if node.value == name or any(q in node.value for q in quoted):
                    found.add(name)
    return found


def test_each_solver_is_named_in_three_modules_at_most():
    # Its own module, the registry and the estimator's docstring: the rest of
    # the package reads the solver's class. ("momentum" the parameter is not a
    # solver's name.) The command line and the plots, which offer the names to
    # users, do not count.
    from sklearn_quadneuron._solvers import SOLVERS

    names = set(SOLVERS) - {"momentum"}
    where = {name: [] for name in names}
    for path in PACKAGE.rglob("*.py"):
        if top_module(path) in ("_cli", "plotting"):
            continue
        for name in _names_in(path, names):
            where[name].append(str(path.relative_to(PACKAGE)))
    for name, modules in where.items():
        assert len(modules) <= 3, (name, modules)
    # Each solver is one class, whose name attribute is its value of solver.
    assert all(solver.name == name for name, solver in SOLVERS.items())


# -- sizes ------------------------------------------------------------------------

# Outside the plots and the command line, which only read the estimator.
CORE = sorted(
    p for p in PACKAGE.rglob("*.py") if top_module(p) not in ("_cli", "plotting")
)


def _body_lines(node):
    """Lines of a function's body, its docstring not counted."""
    body = node.body
    if (
        len(body) > 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    return node.end_lineno - body[0].lineno + 1


def test_the_core_is_small():
    assert len(CORE) <= 24, [str(p.relative_to(PACKAGE)) for p in CORE]
    for path in CORE:
        lines = len(path.read_text().splitlines())
        assert lines <= 600, f"{path.relative_to(PACKAGE)}: {lines} lines"


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_long(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert _body_lines(node) <= 60, f"{node.name}: {_body_lines(node)}"


def test_the_estimator_class_is_short():
    tree = ast.parse((PACKAGE / "_regressor.py").read_text())
    (cls,) = [
        n
        for n in tree.body
        if isinstance(n, ast.ClassDef) and n.name == "QuadraticGDRegressor"
    ]
    assert cls.end_lineno - cls.lineno + 1 <= 450


def test_the_estimator_records_its_attributes_itself():
    # No fitted attribute arrives through __dict__.update, and no lower layer
    # is handed the estimator to write to: the estimator's module is the only
    # one that assigns an attribute ending in "_" to an object it was given.
    source = (PACKAGE / "_regressor.py").read_text()
    assert "__dict__.update(outcome" not in source
    for path in CORE:
        if path.name == "_regressor.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                owner = node.value
                assert not (isinstance(owner, ast.Name) and owner.id == "estimator"), (
                    f"{path.relative_to(PACKAGE)} writes estimator.{node.attr}"
                )
