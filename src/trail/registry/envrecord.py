"""The environment the run that made an artifact ran in: the kept log of the stage run whose
outputs are the ones the commit records (``trail repro`` keeps Python, platform and packages
with each run), else the record of an experiment whose lock file records them; if neither is
kept, the environment here, marked as such."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from trail.repo import Repo


def environment_for(
    repo: Repo, stage: str | None, outs: Mapping[str, str | None]
) -> dict[str, Any]:
    """``outs``: the stage's outputs (repo path → ``algo:hash`` text) at the bundled commit."""
    if stage is not None and any(outs.values()):
        found = _from_run_logs(repo, stage, outs) or _from_experiments(repo, stage, outs)
        if found is not None:
            return found
    from trail.runenv import runtime

    return {
        "source": "this machine: no kept record of the run that made the artifact",
        "recorded": False,
        **runtime(),
    }


def _key(text: str | None) -> str | None:
    """``md5:ab12.dir`` and a run log's ``md5:ab12`` (an ``Oid``'s text) name the same thing."""
    return None if text is None else text.removesuffix(".dir")


def _from_run_logs(repo: Repo, stage: str, outs: Mapping[str, str | None]) -> dict[str, Any] | None:
    from trail.pipeline import logs

    wanted = _hashes(outs.values())
    for run in reversed(logs.read(repo.private_dir, stage)):
        if run.env and run.returncode == 0 and wanted <= _hashes(run.outs.values()):
            where = f" on worker {run.host}" if run.host else ""
            source = f"run of stage '{stage}'{where} at {_iso(run.started)}"
            env: dict[str, Any] = {
                k: run.env[k] for k in ("python", "platform", "packages") if k in run.env
            }
            return {"source": source, "recorded": True, **env}
    return None


def _hashes(texts: Iterable[str | None]) -> set[str]:
    """The outputs' hashes: content names them, wherever the stage's working directory is."""
    return {k for t in texts if (k := _key(t)) is not None}


def _from_experiments(
    repo: Repo, stage: str, outs: Mapping[str, str | None]
) -> dict[str, Any] | None:
    """An experiment's recorded environment (``env.json`` of its metadata commit), when its
    lock file records the same outputs for the stage."""
    import json

    from trail.pipeline import lockfile
    from trail.scm.exprefs import ENV_FILE, META
    from trail.scm.refs import list_refs

    git = repo.scm
    if git is None:
        return None
    file, _, name = stage.rpartition(":")
    lock = lockfile.lock_path_for(file or repo.dialect.pipeline_file, repo.dialect.lock_file)
    metas = list_refs(git, f"{META}/")
    exp_commits = {m.name: m.parents[0] for m in metas if m.parents}
    locks = git.read_blobs_at((sha, lock) for sha in exp_commits.values())
    wanted = _hashes(outs.values())
    for meta in sorted(metas, key=lambda m: m.time, reverse=True):
        data = locks.get((exp_commits.get(meta.name, ""), lock))
        if data is None:
            continue
        try:
            entry = lockfile.parse(data.decode("utf-8"), lock).get(name)
        except Exception:
            continue
        if entry is None:
            continue
        if wanted <= _hashes(str(i.oid) for i in entry.outs if i.oid is not None):
            blob = git.read_blobs(meta.sha, [ENV_FILE]).get(ENV_FILE)
            if blob is None:
                continue
            record = json.loads(blob)
            env = {k: record[k] for k in ("python", "platform", "packages") if k in record}
            exp = meta.name.rsplit("/", 1)[-1]
            return {"source": f"experiment '{exp}'", "recorded": True, **env}
    return None


def _iso(seconds: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat(timespec="seconds")


def requirements(env: Mapping[str, Any]) -> str:
    """``requirements.txt`` of an environment record: ``name==version``, one a line."""
    packages = env.get("packages") or {}
    return "".join(f"{name}=={version}\n" for name, version in sorted(packages.items()))
