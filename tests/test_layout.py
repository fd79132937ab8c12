"""The layout's guard rails (ruff, mypy, import-linter and the formatter run in scripts/lint.sh).

CLI -> features -> shared helpers -> edges is an import-linter layers contract; cores never import
an edge; no import cycles. A failure names the file and line to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_test_command_lints_first_as_a_step_of_its_own():
    script = (ROOT / "scripts/test.sh").read_text()
    assert script.index("bash scripts/lint.sh") < script.index("exec .venv/bin/pytest")
    lint = (ROOT / "scripts/lint.sh").read_text()
    for tool in ("ruff format --check", "ruff check", "mypy", "lint-imports"):
        assert tool.split()[0] in lint and tool.split()[-1] in lint


def test_ruff_targets_the_oldest_supported_python():
    text = (ROOT / "pyproject.toml").read_text()
    minimum = text.split('requires-python = ">=')[1].split('"')[0]
    assert f'target-version = "py{minimum.replace(".", "")}"' in text


@pytest.mark.parametrize(
    "package",
    [
        "label_issue",
        "taxonomy_bot",
        "publish_benchmarks",
        "backport_report",
        "history",
        "dataset",
        "model",
        "missing_info",
        "monitor",
    ],
)
def test_every_feature_package_has_its_tests(package):
    assert (ROOT / "src/labeler" / package).is_dir() and any((ROOT / "tests" / package).glob("test_*.py"))


FAMILIES = {
    "bot": "taxonomy_bot",
    "enable": "taxonomy_bot",
    "precheck": "taxonomy_bot",
    "postcheck": "taxonomy_bot",
    "generate": "taxonomy_bot",
}


def test_every_command_name_maps_to_its_package():
    from labeler.cli import COMMANDS

    for name, (module, _) in COMMANDS.items():
        snake = name.replace("-", "_")
        family = FAMILIES.get(name)
        expected = f"labeler.{family}.{snake}" if family else f"labeler.{snake}"
        assert module in (expected, f"{expected}.command"), (name, module)


def _imported_roots(path: Path) -> set[str]:
    import ast

    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_github_edge_imports_pygithub_or_requests():
    """Any import, even under TYPE_CHECKING or inside a function (which import-linter is told to skip)."""
    edge = ROOT / "src/labeler/gh"
    offenders = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(found))}"
        for path in sorted((ROOT / "src/labeler").rglob("*.py"))
        if edge not in path.parents and (found := _imported_roots(path) & {"github", "requests", "urllib3"})
    ]
    assert offenders == []
    assert {"github", "requests"} <= _imported_roots(edge / "client.py") | _imported_roots(edge / "errors.py")


def _private_reaches(path: Path) -> list[str]:
    """`from m import _name` and `module._name` on an imported name: another module's private parts."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    imported: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {alias.asname or alias.name for alias in node.names}
            found += [f"from {node.module} import {a.name}" for a in node.names if _private(a.name)]
    for node in ast.walk(tree):
        on = node.value if isinstance(node, ast.Attribute) and _private(node.attr) else None
        if isinstance(on, ast.Name) and on.id in imported:
            found.append(f"line {node.lineno}: {on.id}.{node.attr}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_reaches_into_another_modules_private_names():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "src/labeler").rglob("*.py"))
        if (found := _private_reaches(path))
    }
    assert offenders == {}


MAX_BODY_LINES = 40


def _long_functions(root: Path) -> list[str]:
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.body[0].lineno + 1
                if lines > MAX_BODY_LINES:
                    found.append(f"{path.relative_to(root)}:{node.name} ({lines} lines, line {node.lineno})")
    return found


def test_every_function_body_in_src_is_at_most_40_lines():
    """From the first line of the body (a docstring counts) to the last: split anything longer."""
    found = _long_functions(ROOT / "src/labeler")
    assert found == [], "split these functions:\n" + "\n".join(found)


def test_the_length_check_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY_LINES + 1))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    assert [f.split(" ")[0] for f in _long_functions(tmp_path)] == ["m.py:long"]
