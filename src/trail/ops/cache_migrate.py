"""``trail cache migrate``: DVC 2's cache objects (md5 of dos2unix'ed text, at the cache's
root) copied into DVC 3's layout (plain md5 under ``files/md5/``), hashed anew, directory
manifests rebuilt with the new ids; with ``dvc_files``, pointer and lock file entries that
still name DVC 2 ids are rewritten to the new ones (``hash: md5`` added), keeping the files'
comments and layout — what ``dvc cache migrate [--dvc-files]`` does. Old objects stay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trail import hashing, manifest
from trail.errors import ObjectStoreError
from trail.odb.layout import LEGACY
from trail.repo import Repo
from trail.types import Kind, Oid

NEW = "md5"


@dataclass
class Migrated:
    objects: int = 0  # objects copied into the new layout
    mapping: dict[str, str] = field(default_factory=dict)  # old id → new id (``….dir`` kept)
    files: list[str] = field(default_factory=list)  # pointer and lock files rewritten
    skipped: list[str] = field(default_factory=list)  # directories with objects missing


def migrate(
    repo: Repo,
    *,
    dvc_files: bool = False,
    dry: bool = False,
    say: Callable[[str], None] = lambda _: None,
) -> Migrated:
    done = Migrated()
    legacy = list(repo.odb.iter_oids(LEGACY))
    with repo.lock():
        for oid in (o for o in legacy if o.kind is Kind.BLOB):
            _blob(repo, oid, done, dry)
        for oid in (o for o in legacy if o.kind is Kind.TREE):
            _tree(repo, oid, done, dry)
        if dry:
            say(f"Would migrate {done.objects} files to DVC 3.0 cache location.")
        else:
            say(f"Migrated {done.objects} files to DVC 3.0 cache location.")
        if dvc_files:
            _rewrite_files(repo, done, dry, say)
    return done


def _blob(repo: Repo, oid: Oid, done: Migrated, dry: bool) -> None:
    src = repo.odb.path(oid)
    new = Oid(NEW, hashing.get(NEW).hash_file(src))
    done.mapping[oid.hex] = new.hex
    done.objects += 1
    if not dry:
        repo.odb.add_file(new, src)


def _tree(repo: Repo, oid: Oid, done: Migrated, dry: bool) -> None:
    old = manifest.format_oid(oid)
    try:
        entries = manifest.parse(repo.odb.read_bytes(oid), LEGACY, repo.odb.path(oid))
    except ObjectStoreError:
        done.skipped.append(old)
        return
    pairs = []
    for entry in entries:
        new_hex = done.mapping.get(entry.oid.hex)
        if new_hex is None:  # a file of it is not in the cache: it cannot be hashed anew
            done.skipped.append(old)
            return
        pairs.append((entry.relpath, new_hex))
    data = manifest.serialize_pairs(pairs, NEW)
    new = manifest.tree_oid(data, NEW)
    done.mapping[old] = manifest.format_oid(new)
    done.objects += 1
    if not dry:
        repo.odb.add_bytes(new, data)
        # DVC also keeps the old manifest's bytes under the new layout; so does this
        repo.odb.add_file(Oid(NEW, oid.hex, Kind.TREE), repo.odb.path(oid))


def _rewrite_files(repo: Repo, done: Migrated, dry: bool, say: Callable[[str], None]) -> None:
    from trail.index import collect
    from trail.pipeline import lockfile
    from trail.pipeline.load import find_pipeline_files

    paths = [pf.path for pf in collect(repo)]
    paths += [lockfile.lock_path_for(p, repo.dialect.lock_file) for p in find_pipeline_files(repo)]
    kind = "DVC" if repo.dialect.name == "dvc" else "pointer"
    for path in paths:
        try:
            with open(repo.path(path), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            continue
        new_text = _rewritten(text, path, done.mapping)
        if new_text is None:
            continue
        say(f"Updating {kind} file '{path}'")
        if not dry:
            from trail.fsutil import atomic_write_text

            atomic_write_text(repo.path(path), new_text)
        done.files.append(path)


def _rewritten(text: str, path: str, mapping: dict[str, str]) -> str | None:
    """``text`` with its DVC 2 entries naming their new ids, or None if nothing changes."""
    from trail.yamlio import load_with_nodes
    from trail.yamlwrite import dump_preserving

    data, _ = load_with_nodes(text, path, core=True)
    changed = _walk(data, mapping)
    return dump_preserving(text, data) if changed else None


def _walk(node: Any, mapping: dict[str, str]) -> bool:
    changed = False
    if isinstance(node, dict):
        value = node.get("md5")
        if "path" in node and "hash" not in node and isinstance(value, str) and value in mapping:
            node["md5"] = mapping[value]
            node["hash"] = NEW  # last, where DVC puts it
            changed = True
        for child in node.values():
            changed |= _walk(child, mapping)
    elif isinstance(node, list):
        for child in node:
            changed |= _walk(child, mapping)
    return changed
