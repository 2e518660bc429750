"""A small real pipeline for experiment tests: params → train → metrics and a cached model."""

from __future__ import annotations

TRAIN = """\
import json, re
text = open("params.yaml").read()
lr = float(re.search(r"lr: ([-0-9.e]+)", text).group(1))
epochs = int(re.search(r"epochs: ([0-9]+)", text).group(1))
json.dump({"acc": round(lr * epochs, 6), "loss": {"train": round(1 - lr, 6)}},
          open("metrics.json", "w"))
open("model.bin", "w").write(f"model lr={lr} epochs={epochs}\\n")
print(f"trained with lr={lr}")
"""

PARAMS = """\
# training parameters
train:
  lr: 0.1  # learning rate
  epochs: 3
"""


def pipeline(pipeline_file: str = "trail.yaml") -> str:
    return """\
stages:
  train:
    cmd: python3 train.py
    deps: [train.py]
    params: [train.lr, train.epochs]
    outs: [model.bin]
    metrics:
    - metrics.json:
        cache: false
"""


def make_project(tmp, pipeline_file: str = "trail.yaml", commit: bool = True) -> None:
    tmp.gen({"train.py": TRAIN, "params.yaml": PARAMS, pipeline_file: pipeline(pipeline_file)})
    if commit:
        tmp.git("add", "-A")
        tmp.git("commit", "-q", "-m", "pipeline")


def exp_refs(tmp, namespace: str = "refs/exps/") -> dict[str, str]:
    out = tmp.git("for-each-ref", "--format=%(refname) %(objectname)", namespace)
    return {
        name.rsplit("/", 1)[1]: sha for name, sha in (line.split() for line in out.splitlines())
    }
