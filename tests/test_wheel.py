"""The wheel works anywhere: built from the checkout, installed into a fresh venv outside it, used from a temp directory.

One test, in steps, because every step needs the one before it (a real wheel, a real venv, real commands).
The fresh venv gets the third-party dependencies cheaply, through a ``.pth`` line naming this venv's
site-packages (a plain path line: the editable install's finder there is not loaded), and ``allkg``
itself from the wheel only; the test asserts so before anything else runs.
Then, from a temporary directory: allkg build (./build and --out), query, release, diff, view, the library
(load_graph, query) and serve (a named query and an entity IRI over HTTP).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SOURCE_ITEMS = ("allkg", "ontology", "graph", "queries", "pyproject.toml", "README.md", "LICENSE")


def _copy_source(target: Path) -> Path:
    """Copy what a wheel is built from, symlinks kept, so the build sees a clean tree and leaves the checkout alone."""
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in SOURCE_ITEMS:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, target / name)
    return target


def _run(args, cwd: Path, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, accept: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=10) as reply:
                return reply.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_wheel_works_from_a_fresh_venv_outside_the_checkout(tmp_path):
    wheels = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation", "--disable-pip-version-check", "-w", str(wheels),
         str(_copy_source(tmp_path / "src"))],
        capture_output=True, text=True, check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    # pyproject.toml builds cleanly: no deprecation or configuration warning from setuptools (-v shows the backend's output)
    assert not [line for line in (built.stdout + built.stderr).splitlines() if "Warning" in line or "!!" in line], built.stderr[-3000:]
    (wheel,) = wheels.glob("allkg-*.whl")

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=False)
    python = fresh / "bin" / "python"
    # pip --python installs into the pip-less venv; done before the .pth exists, so pip sees no other allkg there.
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "--disable-pip-version-check",
          str(wheel)], tmp_path, dict(os.environ))
    site_packages = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              tmp_path, dict(os.environ)).stdout.strip())
    (site_packages / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ALLKG_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _run([str(python), "-c", "import allkg, allkg.resources as r; print(allkg.__file__); print(r.data_path('graph'))"], work, env)
    package_file, graph_dir = where.stdout.split()
    assert Path(package_file).is_relative_to(fresh), f"allkg imported from {package_file}, not from the wheel in {fresh}"
    assert Path(graph_dir).is_relative_to(fresh) and not Path(graph_dir).is_symlink()

    allkg = str(fresh / "bin" / "allkg")
    _run([allkg, "build"], work, env)
    assert (work / "build" / "allkg.nt").stat().st_size > 10_000
    _run([allkg, "build", "--out", "elsewhere-build"], work, env)
    assert (work / "elsewhere-build" / "allkg.ttl").is_file()

    answer = _run([allkg, "query", "drug-adverse-effects", "-p", "drug=imatinib", "--format", "json"], work, env).stdout
    assert json.loads(answer)["results"]["bindings"], "the named query found nothing"
    _run([allkg, "release", "--out", "release"], work, env)
    assert {"SHA256SUMS", "edges.tsv", "mappings.sssom.tsv", "void.ttl"} <= {path.name for path in (work / "release").iterdir()}
    assert "No statement changed." in _run([allkg, "diff", "build", "release"], work, env).stdout
    _run([allkg, "view", "imatinib", "--out", "imatinib.html"], work, env)
    assert "imatinib" in (work / "imatinib.html").read_text(encoding="utf-8").lower()

    library = _run([str(python), "-c", "import allkg; g = allkg.load_graph(); "
                    "print(len(g), len(allkg.query('drug-adverse-effects', drug='imatinib').rows))"], work, env).stdout.split()
    assert int(library[0]) > 1000 and int(library[1]) > 0

    port = _free_port()
    server = subprocess.Popen([allkg, "serve", "--port", str(port), "--workers", "1"], cwd=work, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        reply = _get(f"http://127.0.0.1:{port}/queries/drug-adverse-effects?drug=imatinib", "application/sparql-results+json",
                     time.monotonic() + 30)
        assert json.loads(reply)["results"]["bindings"]
        turtle = _get(f"http://127.0.0.1:{port}/drug/imatinib", "text/turtle", time.monotonic() + 30).decode("utf-8")
        assert "drug:imatinib" in turtle and "prov:wasDerivedFrom" in turtle
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
