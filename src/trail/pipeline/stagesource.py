"""Where the runner gets its stages: the loader (``pipeline.load``) when present.

Until the full loader lands, a plain reader covers pipeline files without templating,
``foreach`` or ``matrix``, in the root pipeline file only.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any

from trail.errors import PipelineError
from trail.pipeline.model import Dep, OutKind, ParamsDep, Pipeline, Stage, StageOut, Where
from trail.repo import Repo


def load_all(repo: Repo) -> list[Pipeline]:
    """Every pipeline of the repository, root file first."""
    try:
        from trail.pipeline import load
    except ImportError:
        return _plain(repo)
    return list(load.load_pipelines(repo))


def _plain(repo: Repo) -> list[Pipeline]:
    from trail.yamlio import load_with_nodes

    rel = repo.dialect.pipeline_file
    try:
        with open(repo.path(rel), encoding="utf-8") as f:
            data, _node = load_with_nodes(f.read(), rel)
    except FileNotFoundError:
        return []
    stages = {}
    for name, raw in ((data or {}).get("stages") or {}).items():
        stages[str(name)] = _stage(rel, str(name), raw)
    return [Pipeline(rel, stages, {k: v for k, v in (data or {}).items() if k != "stages"})]


def _join(wdir: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(wdir, path)) if wdir != "." else path


def _stage(file: str, name: str, raw: dict[str, Any]) -> Stage:
    wdir = posixpath.normpath(posixpath.join(posixpath.dirname(file), raw.get("wdir", ".")))
    cmd = raw.get("cmd")
    if cmd is None:
        raise PipelineError("missing 'cmd'", where=file, stage=name)
    lines = tuple(cmd) if isinstance(cmd, list) else tuple(c for c in cmd.splitlines() if c)
    params = []
    for p in raw.get("params") or ():
        if isinstance(p, str):
            params.append((p, "params.yaml"))
        else:
            for f, keys in p.items():
                params.append((keys, f))
    by_file: dict[str, list[str] | None] = {}
    for keys, f in params:
        if keys is None:
            by_file[f] = None
        elif f not in by_file or by_file[f] is not None:
            cur = by_file.setdefault(f, [])
            assert cur is not None
            cur.extend([keys] if isinstance(keys, str) else keys)
    return Stage(
        name=name,
        file=file,
        wdir=wdir,
        cmd=lines,
        raw_cmd=cmd,
        deps=tuple(Dep(d, _join(wdir, d)) for d in raw.get("deps") or ()),
        params=tuple(
            ParamsDep(f, _join(wdir, f), tuple(k) if k is not None else None)
            for f, k in by_file.items()
        ),
        outs=tuple(_outs(raw, wdir)),
        frozen=bool(raw.get("frozen")),
        always_changed=bool(raw.get("always_changed")),
        where=Where(file),
    )


def _outs(raw: dict[str, Any], wdir: str) -> list[StageOut]:
    outs = []
    for kind in OutKind:
        for item in raw.get(kind.value) or ():
            path, opts = (item, {}) if isinstance(item, str) else next(iter(item.items()))
            opts = dict(opts or {})
            outs.append(
                StageOut(
                    path,
                    _join(wdir, path),
                    kind,
                    cache=bool(opts.pop("cache", True)),
                    persist=bool(opts.pop("persist", False)),
                    push=bool(opts.pop("push", True)),
                    remote=opts.pop("remote", None),
                    options=opts,
                )
            )
    return outs


def exists(repo: Repo) -> bool:
    return os.path.exists(repo.path(repo.dialect.pipeline_file))
