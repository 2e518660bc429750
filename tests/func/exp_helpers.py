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


def flat_rows(shown: list) -> list[dict]:
    """``exp show --json`` (DVC's shape) as one flat row per line of the table: ``name``,
    ``type`` (workspace, baseline, experiment, queued), ``rev``, ``baseline``, ``status``
    (a queued run's state), ``timestamp``, flat ``params``/``metrics``, dep/out hashes and the
    ``errors`` of unreadable files."""
    rows = []
    for base in shown:
        kind = "workspace" if base["rev"] == "workspace" else "baseline"
        name = base["name"] or ("workspace" if kind == "workspace" else base["rev"][:7])
        rows.append(_flat_row(base, kind, name, base["rev"], None))
        for group in base["experiments"] or []:
            state = group["executor"]["state"] if group["executor"] else None
            kind = "experiment" if state is None else "queued"
            rows.append(_flat_row(group["revs"][0], kind, group["name"], base["rev"], state))
    return rows


def _flat_row(state: dict, kind: str, name: str, baseline: str, status) -> dict:
    data = state["data"]

    def flat(tree: dict, prefix: str = "") -> dict:
        out = {}
        for key, value in tree.items():
            if isinstance(value, dict) and value:
                out.update(flat(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    def values(files: dict) -> dict:
        return {f: flat(e["data"]) for f, e in files.items() if "data" in e}

    errors = {
        f: e["error"]["msg"]
        for group in ("params", "metrics")
        for f, e in data[group].items()
        if "error" in e
    }
    return {
        "name": name,
        "type": kind,
        "rev": state["rev"],
        "baseline": baseline,
        "status": status,
        "timestamp": data["timestamp"],
        "params": values(data["params"]),
        "metrics": values(data["metrics"]),
        "deps": {p: d["hash"] for p, d in data["deps"].items()},
        "outs": {p: d["hash"] for p, d in data["outs"].items()},
        "errors": errors,
    }
