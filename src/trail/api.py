"""trail's public Python API: read data, params and metrics of any trail or DVC repository —
this one, another on disk, or one behind a Git URL — at any revision.

    import trail.api

    with trail.api.open("data/train.csv", rev="v1") as f:     # streamed, never staged on disk
        header = f.readline()
    model = trail.api.read("model.pkl", repo="git@host:team/project.git", mode="rb")
    url = trail.api.get_url("model.pkl")                      # where it lives on the remote
    params = trail.api.params_show(stages="train")            # {"lr": 0.1, ...}
    metrics = trail.api.metrics_show(rev="main")              # {"acc": 0.91, ...}

Arguments and return shapes follow DVC's ``dvc.api`` so code written for it reads the same.
``repo`` is a path or Git URL (default: the repository around the current directory), ``rev``
any Git revision or an experiment's name (default: the workspace for a local repository, the
default branch for a URL). Paths and targets are relative to the repository root. Errors are
``trail.errors.TrailError`` subclasses with a one-line message.
"""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

__all__ = ["exp_show", "get_url", "metrics_show", "open", "params_show", "read"]


class _Opened(contextlib.AbstractContextManager[IO[Any]]):
    """What ``open`` returns: usable only in a ``with`` statement (the file it yields may be
    a network stream and a temporary clone that must be closed)."""

    def __init__(self, manager: contextlib.AbstractContextManager[IO[Any]]) -> None:
        self._manager = manager

    def __enter__(self) -> IO[Any]:
        return self._manager.__enter__()

    def __exit__(self, *exc: Any) -> bool | None:
        return self._manager.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"trail.api.open() must be used in a with statement (it has no '{name}'): "
            "`with trail.api.open(path) as f: ...`, or use trail.api.read()"
        )


def open(  # mirrors the builtin, as dvc.api does
    path: str,
    repo: str | None = None,
    rev: str | None = None,
    remote: str | None = None,
    mode: str = "r",
    encoding: str | None = None,
) -> _Opened:
    """Open a file of a repository for reading, as a context manager.

    The file comes from the workspace (local repository, no ``rev``), from Git (a file Git
    holds), or, for data trail tracks, from the cache or else from ``remote`` (default: the
    output's own remote, then the default remote) — streamed and checked against its hash
    as it is read: reaching the end of corrupt data raises ``CorruptObjectError``. ``mode``
    is ``"r"`` (text, in ``encoding``) or ``"rb"``.
    """
    if "r" not in mode or set(mode) - set("rbt"):
        raise ValueError(f"trail.api.open reads only: mode {mode!r} is not 'r' or 'rb'")
    return _Opened(_opened(path, repo, rev, remote, mode, encoding))


@contextlib.contextmanager
def _opened(
    path: str, repo: str | None, rev: str | None, remote: str | None, mode: str, enc: str | None
) -> Iterator[IO[Any]]:
    from trail.ops.external import opened_repo
    from trail.ops.locate import locate, open_located

    with opened_repo(repo, rev) as (found, at), _naming_remotes():
        stream = open_located(found, locate(found, path, at), remote)
        with stream if "b" in mode else io.TextIOWrapper(stream, encoding=enc) as f:
            yield f


@contextlib.contextmanager
def _naming_remotes() -> Iterator[None]:
    """The API names a remote by argument, not by a command-line flag."""
    from trail.remote.settings import NoDefaultRemoteError

    try:
        yield
    except NoDefaultRemoteError:
        raise NoDefaultRemoteError("pass remote='NAME'") from None


def read(
    path: str,
    repo: str | None = None,
    rev: str | None = None,
    remote: str | None = None,
    mode: str = "r",
    encoding: str | None = None,
) -> Any:
    """The whole content of a file (``str``, or ``bytes`` with ``mode="rb"``); see ``open``."""
    with open(path, repo=repo, rev=rev, remote=remote, mode=mode, encoding=encoding) as f:
        return f.read()


def get_url(
    path: str, repo: str | None = None, rev: str | None = None, remote: str | None = None
) -> str:
    """The URL of a tracked file on the remote (``remote``, else the output's own, else the
    default one), e.g. ``s3://bucket/store/files/md5/ab/cdef…``. Whether the object is
    really there is not checked. A directory output gives its manifest's URL."""
    from trail.errors import WorkspaceError
    from trail.ops.external import opened_repo
    from trail.ops.locate import PathMissingError, locate_output, object_url

    with opened_repo(repo, rev) as (found, at), _naming_remotes():
        try:
            loc = locate_output(found, path, at, whole_dir=True)
        except PathMissingError as exc:
            raise WorkspaceError(
                f"'{exc.path}' is not tracked by trail in {exc.where}: it has no remote URL"
            ) from None
        return object_url(found, loc, remote)


