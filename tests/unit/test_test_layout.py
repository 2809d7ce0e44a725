"""Tests share helpers through helper modules, never by importing each other or a conftest.py;
tests/builders.py, which the benches import too, stays a plain module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `path` imports, relative imports made absolute; for
    `from a import b` both a and a.b, since b may be a module."""
    package = list(path.relative_to(ROOT).parent.parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.append((node.lineno, module))
            names += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return names


def _test_module_or_conftest(name: str) -> bool:
    path = ROOT.joinpath(*name.split(".")).with_suffix(".py")
    return path.is_file() and (path.name.startswith("test_") or path.name == "conftest.py")


def test_no_module_under_tests_imports_a_test_module_or_a_conftest() -> None:
    """A test module may change without breaking another; fixtures reach tests through pytest,
    and what tests share lives in a helper module (tests/builders.py, .../live.py, ...)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, name in _imported(path)
        if _test_module_or_conftest(name)
    ]
    assert not offenders, "move what is shared into a helper module:\n" + "\n".join(offenders)


PLAIN_HELPERS = ("tests.builders", "tests.event_histories", "tests.demand_history")


def test_the_benches_import_only_the_builders_and_the_builders_need_no_pytest() -> None:
    """bench/ builds its floors with tests/builders.py and its histories with
    tests/event_histories.py, which must import neither pytest nor another test helper (so a
    bench never needs the test suite's dependencies)."""
    from_tests = {
        name
        for path in (ROOT / "bench").glob("*.py")
        for _line, name in _imported(path)
        if name.split(".")[0] == "tests" and not name.startswith(PLAIN_HELPERS)
    }
    assert not from_tests, f"bench/ imports {sorted(from_tests)}; only {PLAIN_HELPERS} are plain"
    for helper in ("builders.py", "event_histories.py", "demand_history.py"):
        imported = {name.split(".")[0] for _line, name in _imported(TESTS / helper)}
        assert not imported & {"pytest", "_pytest", "tests", "hypothesis"}, (helper, imported)
