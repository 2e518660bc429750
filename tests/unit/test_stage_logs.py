"""Per-run stage logs: written, read back oldest first, pruned to the last runs."""

from __future__ import annotations

import os
import subprocess

from trail.pipeline import logs


def _log(stage, started, code=0):
    return logs.RunLog(stage, ["echo hi"], started, started + 1, code, "hi\n", "", {"o": "md5:x"})


def test_write_read_and_prune(tmp_path):
    for i in range(5):
        logs.write(str(tmp_path), _log("sub/dvc.yaml:train@1", 1000.0 + i), keep=3)
    runs = logs.read(str(tmp_path), "sub/dvc.yaml:train@1")
    assert [r.started for r in runs] == [1002.0, 1003.0, 1004.0]
    assert runs[-1].outs == {"o": "md5:x"}
    assert logs.read(str(tmp_path), "sub/dvc.yaml:train@1", last=1)[0].started == 1004.0
    assert logs.read(str(tmp_path), "other") == []
    (folder,) = (tmp_path / "logs").iterdir()
    assert "/" not in folder.name and folder.name.startswith("sub")


def test_live_output_is_there_while_the_run_goes_on(tmp_path):
    from trail.pipeline import logs

    live = logs.Live(str(tmp_path), "sub/dvc.yaml:train@1")
    live.write("epoch 1\n")
    (path,) = logs.running(str(tmp_path), "sub/dvc.yaml:train@1")
    with open(path) as f:
        assert f.read() == "epoch 1\n"
    live.close()
    assert logs.running(str(tmp_path), "sub/dvc.yaml:train@1") == []
    assert logs.read(str(tmp_path), "sub/dvc.yaml:train@1") == []  # not a kept run


def test_a_live_file_left_by_a_dead_process_is_not_running(tmp_path):
    from trail.pipeline import logs

    folder = logs.stage_dir(str(tmp_path), "train")
    os.makedirs(folder)
    open(os.path.join(folder, f"running-{_dead_pid()}.log"), "w").close()
    assert logs.running(str(tmp_path), "train") == []


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
