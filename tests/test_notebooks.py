"""The notebooks: numbered, stored without outputs, thin, linted like the package, and executed end to end.

Each notebook runs in a real Jupyter kernel of this interpreter, from the project root (so ``import allkg``
is this checkout's package), on the session's test build ($ALLKG_BUILD_DIR), so whatever it writes lands
in the temporary build directory. Execution times are printed, for the record, not asserted.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebook tests need the test extras: pip install -e .[test]")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
NOTEBOOK_NAME = re.compile(r"^(\d\d)-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$")
RESERVED_NOTEBOOK_NUMBERS = {6}  # the safety layer's notebook, built on its own branch; drop once merged
CELL_TIMEOUT = 120  # seconds; a whole notebook is meant to run well within two minutes
# Folders a run may write to or that tools maintain; everything else in the checkout must stay untouched.
UNTRACKED_DIRS = {".git", "build", ".venv", "venv", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".ruff_cache", ".benchmarks"}


def code_cells(path: Path) -> list:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def python_of(source: str) -> str:
    """Return a cell's source as plain Python, IPython magics (``%matplotlib inline``) turned into calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def test_at_least_five_numbered_notebooks():
    names = [path.name for path in NOTEBOOKS]
    assert len(names) >= 5, f"expected at least five notebooks in notebooks/, found {names}"
    assert all(NOTEBOOK_NAME.match(name) for name in names), f"notebooks are named NN-lower-kebab-case.ipynb: {names}"
    numbers = [int(NOTEBOOK_NAME.match(name).group(1)) for name in names]
    # Branches built side by side reserve numbers (06 is the safety layer's, 07 the treatment layer's), so a branch
    # may lack a number another branch fills: numbers stay unique, and the only gaps are reserved numbers.
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    assert len(numbers) == len(set(numbers)) and numbers[0] == 1, f"notebooks are numbered 01, 02, ... once each: {names}"
    assert set(missing) <= RESERVED_NOTEBOOK_NUMBERS, f"notebooks are numbered without gaps (reserved: {sorted(RESERVED_NOTEBOOK_NUMBERS)}): {names}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_stored_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {index} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count; clear it"
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_is_thin(path: Path):
    """A notebook calls the package; any function or class it needs belongs in allkg, tested there."""
    uses_allkg = False
    for index, cell in enumerate(code_cells(path)):
        tree = ast.parse(python_of(cell.source), filename=f"{path.name}[{index}]")
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{path.name}: a code cell defines {type(node).__name__} at line {node.lineno}; move it into the allkg package"
            )
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                uses_allkg |= any(name == "allkg" or name.startswith("allkg.") for name in names)
    assert uses_allkg, f"{path.name} does not import allkg"


def test_ruff_passes_on_package_and_notebooks():
    """The notebooks are linted with the package's rules ([tool.ruff] in pyproject.toml; ruff reads .ipynb)."""
    try:
        import ruff  # noqa: F401  (only to tell a missing tool from a finding)
    except ImportError:
        pytest.fail("ruff is a test dependency: pip install -e .[test]")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "allkg", "notebooks"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}{result.stderr}"


def checkout_state() -> dict[str, int]:
    """Return path -> modification time of every file of the checkout outside UNTRACKED_DIRS."""
    state = {}
    for directory, subdirectories, files in os.walk(PROJECT_ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in UNTRACKED_DIRS and not name.endswith(".egg-info")]
        for name in files:
            path = Path(directory) / name
            state[str(path.relative_to(PROJECT_ROOT))] = path.stat().st_mtime_ns
    return state


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory) -> Path:
    """A kernelspec folder whose ``python3`` is this interpreter, whatever other kernels the machine has."""
    # On a fresh machine matplotlib builds its font cache on first import and says so on stderr; do it here,
    # once, so that the notice does not land in a notebook's output (the kernels share the cache).
    pytest.importorskip("matplotlib.font_manager")
    kernels = tmp_path_factory.mktemp("kernels")
    spec = kernels / "python3"
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "allkg test", "language": "python"}), encoding="utf-8")
    return kernels


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs(path: Path, build_result, kernel_dir: Path, capsys):
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = {
        **os.environ,
        "ALLKG_BUILD_DIR": str(build_result.outputs["allkg.nt"].parent),  # the test build; outputs go there
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        # A guard, not a sandbox: HTTP(S) through the usual proxy settings fails at once instead of going out.
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
    }
    # IPC (Unix sockets) rather than TCP: the kernel opens no port, and ipykernel has no reason to warn about one
    manager = AsyncKernelManager(
        kernel_name="python3", transport="ipc", ip=str(kernel_dir / "ipc"),  # the sockets' path prefix, outside the checkout
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]),
    )
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(PROJECT_ROOT)}})
    before = checkout_state()
    started = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError, with the cell and traceback, on any error
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[notebook] {path.name}: executed in {seconds:.1f} s")
    warnings = [
        (index, output.text.strip())
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stderr"
    ]
    assert not warnings, f"{path.name} wrote to stderr (cell, text): {warnings}"
    changed = {name for name, mtime in checkout_state().items() if before.get(name) != mtime} | (set(before) - set(checkout_state()))
    assert not changed, f"{path.name} wrote into the checkout instead of build/: {sorted(changed)}"