def params_show(
    *targets: str,
    stages: str | Iterable[str] | None = None,
    repo: str | None = None,
    rev: str | None = None,
    deps: bool = False,
) -> dict[str, Any]:
    """Params of the workspace (or ``rev``) as one dict: ``{"lr": 0.1, "train": {...}}``.

    Without ``targets``: every params file the pipelines use (only the keys a stage names,
    or whole files) plus ``params.yaml`` and top-level ``params:`` files whole; ``targets``
    names files (read whole), ``stages`` keeps the params of those stages (``name`` or
    ``sub/trail.yaml:name``), ``deps=True`` only params some stage depends on. A top-level
    key found in several files is written ``file:key``.
    """
    from trail.ops.external import opened_repo
    from trail.ops.locate import resolve_rev
    from trail.ops.params_show import params_show as show

    chosen = [stages] if isinstance(stages, str) else (list(stages) if stages else None)
    with opened_repo(repo, rev) as (found, at):
        sha = resolve_rev(found, at) if at is not None else None
        files = show(found, list(targets), stages=chosen, rev=sha, deps=deps)
    return _merged(files)


def metrics_show(*targets: str, repo: str | None = None, rev: str | None = None) -> dict[str, Any]:
    """Metrics of the workspace (or ``rev``) as one dict, ``{"acc": 0.9, "loss": {...}}``:
    of ``targets`` (files, relative to the repository root), else of every metrics file the
    pipelines declare. A key found in several files is written ``file:key``; a file that
    does not parse raises ``ResultsFileError``."""
    from trail.ops.external import opened_repo
    from trail.ops.locate import resolve_rev
    from trail.ops.revisions import open_rev
    from trail.results.collect import metrics_of

    with opened_repo(repo, rev) as (found, at):
        sha = resolve_rev(found, at) if at is not None else None
        values = metrics_of(open_rev(found, sha), list(targets))
    for error in values.errors.values():
        raise error
    return _merged(values.data)


def _merged(files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One dict of every file's top-level keys; a key in several files is ``file:key``."""
    counts = Counter(key for data in files.values() for key in data)
    out: dict[str, Any] = {}
    for file, data in files.items():
        out.update({(k if counts[k] == 1 else f"{file}:{k}"): v for k, v in data.items()})
    return out


def exp_show(
    repo: str | None = None,
    revs: str | list[str] | None = None,
    num: int = 1,
    param_deps: bool = False,
    force: bool = False,
) -> list[dict[str, Any]]:
    """Experiments of ``revs`` (default ``HEAD``) and ``num - 1`` baselines before it, one flat
    dict per row as ``dvc.api.exp_show`` gives them: ``Experiment`` (the name; ``None`` for a
    baseline), ``rev`` (``workspace`` or a short commit), ``typ`` (``workspace``, ``baseline``
    or ``branch_commit``), ``Created`` (ISO 8601, UTC), ``parent`` (the baseline commit), then
    one column per param and metric (``file:key`` when several files have the key) and one per
    dep (its hash). ``param_deps=True`` keeps only params some stage depends on; ``force``
    is accepted for compatibility (nothing is cached between calls)."""
    from trail.experiments.show import collect, records
    from trail.ops.external import opened_repo

    wanted: list[str | None] = [revs] if isinstance(revs, str) else [*revs] if revs else [None]
    rows: list[dict[str, Any]] = []
    with opened_repo(repo, None) as (found, _at):
        for rev in wanted:
            shown = collect(found, rev=rev, num=num, queued=False, failed=False)
            rows.extend(_exp_row(r, param_deps) for r in records(shown.rows))
    return rows


def _exp_row(record: dict[str, Any], param_deps: bool) -> dict[str, Any]:
    kind = {"workspace": "workspace", "baseline": "baseline"}.get(record["type"], "branch_commit")
    row: dict[str, Any] = {
        "Experiment": record["name"] if kind == "branch_commit" else None,
        "rev": record["rev"],
        "typ": kind,
        "Created": record["created"],
        "parent": record["baseline"],
    }
    params = record["params"]
    if param_deps:
        deps = record["param_deps"]
        params = {
            f: {k: v for k, v in d.items() if _depends(deps.get(f, ()), k)}
            for f, d in params.items()
        }
    row.update(_merged(record["metrics"]))
    row.update(_merged(params))
    row.update(record["deps"])
    return row


def _depends(keys: Iterable[str], flat_key: str) -> bool:
    return any(flat_key == k or flat_key.startswith(f"{k}.") for k in keys)
