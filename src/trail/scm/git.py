"""Git through its CLI; bulk reads go through one ``git cat-file --batch``."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence

from trail.errors import ScmError


def git_available() -> bool:
    return shutil.which("git") is not None


def is_bare(path: str) -> bool:
    """A bare Git repository at ``path``: Git's own files there, and no work tree."""
    return (
        os.path.isfile(os.path.join(path, "HEAD"))
        and os.path.isdir(os.path.join(path, "objects"))
        and not os.path.exists(os.path.join(path, ".git"))
    )


class Git:
    def __init__(self, root: str) -> None:
        self.root = root
        self._in_tree: str | None = None

    def in_tree(self, rev: str, path: str) -> str:
        """``rev:path`` for ``cat-file``: ``rev:./path`` is relative to the current directory,
        ``root`` (even a subdirectory of the work tree: ``init --subdir``); a bare repository
        has no work tree, where that form is refused, and its paths start at the top."""
        if self._in_tree is None:
            self._in_tree = "" if is_bare(self.root) else "./"
        return f"{rev}:{self._in_tree}{path}"

    @staticmethod
    def find_root(start: str) -> str | None:
        cur = os.path.abspath(start)
        while True:
            if os.path.exists(os.path.join(cur, ".git")):
                return cur
            parent = os.path.dirname(cur)
            if parent == cur:
                return None
            cur = parent

    def run(self, *args: str, input: bytes | None = None, check: bool = True) -> str:
        return self.run_env(*args, env=None, input=input, check=check)[1]

    def resolve(self, rev: str) -> str:
        out = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip()
        if not out:
            raise ScmError(f"unknown revision '{rev}'")
        return out

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).strip())

    def project_commits(self) -> list[str]:
        """Every commit of the project, newest first: those HEAD, branches, remote branches and
        tags reach (experiments and trail's own refs are not the project's history)."""
        if not self.has_commits():
            return []
        return self.run("rev-list", "HEAD", "--branches", "--remotes", "--tags").split()

    def ls_tree(self, rev: str, suffixes: Sequence[str]) -> list[str]:
        """Paths of files at ``rev`` whose names end with one of ``suffixes`` (relative to
        ``root``, which may be a subdirectory of the Git work tree: ``init --subdir``)."""
        out = self.run("ls-tree", "-r", "-z", "--name-only", rev)
        return [p for p in out.split("\0") if p and p.endswith(tuple(suffixes))]

    def read_blobs(self, rev: str, paths: Iterable[str]) -> dict[str, bytes]:
        """Contents of many files at one revision with a single ``cat-file --batch``."""
        found = self.read_blobs_at((rev, p) for p in paths)
        return {path: data for (_, path), data in found.items()}

    def read_blobs_at(self, requests: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        """Contents of ``(rev, path)`` pairs, across revisions, with one ``cat-file --batch``;
        missing ones are left out."""
        requests = list(dict.fromkeys(requests))
        if not requests:
            return {}
        request = "".join(f"{self.in_tree(rev, p)}\n" for rev, p in requests).encode()
        try:
            proc = subprocess.run(
                ["git", "cat-file", "--batch"], cwd=self.root, input=request, capture_output=True
            )
        except FileNotFoundError:
            raise ScmError("git is not installed (trail needs the `git` command)") from None
        out, pos, result = proc.stdout, 0, {}
        for key in requests:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            pos = nl + 1
            if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
                continue
            size = int(header[2])
            if header[1] == b"blob":  # a directory's tree is not a file's content
                result[key] = out[pos : pos + size]
            pos += size + 1
        return result

    def files_named(self, shas: Sequence[str], name: str) -> dict[str, list[str]]:
        """Paths of the files called ``name`` (at any depth) in each commit of ``shas``.

        One ``git grep`` walks every commit's tree in C (a tree walk per commit from Python
        would cost a process each); an empty file matches no line and is left out, which
        is fine for the pipeline files this looks for (an empty one declares nothing).
        """
        found: dict[str, list[str]] = {sha: [] for sha in shas}
        unique = list(found)
        for start in range(0, len(unique), 400):  # keep the command line short
            out = self.run(
                *("-c", "grep.fallbackToNoIndex=false", "grep", "-l", "-z"),
                *("-I", "-e", ""),
                *unique[start : start + 400],
                *("--", name, f"*/{name}"),
                check=False,
            )
            for hit in out.split("\0"):
                sha, sep, path = hit.partition(":")
                if sep and sha in found:
                    found[sha].append(path)
        return {sha: sorted(paths) for sha, paths in found.items()}

    def refs(self, pattern: str) -> list[str]:
        out = self.run("for-each-ref", "--format=%(objectname)", pattern)
        return sorted(set(out.split()))

    def all_commits(self) -> list[str]:
        return self.run("rev-list", "--all").split()

    def add(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        if paths:
            self.run("add", "--", *paths)

    def is_tracked(self, path: str) -> bool:
        return bool(self.run("ls-files", "--", path, check=False).strip())

    def ls_files(self) -> list[str]:
        """Files Git tracks in the checked-out tree (posix, repo-relative)."""
        return [p for p in self.run("ls-files", "-z").split("\0") if p]

    def run_env(
        self,
        *args: str,
        env: dict[str, str] | None,
        input: bytes | None = None,
        check: bool = True,
    ) -> tuple[int, str, str]:
        """``git args``, with extra environment variables if given (a temporary
        ``GIT_INDEX_FILE``, an identity); returns (exit code, stdout, stderr), raising on
        failure when ``check``."""
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=self.root,
                input=input,
                capture_output=True,
                check=False,
                env={**os.environ, **env} if env else None,
            )
        except FileNotFoundError:
            raise ScmError("git is not installed (trail needs the `git` command)") from None
        err = proc.stderr.decode(errors="replace")
        if check and proc.returncode != 0:
            lines = err.strip().splitlines()
            raise ScmError(f"git {args[0]} failed: {lines[-1] if lines else proc.returncode}")
        return proc.returncode, proc.stdout.decode("utf-8", errors="surrogateescape"), err


def clone(url: str, dest: str, rev: str | None = None) -> Git:
    """Clone ``url`` (a Git URL or a local path) into ``dest``, checked out at ``rev``."""
    git = Git(os.path.dirname(dest) or ".")
    git.run("clone", "-q", "--no-checkout", url, dest)
    repo = Git(dest)
    target = "HEAD"
    if rev:
        try:
            target = repo.resolve(rev)
        except ScmError:
            try:  # a branch of the source, not yet a local one
                target = repo.resolve(f"origin/{rev}")
            except ScmError:
                raise ScmError(f"unknown revision '{rev}' in {url}") from None
    repo.run("checkout", "-q", "--detach", target)
    return repo
