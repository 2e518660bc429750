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
    "config_schema": 2, "yamlio": 2, "yamlcore": 2, "yamlwrite": 2, "lock": 2, "importdeps": 2,
    "repo": 3, "index": 3, "pipeline": 3, "results": 3, "remote": 3,
    "quality": 3, "runenv": 3,
    "ops": 4, "experiments": 4, "executors": 4, "api": 4, "quality.repo": 4, "registry": 4,
    "cli": 5, "testing": 5, "web": 5, "serving": 5,
}  # fmt: skip


def _layer_key(parts: list[str]) -> str:
    """A package's key in LAYER: ``quality.repo`` when listed on its own, else the top name."""
    two = ".".join(parts[:2])
    return two if two in LAYER else parts[0]


def _modules() -> dict[str, pathlib.Path]:
    """Every module of trail by dotted name (a package by its own name)."""
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, path: pathlib.Path) -> set[str]:
    """The trail modules ``module`` imports: absolute and relative imports, ``from trail import
    x``, and ``from pkg import name`` as both ``pkg`` and ``pkg.name`` (its ``__init__`` runs
    first), wherever the import sits (in a function or under TYPE_CHECKING too)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *base.split(".")])
                base = base.rstrip(".")
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        found.update(n for n in names if n in MODULES and n != module)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, kids = work[-1]
            kid = next(kids, None)
            if kid is not None:
                if kid not in index:
                    index[kid] = low[kid] = len(index)
                    stack.append(kid)
                    on_stack.add(kid)
                    work.append((kid, iter(sorted(graph[kid]))))
                elif kid in on_stack:
                    low[node] = min(low[node], index[kid])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


GRAPH = {name: _imported(name, path) for name, path in MODULES.items()}


def test_the_import_graph_sees_every_form_of_import():
    assert "trail.errors" in GRAPH["trail.yamlio"]  # from trail.errors import …
    assert "trail.repo" in GRAPH["trail.ops.add"]  # from trail.repo import Repo
    assert "trail.cli.repos" in GRAPH["trail.cli.data"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_back():
    """No import cycle between modules, not even through a function-level import."""
    assert _cycles(GRAPH) == []


def test_ops_do_not_import_experiments():
    """Experiments are built on operations; what both need (experiment refs) lives in scm."""
    assert not [m for m in MODULES if m.startswith("trail.ops") for t in GRAPH[m]
                if t.startswith("trail.experiments")]  # fmt: skip


def test_layers_only_import_downwards():
    bad = []
    for name, path in MODULES.items():
        if name == "trail":
            continue
        rel = path.relative_to(SRC)
        top = _layer_key(name.split(".")[1:])
        assert top in LAYER, f"{rel}: put this module in a layer"
        for imported in GRAPH[name]:
            key = _layer_key(imported.split(".")[1:]) if imported != "trail" else "trail"
            if key in LAYER and LAYER[key] > LAYER[top]:
                bad.append(f"{rel} imports {imported}")
    assert bad == []


def test_the_readme_layout_lists_every_package_at_its_layer():
    """README's layout block and LAYER say the same: every package, at the same layer (the
    names left of the ``Ln`` column; a line without a mark continues the layer above)."""
    readme = (SRC.parents[1] / "README.md").read_text()
    block = readme.split("Layout (imports only flow down", 1)[1].split("```", 2)[1]
    column = min(line.index(" L0 ") for line in block.splitlines() if " L0 " in line)
    listed: dict[str, int] = {}
    layer = None
    for line in block.splitlines():
        mark = line[column:].split()[:1]
        if mark and mark[0][:1] == "L" and mark[0][1:].isdigit():
            layer = int(mark[0][1:])
        elif not line.startswith("  "):
            layer = None  # src/trail/, tests/, benchmarks/
        for word in line[:column].split():
            key = word.split("/<")[0].removesuffix(".py").rstrip("/").replace("/", ".")
            if layer is not None:
                listed[key] = layer
    assert listed == LAYER


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
    for name, path in MODULES.items():
        rel = str(path.relative_to(SRC))
        text = path.read_text()
        if rel == "cli/webui.py":  # the command: checks the extra, then imports trail.web
            continue
        packages = {".".join(t.split(".")[:2]) for t in GRAPH[name]}
        if not rel.startswith("web/"):
            assert "starlette" not in text and "import uvicorn" not in text, rel
            if not rel.startswith("testing/"):
                assert "trail.web" not in packages, rel
        else:
            assert "trail.cli" not in packages, rel
