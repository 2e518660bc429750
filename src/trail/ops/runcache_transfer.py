"""``push``/``fetch --run-cache``: run-cache entries and the objects they record.

On a remote, entries sit where DVC 3.67 keeps them: ``runs/<key[:2]>/<key>/<value>`` at the
remote's root (beside DVC 2's objects, not under ``files/``), so either tool reads what the
other sent. An entry's name is the sha256 of its content: an entry of that name is never sent
twice, and one whose content does not hash to its name is refused. Objects go before entries,
so an entry on a remote finds its outputs there; DVC sends entries only, so objects an entry
records but the remote lacks are skipped, not failures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from trail.errors import TrailError
from trail.fsutil import atomic_write_text
from trail.ops import used
from trail.pipeline.runcache import runs_dir, value_of
from trail.remote.store import RemoteStore
from trail.repo import Repo
from trail.types import Oid

RUNS = "runs"


@dataclass(frozen=True, slots=True)
class RunEntry:
    rel: str  # runs/<k2>/<key>/<value>, posix
    text: str


def local_entries(repo: Repo) -> dict[str, str]:
    """Every run-cache entry of the cache: ``runs/…`` relative path → absolute path."""
    base = runs_dir(repo.cache_dir)
    found = {}
    for dirpath, _dirs, files in os.walk(base):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, repo.cache_dir).replace(os.sep, "/")
            if _well_formed(rel):
                found[rel] = path
    return found


def remote_entries(store: RemoteStore) -> set[str]:
    if not store.fs.can_list:
        raise TrailError(f"--run-cache needs a remote that can be listed; {store.url} cannot")
    return {f"{RUNS}/{r}" for r in store.fs.walk_files(RUNS) if _well_formed(f"{RUNS}/{r}")}


def _well_formed(rel: str) -> bool:
    parts = rel.split("/")
    return (
        len(parts) == 4
        and parts[0] == RUNS
        and parts[2].startswith(parts[1])
        and len(parts[2]) == 64
        and len(parts[3]) == 64
        and not parts[3].startswith(".")
    )


def entry_oids(text: str, where: str) -> set[Oid]:
    """The objects an entry's outputs record; an unreadable entry records none."""
    from trail.pipeline.lockfile import parse_entry
    from trail.yamlio import load_with_nodes

    try:
        data, _node = load_with_nodes(text, where, core=True)
        entry = parse_entry(data, where, "")
    except TrailError:
        return set()
    return {o.oid for o in entry.outs if o.oid is not None}


def is_sound(text: str, rel: str) -> bool:
    """Whether the entry's content hashes to its name (the ``value`` of SPEC's run-cache)."""
    from trail.pipeline.lockfile import parse_entry
    from trail.yamlio import load_with_nodes

    try:
        data, _node = load_with_nodes(text, rel, core=True)
        return value_of(parse_entry(data, rel, "")) == rel.rsplit("/", 1)[1]
    except TrailError:
        return False


def as_used(oids: set[Oid]) -> list[used.UsedOutput]:
    return [used.UsedOutput(f"<run-cache {o}>", o) for o in sorted(oids, key=str)]


def read_local(paths: dict[str, str]) -> Iterator[RunEntry]:
    for rel, path in sorted(paths.items()):
        try:
            with open(path, encoding="utf-8") as f:
                yield RunEntry(rel, f.read())
        except (OSError, UnicodeDecodeError):
            continue


def send(store: RemoteStore, repo: Repo, rels: list[str], paths: dict[str, str]) -> int:
    for rel in rels:
        store.fs.put_file(paths[rel], rel)
    return len(rels)


def receive(store: RemoteStore, repo: Repo, rels: list[str]) -> tuple[int, dict[str, str]]:
    """Download entries into the cache, refusing any whose content does not match its name."""
    done, failed = 0, {}
    for rel in rels:
        try:
            text = store.fs.read_bytes(rel).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            failed[rel] = str(exc)
            continue
        if not is_sound(text, rel):
            failed[rel] = "its content does not match its name (corrupt); not stored"
            continue
        path = os.path.join(repo.cache_dir, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write_text(path, text)
        done += 1
    return done, failed
