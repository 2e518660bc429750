"""``trail data check``: check tables against ``trail.contracts.yaml``, in the workspace or at
a revision (``data/train.csv@v1``); and the checks ``repro`` makes around a stage."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

from trail.errors import TrailError, WorkspaceError
from trail.paths import is_inside
from trail.progress import NULL, Progress
from trail.quality import contracts as cmod
from trail.quality.errors import ContractFileError, Violation
from trail.quality.repo import targets
from trail.quality.repo.profile import tmp_dir
from trail.repo import Repo
from trail.types import Oid


@dataclass
class CheckResult:
    checked: list[str] = field(default_factory=list)  # the tables checked (labels)
    violations: list[Violation] = field(default_factory=list)


def load_contracts(repo: Repo) -> list[cmod.Contract]:
    found = cmod.load(repo.root)
    if found is None:
        from trail.quality import CONTRACTS_FILE

        raise ContractFileError(CONTRACTS_FILE, None, "no contracts file at the repository root")
    return found


def check(repo: Repo, targets_: Sequence[str] = (), *, progress: Progress = NULL) -> CheckResult:
    """Check the contracts of ``targets_`` (paths, ``path@rev``; default: every contract)."""
    contracts = load_contracts(repo)
    chosen: list[tuple[cmod.Contract, str | None]] = []
    for text in targets_ or ():
        spec = targets.parse(text)
        rel = _rel(repo, spec.path or ".")
        hits = [c for c in contracts if is_inside(c.path, rel) or is_inside(rel, c.path)]
        if not hits:
            raise WorkspaceError(f"no contract in trail.contracts.yaml covers '{text}'")
        chosen += [(c, spec.rev) for c in hits if (c, spec.rev) not in chosen]
    if not targets_:
        chosen = [(c, None) for c in contracts]
    result = CheckResult()
    for contract, rev in chosen:
        spec = targets.in_repo(repo, contract.path, rev)
        result.checked.append(spec.label)
        result.violations += check_one(repo, contract, spec, progress=progress)
    return result


def _rel(repo: Repo, path: str) -> str:
    full = os.path.abspath(path)
    rel = os.path.relpath(full, repo.root).replace(os.sep, "/")
    if rel.startswith(".."):
        raise WorkspaceError(f"'{path}' is outside the repository {repo.root}")
    return rel


def check_one(
    repo: Repo,
    contract: cmod.Contract,
    spec: targets.Spec,
    *,
    oid: Oid | None = None,
    progress: Progress = NULL,
) -> list[Violation]:
    """The broken rules of one contract on the table ``spec`` names (or the data of ``oid``,
    the hash a run recorded for it)."""
    from trail.quality.check import check as check_table
    from trail.quality.engine import Session

    with ExitStack() as stack:
        try:
            if oid is not None:
                found = _recorded(repo, contract.path, oid, spec, stack, progress)
            else:
                found = targets.resolve(repo, spec, stack, progress=progress)
        except TrailError as exc:
            where = contract.where(contract.line)
            return [Violation(spec.label, "", "exists", str(exc), where=where)]
        with Session(tmp_dir(repo)) as session:
            table = session.load(found.source, row_numbers=True)
            reference = None
            if contract.drift is not None:
                ref_spec = targets.in_repo(repo, contract.path, contract.drift.reference)
                ref = targets.resolve(repo, ref_spec, stack, progress=progress)
                reference = session.load(ref.source)
            return check_table(session, table, contract, reference)


def _recorded(
    repo: Repo, path: str, oid: Oid, spec: targets.Spec, stack: ExitStack, progress: Progress
) -> targets.Resolved:
    """The workspace copy when it still hashes to ``oid``, else the cache (or remote)."""
    if targets.workspace_oid(repo, path, oid.algo) == oid:  # None when it is not there
        return targets.resolve(repo, targets.in_repo(repo, path, None), stack, progress=progress)
    source = targets.materialize(repo, oid, path, spec.label, None, progress)
    return targets.Resolved(source, oid, spec)
