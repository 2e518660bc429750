"""Start-up stays fast: the CLI and a no-op status load nothing heavy (STYLE habit 9), and the
layers only import downwards."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

HEAVY = ("fsspec", "ruamel", "rich", "pandas", "numpy", "starlette", "uvicorn", "pygit2", "yaml")
HEAVY += ("dask", "distributed")  # the cluster executor's, imported only when a command uses it
HEAVY += ("duckdb", "polars", "pyarrow", "scipy")  # the data-quality engine and its peers
SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "trail"


def _modules_after(code: str, cwd) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    )
    return set(out.stdout.split())


def test_importing_the_cli_loads_nothing_heavy(tmp_path):
    loaded = _modules_after("import trail.cli.main", tmp_path)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_noop_status_loads_nothing_heavy(trail_repo):
    trail_repo.gen({"data": {"a": "1"}})
    code = "from trail.cli.main import main; assert main(['-q', 'add', 'data']) == 0"
    subprocess.run([sys.executable, "-c", code], cwd=trail_repo, check=True)
    loaded = _modules_after(
        "from trail.cli.main import main; assert main(['-q', 'status']) == 0", trail_repo
    )
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


def test_noop_repro_reads_yaml_without_pyyaml(trail_repo):
    """Unchanged pipeline and lock files are remembered parses: no PyYAML on a no-op run."""
    trail_repo.gen({"in.txt": "x", "params.yaml": "lr: 1\n"})
    trail_repo.gen(
        "trail.yaml",
        "stages:\n  s:\n    cmd: cp in.txt out.txt\n    deps: [in.txt]\n"
        "    params: [lr]\n    outs: [out.txt]\n",
    )
    code = "from trail.cli.main import main; assert main(['-q', 'repro']) == 0"
    subprocess.run([sys.executable, "-c", code], cwd=trail_repo, check=True)
    loaded = _modules_after(code, trail_repo)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}


# Which packages each layer may import (STYLE.md's layers; a module may use its own layer).
LAYER = {
    "errors": 0, "types": 0, "progress": 0,
    "hashing": 1, "oidstr": 1, "fsutil": 1, "odb": 1, "state": 1, "parallel": 1, "paths": 1,
    "fs": 1,
    "manifest": 2, "pointer": 2, "workspace": 2, "scm": 2, "dialect": 2, "config": 2,
    "yamlio": 2, "yamlcore": 2, "yamlwrite": 2, "lock": 2, "importdeps": 2,
    "repo": 3, "index": 3, "pipeline": 3, "results": 3, "remote": 3,
    "quality": 3,
    "ops": 4, "experiments": 4, "executors": 4, "api": 4, "quality.repo": 4, "registry": 4,
    "cli": 5, "testing": 5, "web": 5, "serving": 5,
}  # fmt: skip


def _layer_key(parts: list[str]) -> str:
    """A package's key in LAYER: ``quality.repo`` when listed on its own, else the top name."""
    two = ".".join(parts[:2])
    return two if two in LAYER else parts[0]


def _trail_imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trail."):
            found.add(_layer_key(node.module.split(".")[1:]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("trail."):
                    found.add(_layer_key(alias.name.split(".")[1:]))
    return found


def test_layers_only_import_downwards():
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        top = _layer_key([p.removesuffix(".py") for p in rel.parts])
        if top == "__init__":
            continue
        assert top in LAYER, f"{rel}: put this module in a layer"
        for imported in _trail_imports(path):
            if imported in LAYER and LAYER[imported] > LAYER[top]:
                bad.append(f"{rel} imports trail.{imported}")
    assert bad == []


def test_only_cli_uses_rich():
    users = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "import rich" in p.read_text() or "from rich" in p.read_text()
    ]
    assert all(u.startswith("cli/") for u in users), users


def test_the_ui_is_loaded_only_by_trail_ui(tmp_path):
    """`trail ui` is registered in the CLI, yet its package (and Starlette) load only when it
    runs: asking for its help loads neither."""
    loaded = _modules_after(
        "from trail.cli.main import main\n"
        "try:\n    main(['ui', '--help'])\nexcept SystemExit:\n    pass",
        tmp_path,
    )
    assert not {m for m in loaded if m.startswith(("trail.web", "starlette", "uvicorn"))}


def test_only_the_web_package_speaks_http_and_nothing_imports_it():
    """Starlette and uvicorn only in ``web/``; ``web/`` imported only by the ``ui`` command."""
    for path in SRC.rglob("*.py"):
        rel = str(path.relative_to(SRC))
        text = path.read_text()
        if rel == "cli/webui.py":  # the command: checks the extra, then imports trail.web
            continue
        if not rel.startswith("web/"):
            assert "starlette" not in text and "import uvicorn" not in text, rel
            if not rel.startswith("testing/"):
                assert "trail.web" not in _trail_modules(path), rel
        else:
            assert "cli" not in _trail_imports(path), rel


def _trail_modules(path: pathlib.Path) -> set[str]:
    """``trail.x.y`` names imported by the module at ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trail"):
            found.add(".".join(node.module.split(".")[:2]))
        elif isinstance(node, ast.Import):
            found.update(".".join(a.name.split(".")[:2]) for a in node.names)
    return found
