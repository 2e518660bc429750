"""Per-run stage logs: written, read back oldest first, pruned to the last runs."""

from __future__ import annotations

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
