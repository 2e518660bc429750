"""Whether a stage changed since its lock entry, and why, in DVC's ``status --json`` shape.

A stage is changed when its resolved cmd, a dep's hash, a params value or an out's hash differs
from its lock entry, when an out is missing from the cache, when it has no lock entry, or when it
is ``always_changed``. Frozen stages skip the dep checks (as DVC does). Files are hashed through
the workspace builder and its stat cache, so unchanged files are never read again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from trail.pipeline.lockfile import LockEntry, LockItem
from trail.pipeline.model import ParamsDep, Stage, StageOut
from trail.repo import Repo
from trail.types import Kind, Oid
from trail.workspace.build import BuildContext, Built, build


def build_ctx(repo: Repo, algo: str, *, store: bool) -> BuildContext:
    return BuildContext(
        root=repo.root,
        algo=algo,
        state=repo.state,
        ignore=repo.ignore_rules(),
        odb=repo.odb if store else None,
    )


def hash_path(repo: Repo, relpath: str, algo: str, *, store: bool = False) -> Built | None:
    """The object a workspace path hashes to (stored in the cache with ``store``), or None."""
    if not os.path.lexists(repo.path(relpath)):
        return None
    if store:
        from trail.workspace.symlinks import refuse_for_storing

        refuse_for_storing(repo.root, [relpath], "cache the output")
    return build(build_ctx(repo, algo, store=store), relpath)


def item_of(declared: str, built: Built | None) -> LockItem:
    if built is None:
        return LockItem(declared, None)
    return LockItem(declared, built.oid, built.meta)


def in_cache(repo: Repo, oid: Oid) -> bool:
    """An object and, for a directory, every file it lists, are in the cache."""
    if oid.kind is not Kind.TREE:
        return repo.odb.exists(oid)
    if repo.state.tree_complete(oid.algo, oid.hex):
        return True
    from trail import manifest
    from trail.errors import ObjectMissingError

    try:
        entries = manifest.parse(repo.odb.read_bytes(oid), oid.algo, repo.odb.path(oid))
    except ObjectMissingError:
        return False
    if all(repo.odb.exists(e.oid) for e in entries):
        repo.state.mark_trees_complete(oid.algo, [oid.hex])
        return True
    return False


@dataclass
class StageCheck:
    """Checks one stage against its lock entry (files hashed through the stat cache)."""

    repo: Repo
    stage: Stage
    entry: LockEntry | None

    def changes(self) -> list[Any]:
        """DVC's list: ``{"changed deps": …}``, ``{"changed outs": …}``, then bare strings."""
        found: list[Any] = []
        if not self.stage.frozen:
            deps = self.dep_changes()
            if deps:
                found.append({"changed deps": deps})
        outs = self.out_changes()
        if outs:
            found.append({"changed outs": outs})
        if self.always_changed:
            found.append("always changed")
        if self.entry is not None and self.entry.cmd != self.stage.raw_cmd:
            found.append("changed command")
        return found

    @property
    def always_changed(self) -> bool:
        """``always_changed``, or a command with no deps and no outs (DVC's "callback" stage)."""
        stage = self.stage
        return stage.always_changed or not (stage.deps or stage.params or stage.outs)

    def needs_run(self) -> bool:
        """Whether ``repro`` must run the stage (a frozen stage is never "always changed")."""
        if self.entry is None:
            return True
        found = self.changes()
        if self.stage.frozen and "always changed" in found:
            found.remove("always changed")
        return bool(found)

    def dep_changes(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for dep in self.stage.deps:
            old = self.entry.dep(dep.declared) if self.entry else None
            change = self._path_change(dep.path, old)
            if change:
                found[dep.declared] = change
        for pdep in self.stage.params:
            change = self._params_change(pdep)
            if change:
                found[pdep.declared] = change
        return found

    def out_changes(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for out in self.stage.outs:
            change = self._out_change(out)
            if change:
                found[out.declared] = change
        return found

    def _out_change(self, out: StageOut) -> str | None:
        old = self.entry.out(out.declared) if self.entry else None
        if (
            old is not None
            and old.oid is not None
            and out.cache
            and not in_cache(self.repo, old.oid)
        ):
            return "not in cache"
        return self._path_change(out.path, old)

    def _path_change(self, relpath: str, old: LockItem | None) -> str | None:
        algo = old.oid.algo if old is not None and old.oid is not None else self.repo.algo
        built = hash_path(self.repo, relpath, algo)
        if built is None:
            return "deleted"
        if old is None or old.oid is None or built.oid != old.oid:
            return "modified"
        return None

    def _params_change(self, pdep: ParamsDep) -> Any:
        current = read_params(self.repo.root, pdep)
        old = self.entry.params.get(pdep.declared) if self.entry else None
        if current is None:
            return "deleted"
        if old is None:
            return "new"
        found: dict[str, str] = {}
        for key in sorted(set(old) | set(current)):
            if key not in current:
                found[key] = "deleted"
            elif key not in old:
                found[key] = "new"
            elif current[key] != old[key]:
                found[key] = "modified"
        return found or None


def stage_changes(repo: Repo, stage: Stage, entry: LockEntry | None) -> list[Any]:
    return StageCheck(repo, stage, entry).changes()


def read_params(root: str, pdep: ParamsDep) -> dict[str, Any] | None:
    """The values a params dep names, as the lock records them; None when the file is missing."""
    from trail.pipeline import params

    path = os.path.join(root, pdep.path)
    if not os.path.exists(path):
        return None
    data = params.read_params(path, pdep.path)
    if data is None:
        return {}
    if pdep.keys is None:
        return dict(data) if isinstance(data, dict) else {}
    found, _missing = params.select(data, pdep.keys)
    return found
