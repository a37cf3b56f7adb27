"""Layers depend downward only: the library never imports the studies (sims/) or the analysis layer, studies never
import analysis, and a sweep worker starts without plotting code (docs/architecture.md)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {  # directory -> the statmech_nn namespaces its modules may not import
    "statmech_nn": ("statmech_nn.sims", "statmech_nn.analysis"),
    "sims": ("statmech_nn.analysis",),
    "analysis": ("statmech_nn.sims",),
}
#: The command line and the figure recipes drive simulations and analysis alike: the top of the stack.
APPLICATION = ("sims/cli.py", "sims/reproduce/")
PACKAGE_OF = {"statmech_nn": "statmech_nn", "sims": "statmech_nn.sims", "analysis": "statmech_nn.analysis"}


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module ``path`` imports (at any depth of the file, lazily inside functions too), relative imports
    resolved against ``package`` (the module's own package)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


def modules(directory: str):
    for path in sorted((ROOT / directory).rglob("*.py")):
        rel = path.relative_to(ROOT / directory).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        package = ".".join([PACKAGE_OF[directory], *parts[:-1]] if path.name != "__init__.py"
                           else [PACKAGE_OF[directory], *parts])
        yield path, package


@pytest.mark.parametrize("directory", sorted(LAYERS))
def test_no_upward_imports(directory):
    bad = []
    for path, package in modules(directory):
        if str(path.relative_to(ROOT)).startswith(APPLICATION):
            continue
        for module in imported_modules(path, package):
            if any(module == f or module.startswith(f + ".") for f in LAYERS[directory]):
                bad.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_relative_and_lazy_imports(tmp_path):
    """Negative control: an upward import written relatively, inside a function, is found."""
    module = tmp_path / "worker.py"
    module.write_text("def f():\n    from ..analysis import plots\n    import statmech_nn.sims.cli\n")
    found = imported_modules(module, "statmech_nn.sweep")
    assert "statmech_nn.analysis" in found and "statmech_nn.sims.cli" in found


def test_sweep_worker_and_front_door_import_no_plotting():
    code = ("import sys, statmech_nn, statmech_nn.sweep.worker, statmech_nn.study;"
            "statmech_nn.study.get_study('ising');"
            "bad = [m for m in sys.modules if m.startswith(('matplotlib', 'statmech_nn.analysis'))];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_analysis_keeps_the_matplotlib_backend():
    code = ("import matplotlib; matplotlib.use('svg'); import statmech_nn.analysis;"
            "import sys; sys.exit(0 if matplotlib.get_backend() == 'svg' else 1)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
