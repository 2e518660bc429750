"""Start-up stays fast: the CLI and a no-op status load nothing heavy (STYLE habit 9), and the
layers only import downwards."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

HEAVY = ("fsspec", "ruamel", "rich", "pandas", "numpy", "starlette", "pygit2", "yaml")
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
    "config_schema": 2, "yamlio": 2, "yamlcore": 2, "lock": 2, "importdeps": 2,
    "repo": 3, "index": 3, "pipeline": 3, "results": 3, "remote": 3,
    "ops": 4, "experiments": 4, "executors": 4, "api": 4,
    "cli": 5, "testing": 5, "web": 5,
}  # fmt: skip


def _trail_imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("trail."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("trail."):
                    found.add(alias.name.split(".")[1])
    return found


def test_layers_only_import_downwards():
    bad = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        top = rel.parts[0].removesuffix(".py")
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
