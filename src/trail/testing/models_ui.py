"""For the Models page's tests: the demo project (``webui``) with its model in the registry,
made with the real ``trail``.

On top of the demo project's history: ``model.json`` declared as the artifact ``clf``
(committed), registered as v1.0.0; ``train.shrink`` set to 0.9, rerun, committed and
registered as v1.1.0 (a minor bump); ``prod`` assigned to v1.0.0, then ``dev`` to v1.1.0.
Each tag has a second of its own, fixed (GTO orders tags by their time, to the second).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from trail.testing.env import trail_exe
from trail.testing.webui import UiServer, env, run

START = 1_750_000_000  # 2025-06-15


def add_models(root: Path) -> Path:
    trail = trail_exe()
    clock = itertools.count(START, 60)

    def at(*args: str) -> str:
        stamp = f"{next(clock)} +0000"
        dated = {**env(), "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_DATE": stamp}
        return run(list(args), root, dated)

    at(trail, "artifacts", "add", "clf", "model.json", "--type", "model", "--desc",
       "nearest centroids", "--label", "demo")  # fmt: skip
    at("git", "commit", "-q", "-am", "declare the model")
    at(trail, "artifacts", "register", "clf", "--version", "v1.0.0")
    params = root / "params.yaml"
    params.write_text(params.read_text().replace("shrink: 1.0", "shrink: 0.9"))
    at(trail, "repro", "-q")
    at("git", "commit", "-q", "-am", "shrink 0.9")
    at(trail, "artifacts", "register", "clf", "--bump", "minor")
    at(trail, "artifacts", "assign", "clf", "--version", "v1.0.0", "--stage", "prod")
    at(trail, "artifacts", "assign", "clf", "--version", "v1.1.0", "--stage", "dev")
    return root


@pytest.fixture(scope="session")
def models_project(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project with its model registered, built once: copy it to change it."""
    root = tmp_path_factory.mktemp("models") / "demo"
    shutil.copytree(demo_project, root, symlinks=True)
    return add_models(root)


@pytest.fixture
def models_copy(models_project: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "models"
    shutil.copytree(models_project, dest, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def models_server(
    models_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[UiServer]:
    """``trail ui`` on a copy of ``models_project``, for the session (the Models page test
    changes the registry through the page)."""
    root = tmp_path_factory.mktemp("models-served") / "demo"
    shutil.copytree(models_project, root, symlinks=True)
    server = UiServer(root).start()
    yield server
    server.stop()
